/**
 * The optimised matcher against the straightforward one it replaced
 * (test/treasury/plain/: strings and Maps, kept as the reference): the
 * same result, field for field, on generated worlds and on hostile ones
 * (references in every spelling and place, ambiguous and foreign
 * references, repeated bank lines, equal amounts, zero items, groups),
 * with and without an amount tolerance; and its building blocks against
 * the plain definitions they stand in for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUtcDay } from '../../src/domain/fx.js';
import { DEFAULT_MATCH_OPTIONS, type BookedEntry, type ExpectedItem, type MatchOptions } from '../../src/domain/reconciliation.js';
import { forEachReferenceCandidate, normalisedLength, normaliseReference, ReferenceScanner, referenceHash } from '../../src/domain/reference-text.js';
import { Prng } from '../../src/firehose/prng.js';
import { isoDay } from '../../src/treasury/iso-day.js';
import type { MatchResult } from '../../src/treasury/match-result.js';
import { EntryTable, ItemTable } from '../../src/treasury/match-tables.js';
import { MatcherArena } from '../../src/treasury/matcher-arena.js';
import { reconcile, reconcileTables } from '../../src/treasury/matcher.js';
import { rows } from './matcher-fixtures.js';
import { generateWorld } from './matcher-world.js';
import { reconcile as reconcilePlain } from './plain/matcher.js';

/** Pieces references and texts are made of: case, separators, field marks, NBSP, non-ASCII. */
const PIECES = ['PO', 'po', 'Dep', '2026', '0001', '7', '-', ' ', '/', '+', ':', '=', '(', ')', '[', ']', '|', '#', ',', ';', '\t', '\u00a0', 'Ü', 'ß', '.', '_', 'EREF+', 'SVWZ+', '/ROC/', 'REF:', 'x'] as const;

function text(rng: Prng, parts: number): string {
  let s = '';
  for (let k = 0; k < parts; k++) s += rng.pick(PIECES);
  return s;
}

function iso(day: number): string {
  return new Date((20_514 + day) * 86_400_000).toISOString().slice(0, 10);
}

/** A small world where everything competes: few accounts, few amounts, few references, spelt every way. */
function hostileWorld(seed: number): { items: ExpectedItem[]; entries: BookedEntry[] } {
  const rng = new Prng(seed);
  const accounts = ['DE89370400440532013000', 'FR7630006000011234567890189', 'GB29NWBK60161331926819'];
  const refs = Array.from({ length: 40 }, () => text(rng, 1 + rng.int(5)));
  const amounts = [100, 250, 1_000, -100, 0, 350, 1_250];
  const items: ExpectedItem[] = Array.from({ length: 60 + rng.int(60) }, (_, k) => ({
    id: `I${String(k).padStart(3, '0')}`,
    kind: rng.chance(0.5) ? 'payout' : 'deposit',
    account: rng.pick(accounts),
    currency: rng.chance(0.9) ? 'EUR' : 'USD',
    amountMinor: rng.chance(0.8) ? rng.pick(amounts) : rng.between(-5_000, 5_000),
    expectedDate: iso(rng.int(12)),
    reference: rng.chance(0.8) ? rng.pick(refs) : null,
    group: rng.chance(0.5) ? rng.pick(['adyen', 'worldline', 'a"b']) : rng.chance(0.5) ? null : undefined,
  }));
  const entries: BookedEntry[] = [];
  for (let k = 0; k < 60 + rng.int(80); k++) {
    const it = rng.pick(items);
    const named = (): string => (rng.chance(0.7) ? (it.reference ?? rng.pick(refs)) : rng.pick(refs));
    const e: BookedEntry = {
      id: `E${String(k).padStart(3, '0')}`,
      account: rng.chance(0.85) ? it.account : rng.pick(accounts),
      currency: rng.chance(0.9) ? it.currency : 'GBP',
      amountMinor: rng.chance(0.6) ? it.amountMinor : rng.chance(0.5) ? rng.pick(amounts) : it.amountMinor + rng.between(-3, 3),
      date: iso(rng.int(14)),
      reference: rng.chance(0.4) ? named() : rng.chance(0.2) ? text(rng, 3) : null,
      remittance: rng.chance(0.5) ? `${text(rng, 2)} ${named()}${text(rng, 2)} ${rng.chance(0.3) ? named() : ''}` : rng.chance(0.3) ? text(rng, 6) : null,
      bankReference: rng.chance(0.8) ? `B${String(rng.int(30))}` : null,
    };
    entries.push(e);
    // The same bank line again (an overlapping statement), now and then.
    if (rng.chance(0.1)) entries.push({ ...e, id: `E${String(k).padStart(3, '0')}-copy` });
  }
  return { items, entries };
}

/**
 * Every item's and entry's result, made from the columns, equals the plain
 * matcher's; so do the per-row accessors and the counts. The tables are
 * built as the service builds them too: entries appended a few at a time.
 */
