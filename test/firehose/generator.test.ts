import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Store } from '../../src/domain/store.js';
import { minorUnitExponent, type FirehoseCurrency } from '../../src/firehose/currencies.js';
import { groundTruth, pacedLineChunks, records, tenantLineChunks } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { generateWorld, type StoreSite, type World } from '../../src/firehose/world.js';
import { checkLine, localParts, type Rec } from './record-checker.js';

const DAY = 86_400_000;
/** The receipt time the checker assumes: after every generated event. */
const NOW = Date.parse('2027-06-01T00:00:00Z');
/** Field order of the DOMAIN table. */
const ORDER = ['txn_id', 'store_id', 'terminal_id', 'seq', 'ts', 'type', 'amount_minor', 'currency', 'tax_minor', 'discount_minor', 'tender', 'card_brand', 'items', 'ref_txn_id'];

interface Parsed {
  tenant: string;
  rec: Rec;
  tsMs: number;
  site: StoreSite;
}

function bytesOf(world: World, opts: RecordOptions): Buffer {
  const parts: Buffer[] = [];
  for (const t of world.tenants) for (const c of tenantLineChunks(world, t.tenant.tenant_id, opts)) parts.push(c.data);
  return Buffer.concat(parts);
}

/** Local wall clock of an instant in a zone, by Intl directly (independent of the generator's offset cache). */
const clockCache = new Map<string, string>();
const formatters = new Map<string, Intl.DateTimeFormat>();
function intlLocal(zone: string, ms: number): string {
  const key = `${zone}|${Math.floor(ms / 60_000)}`;
  let v = clockCache.get(key);
  if (v === undefined) {
    let f = formatters.get(zone);
    if (f === undefined) {
      f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      formatters.set(zone, f);
    }
    const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
    v = `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
    clockCache.set(key, v);
  }
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function parseAll(world: World, opts: RecordOptions): Parsed[] {
  const sites = new Map(world.tenants.map((t) => [t.tenant.tenant_id, new Map(t.sites.map((s) => [s.store.store_id, s]))]));
  const registries = new Map(world.tenants.map((t) => [t.tenant.tenant_id, new Map<string, Store>(t.stores.map((s) => [s.store_id, s]))]));
  const out: Parsed[] = [];
  for (const { tenant_id, line } of records(world, opts)) {
    const v = checkLine(line, tenant_id, registries.get(tenant_id)!, NOW);
    if (!v.ok) assert.fail(`invalid line (${v.code}): ${line}`);
    const keys = Object.keys(v.rec);
    assert.deepEqual(keys, ORDER.filter((k) => keys.includes(k)), 'fields in DOMAIN order');
    out.push({ tenant: tenant_id, rec: v.rec, tsMs: v.tsMs, site: sites.get(tenant_id)!.get(v.rec.store_id)! });
  }
  return out;
}

describe('records generator', () => {
  // Fri 2026-03-27 to Tue 03-31: the EU switches to summer time on Sunday 29th.
  const world = generateWorld({ seed: 11, stores: 600 });
  const opts: RecordOptions = { start: '2026-03-27T00:00:00Z', durationMs: 4 * DAY, salesPerStoreDay: 80 };
  let all: Parsed[] = [];
  before(() => {
    all = parseAll(world, opts);
  });

  it('gives identical bytes for the same seed and different bytes for another seed', () => {
    const small: RecordOptions = { start: '2026-05-01T00:00:00Z', records: 5000 };
    const a = bytesOf(world, small);
    assert.ok(a.equals(bytesOf(generateWorld({ seed: 11, stores: 600 }), small)));
    assert.ok(!a.equals(bytesOf(generateWorld({ seed: 12, stores: 600 }), small)));
    assert.equal(a.toString('latin1').split('\n').length - 1, 3 * 5000);
  });

  it('releases a live stream as simulated time advances at the chosen speed', async () => {
    // 30 simulated minutes at 3600× take half a second of wall time.
    const t0 = performance.now();
    let lines = 0;
    for await (const c of pacedLineChunks(world, 'acme', { start: '2026-05-01T10:00:00Z', durationMs: 30 * 60_000 }, { speed: 3600, chunkLines: 1 })) lines += c.lines;
    const ms = performance.now() - t0;
    assert.ok(ms > 400 && ms < 2000, `${ms} ms`);
    assert.equal(lines, groundTruth(world, { start: '2026-05-01T10:00:00Z', durationMs: 30 * 60_000 })[0]!.lines);
  });

  it('with catchUp, sends the part of a live stream before now at once, then paces', async () => {
    // Starts 3 simulated minutes ago at real time: those minutes come at once, the next one not for a minute.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;
    const ac = new AbortController();
    const t0 = performance.now();
    let chunks = 0;
    const stream = pacedLineChunks(world, 'acme', { start, durationMs: 10 * 60_000 }, { speed: 1, chunkLines: 1, catchUp: true, signal: ac.signal });
    for await (const c of stream) {
      assert.ok(c.lines > 0);
      if (++chunks === 3) break;
    }
    assert.ok(performance.now() - t0 < 5000, `the 3 past minutes took ${performance.now() - t0} ms`);
    ac.abort();
  });

  it('stops at exactly `records` valid records per tenant and reports them in the ground truth', () => {
    const truth = groundTruth(world, { start: '2026-05-01T00:00:00Z', records: 1234 });
    assert.deepEqual(truth.map((t) => [t.valid, t.lines, t.duplicates]), [[1234, 1234, 0], [1234, 1234, 0], [1234, 1234, 0]]);
    for (const t of truth) assert.equal(t.sales + t.refunds + t.voids, 1234);
  });

  it('numbers receipts from seqBase, so a restarted stream repeats no (terminal, seq)', () => {
    const small: RecordOptions = { start: '2026-05-01T00:00:00Z', records: 2000 };
    const base = 1_800_000_000_000;
    const seqs = (o: RecordOptions): Map<string, number[]> => {
      const m = new Map<string, number[]>();
      for (const { rec } of parseAll(world, o)) m.set(rec.terminal_id, [...(m.get(rec.terminal_id) ?? []), rec.seq]);
      return m;
    };
    const plain = seqs(small);
    const shifted = seqs({ ...small, seqBase: base });
    assert.deepEqual([...shifted.keys()].sort(), [...plain.keys()].sort());
    for (const [term, s] of plain) assert.deepEqual(shifted.get(term), s.map((q) => q + base), term);
    assert.throws(() => records(world, { ...small, seqBase: -1 }).next(), /seqBase/);
  });

  it('writes only valid records, in the store currency, with the tax of the store city', () => {
    assert.ok(all.length > 100_000, `${all.length} records`);
    for (const { rec, site } of all) {
      assert.equal(rec.currency, site.store.currency);
      const bp = site.taxBp;
      assert.equal(rec.tax_minor, Math.round((rec.amount_minor * bp) / (10_000 + bp)), `${rec.txn_id} tax at ${bp} bp`);
      assert.equal(rec.txn_id, `${rec.terminal_id}-${rec.seq}`);
      assert.ok(rec.terminal_id.startsWith(`${rec.store_id}-T`));
      if (rec.card_brand !== undefined) assert.ok(rec.tender === 'card' || rec.tender === 'wallet', 'brands only on card and wallet');
      if (rec.tender === 'card') assert.notEqual(rec.card_brand, undefined);
    }
    const types = new Map<string, number>();
    for (const { rec } of all) types.set(rec.type, (types.get(rec.type) ?? 0) + 1);
    const refunds = types.get('refund')! / all.length;
    assert.ok(refunds > 0.015 && refunds < 0.025, `refund share ${refunds}`);
    assert.ok(types.get('void')! > 0);
  });

  it('prices baskets in the currency minor unit: whole yen, fils for dinars', () => {
    const amounts = (cur: FirehoseCurrency): number[] => all.filter((p) => p.rec.currency === cur).map((p) => p.rec.amount_minor);
    const yen = median(amounts('JPY'));
    assert.equal(minorUnitExponent('JPY'), 0);
    assert.ok(yen > 500 && yen < 20_000, `JPY median ${yen}`);
    for (const cur of ['BHD', 'KWD', 'JOD'] as const) {
      const m = median(amounts(cur));
      assert.ok(m > 1000 && m < 100_000, `${cur} median ${m} fils`);
    }
    const eur = median(amounts('EUR'));
    assert.ok(eur > 300 && eur < 10_000, `EUR median ${eur} cents`);
  });

  it('numbers each terminal strictly upwards and never goes back in time on it', () => {
    const last = new Map<string, { seq: number; ts: number }>();
    for (const { tenant, rec, tsMs } of all) {
      const k = `${tenant}|${rec.terminal_id}`;
      const prev = last.get(k);
      if (prev !== undefined) {
        assert.ok(rec.seq > prev.seq, `${k}: ${rec.seq} after ${prev.seq}`);
        assert.ok(tsMs >= prev.ts, `${k}: time goes back`);
      }
      last.set(k, { seq: rec.seq, ts: tsMs });
    }
    const perStore = new Map<string, Set<string>>();
    for (const { tenant, rec } of all) {
      const k = `${tenant}|${rec.store_id}`;
      if (!perStore.has(k)) perStore.set(k, new Set());
      perStore.get(k)!.add(rec.terminal_id);
    }
    assert.ok([...perStore.values()].some((s) => s.size >= 3), 'several terminals per store');
  });

  it('voids a same-day sale of the same store and till, for the same amount', () => {
    const sales = new Map<string, Parsed>();
    let voids = 0;
    for (const p of all) {
      const k = `${p.tenant}|${p.rec.txn_id}`;
      if (p.rec.type === 'sale') sales.set(k, p);
      if (p.rec.type !== 'void') continue;
      voids++;
      const sale = sales.get(`${p.tenant}|${p.rec.ref_txn_id!}`);
      assert.ok(sale !== undefined, `void ${p.rec.txn_id} references an earlier sale`);
      assert.equal(sale.rec.store_id, p.rec.store_id);
      assert.equal(sale.rec.terminal_id, p.rec.terminal_id);
      assert.equal(sale.rec.amount_minor, p.rec.amount_minor);
      assert.equal(sale.rec.tax_minor, p.rec.tax_minor);
      assert.equal(sale.rec.ts.slice(0, 10), p.rec.ts.slice(0, 10), 'same local date');
      const cutoff = world.tenants.find((t) => t.tenant.tenant_id === p.tenant)!.tenant.business_day_cutoff;
      const cut = Number(cutoff.slice(0, 2)) * 3_600_000;
      const bizDay = (x: Parsed): number => Math.floor((x.tsMs + localParts(x.rec.ts).offsetMin * 60_000 - cut) / DAY);
      assert.equal(bizDay(sale), bizDay(p), 'same business day');
      sales.delete(`${p.tenant}|${p.rec.ref_txn_id!}`);
    }
    assert.ok(voids > 100, `${voids} voids`);
  });

  it('sells only while a store is open, in its local time', () => {
    for (const { rec, site } of all) {
      const l = localParts(rec.ts);
      const weekday = new Date(Date.UTC(l.y, l.mo - 1, l.d)).getUTCDay();
      const h = site.hours[weekday];
      assert.ok(h !== null && h !== undefined && l.minuteOfDay >= h[0] && l.minuteOfDay < h[1], `${rec.ts} at ${site.store.name}`);
    }
    // Germany is closed on Sundays: nothing on 2026-03-29.
    assert.ok(!all.some((p) => p.site.store.country === 'DE' && p.rec.ts.startsWith('2026-03-29')));
  });

  it('writes each time stamp in the store zone offset, right across the DST switch', () => {
    for (const { rec, tsMs, site } of all) {
      assert.equal(intlLocal(site.store.timezone, tsMs), rec.ts.slice(0, 16), `${rec.ts} in ${site.store.timezone}`);
    }
    const offsets = (zone: string, date: string): Set<string> =>
      new Set(all.filter((p) => p.site.store.timezone === zone && p.rec.ts.startsWith(date)).map((p) => p.rec.ts.slice(-6)));
    assert.deepEqual(offsets('Europe/Berlin', '2026-03-28'), new Set(['+01:00']));
    assert.deepEqual(offsets('Europe/Berlin', '2026-03-30'), new Set(['+02:00']));
    assert.deepEqual(offsets('Asia/Kolkata', '2026-03-28'), new Set(['+05:30']));
    assert.deepEqual(offsets('Asia/Kathmandu', '2026-03-28'), new Set(['+05:45']));
    assert.deepEqual(offsets('America/New_York', '2026-03-28'), new Set(['-04:00']));
    assert.deepEqual(offsets('Australia/Sydney', '2026-03-28'), new Set(['+11:00']));
    assert.deepEqual(offsets('Asia/Tokyo', '2026-03-28'), new Set(['+09:00']));
  });

  it('switches offsets in the southern hemisphere too (Sydney, Santiago, Chatham on 2026-04-05)', () => {
    const south = parseAll(world, { start: '2026-04-03T00:00:00Z', durationMs: 4 * DAY, salesPerStoreDay: 25 });
    for (const { rec, tsMs, site } of south) assert.equal(intlLocal(site.store.timezone, tsMs), rec.ts.slice(0, 16));
    const offsets = (zone: string, date: string): Set<string> =>
      new Set(south.filter((p) => p.site.store.timezone === zone && p.rec.ts.startsWith(date)).map((p) => p.rec.ts.slice(-6)));
    assert.deepEqual(offsets('Australia/Sydney', '2026-04-04'), new Set(['+11:00']));
    assert.deepEqual(offsets('Australia/Sydney', '2026-04-06'), new Set(['+10:00']));
    assert.deepEqual(offsets('America/Santiago', '2026-04-03'), new Set(['-03:00']));
    assert.deepEqual(offsets('America/Santiago', '2026-04-06'), new Set(['-04:00']));
    assert.deepEqual(offsets('Pacific/Chatham', '2026-04-06'), new Set(['+12:45']));
  });

  it('shows lunch and evening peaks and a weekend uplift', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const { rec } of all) byHour[Math.floor(localParts(rec.ts).minuteOfDay / 60)]! += 1;
    assert.ok(byHour[12]! > byHour[15]! * 1.3, `lunch ${byHour[12]} vs afternoon ${byHour[15]}`);
    assert.ok(byHour[18]! > byHour[15]! * 1.3, `evening ${byHour[18]} vs afternoon ${byHour[15]}`);
    // Stores open every day in markets with a Saturday–Sunday weekend: Saturday 28th vs Monday 30th.
    const open7 = all.filter((p) => p.site.hours.every((h) => h !== null) && p.site.country.weekend[0] === 6);
    const sat = open7.filter((p) => p.rec.ts.startsWith('2026-03-28')).length;
    const mon = open7.filter((p) => p.rec.ts.startsWith('2026-03-30')).length;
    assert.ok(sat > mon * 1.2, `Saturday ${sat} vs Monday ${mon}`);
  });

  it('peaks in December and dips in January', () => {
    const week = (start: string): number => groundTruth(world, { start, durationMs: 7 * DAY, salesPerStoreDay: 20 }).reduce((n, t) => n + t.valid, 0);
    const dec = week('2026-12-07T00:00:00Z');
    const jan = week('2027-01-11T00:00:00Z');
    assert.ok(dec > jan * 1.5, `December ${dec} vs January ${jan}`);
  });

  it('pays the way each market pays: cash in Germany and Japan, cards in the US, wallets and UnionPay in China, JCB in Japan', () => {
    const share = (country: string, pred: (r: Rec) => boolean): number => {
      const xs = all.filter((p) => p.site.store.country === country && p.rec.type === 'sale');
      return xs.filter((p) => pred(p.rec)).length / xs.length;
    };
    const cash = (r: Rec): boolean => r.tender === 'cash';
    assert.ok(share('DE', cash) > 0.4, 'DE cash');
    assert.ok(share('JP', cash) > 0.35, 'JP cash');
    assert.ok(share('US', cash) < 0.25, 'US cash');
    assert.ok(share('SE', cash) < 0.1, 'SE cash');
    assert.ok(share('CN', (r) => r.tender === 'wallet') > 0.65, 'CN wallets');
    assert.ok(share('CN', (r) => r.card_brand === 'unionpay') > 0.05, 'CN unionpay');
    assert.ok(share('JP', (r) => r.card_brand === 'jcb') > 0.08, 'JP jcb');
    assert.ok(share('US', (r) => r.card_brand === 'amex' || r.card_brand === 'discover') > 0.1, 'US amex/discover');
  });
});