function same(items: readonly ExpectedItem[], entries: readonly BookedEntry[], options: MatchOptions, label: string, arena = new MatcherArena()): MatchResult {
  const fast = reconcile(items, entries, options, arena);
  const plain = reconcilePlain(items, entries, options);
  assert.deepEqual(rows(fast), plain, label);
  for (let i = 0; i < fast.itemCount; i++) {
    assert.equal(fast.itemStatus(i), plain.items[i]!.status, label);
    assert.deepEqual(fast.itemPayers(i).map((e) => entries[e]!.id), plain.items[i]!.entryIds, label);
  }
  for (let e = 0; e < fast.entryCount; e++) {
    assert.equal(fast.entryStatus(e), plain.entries[e]!.status, label);
    assert.deepEqual(fast.entryPaid(e).map((i) => items[i]!.id), plain.entries[e]!.itemIds, label);
  }
  const count = (xs: readonly { status: string; method: string | null }[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(`${x.status}/${x.method ?? 'none'}`, (m.get(`${x.status}/${x.method ?? 'none'}`) ?? 0) + 1);
    return m;
  };
  assert.deepEqual(fast.counts(), { items: sortedCounts(count(plain.items)), entries: sortedCounts(count(plain.entries)) }, label);
  const grown = new EntryTable(1);
  for (const en of entries) grown.add(en.id, en.account, en.currency, en.amountMinor, en.date, en.reference, en.remittance, en.bankReference);
  assert.deepEqual(rows(reconcileTables(ItemTable.of(items), grown, options, arena)), plain, `${label}, appended entries`);
  return fast;
}

function sortedCounts(m: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

void describe('the optimised matcher gives the plain matcher’s result', () => {
  void it('on generated worlds with an answer key', () => {
    for (const seed of [1, 2, 3, 42, 20260302]) {
      const w = generateWorld(seed, 8, 60);
      same(w.items, w.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: w.asOf }, `seed ${String(seed)}`);
      same(w.items, w.entries, { ...DEFAULT_MATCH_OPTIONS, amountToleranceMinor: 500, dateWindowDays: 5, asOf: w.asOf }, `seed ${String(seed)}, tolerance`);
    }
  });

  void it('on hostile worlds: every spelling, ambiguity, repeat and collision', () => {
    const rng = new Prng(7);
    for (let round = 0; round < 300; round++) {
      const w = hostileWorld(1_000 + round);
      const options: MatchOptions = { asOf: iso(10), amountToleranceMinor: rng.pick([0, 0, 3, 200]), dateWindowDays: rng.int(5), missingAfterDays: rng.int(4) };
      same(w.items, w.entries, options, `round ${String(round)} ${JSON.stringify(options)}`);
    }
  });

  void it('with one arena reused across runs of different sizes', () => {
    const arena = new MatcherArena();
    const big = generateWorld(9, 12, 90);
    const small = hostileWorld(5);
    const first = same(small.items, small.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: iso(10) }, 'small first', arena);
    const kept = rows(first);
    same(big.items, big.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: big.asOf }, 'then big', arena);
    assert.deepEqual(rows(first), kept, 'a result keeps its columns when the arena is used again');
    first.release();
    assert.throws(() => first.item(0), /released/);
    same(small.items, small.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: iso(10) }, 'after a release, in its columns', arena);
    const held = arena.bytes;
    same(small.items, small.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: iso(10) }, 'small again', arena);
    assert.equal(arena.bytes, held, 'the larger buffer is kept, not shrunk or grown');
    same(big.items, big.entries, { ...DEFAULT_MATCH_OPTIONS, asOf: big.asOf }, 'big again', arena);
  });
});

void describe('the building blocks against their plain definitions', () => {
  void it('ReferenceScanner visits what forEachReferenceCandidate visits, in order, with the hash and length of each', () => {
    const rng = new Prng(11);
    const scanner = new ReferenceScanner();
    for (let round = 0; round < 5_000; round++) {
      const t = text(rng, rng.int(16));
      const plain: string[] = [];
      forEachReferenceCandidate(t, (c) => plain.push(c));
      const fast: string[] = [];
      scanner.scan(t, (start, end, hash, length) => {
        const c = normaliseReference(t.slice(start, end));
        assert.ok(c !== null, JSON.stringify(t));
        assert.equal(hash, referenceHash(c), JSON.stringify(t));
        assert.equal(length, c.length, JSON.stringify(t));
        fast.push(c);
      });
      assert.deepEqual(fast, plain, JSON.stringify(t));
      assert.equal(normalisedLength(t), normaliseReference(t)?.length ?? 0, JSON.stringify(t));
    }
  });

  void it('isoDay reads every date as parseUtcDay does, and refuses what it refuses', () => {
    for (let d = -25_567; d <= 47_482; d++) {
      const date = new Date(d * 86_400_000).toISOString().slice(0, 10); // 1900-01-01 … 2099-12-31
      assert.equal(isoDay(date), d, date);
    }
    const odd = ['2026-02-29', '2024-02-29', '2100-02-29', '2000-02-29', '0099-01-01', '0100-03-01', '9999-12-31', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', '2026/01/01', '20260101', '2026-01-01T', ' 2026-01-01', '２０２６-01-01', 'abcd-ef-gh', ''];
    for (const date of odd) assert.equal(isoDay(date), parseUtcDay(date), date);
  });
});
