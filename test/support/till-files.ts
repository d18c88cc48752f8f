/**
 * Daily export files of a set of tills, as a finance team would re-send
 * them: each file is one business day of every till, in time order, with
 * each till numbering its receipts on from the day before. Some tills skip
 * numbers (voided receipts never sent), so their accepted seqs have gaps.
 */
import { Prng } from '../../src/firehose/prng.js';

export interface TillFilesOptions {
  seed: number;
  /** Stores S1..Sn must exist in the tenant's registry. */
  stores: readonly string[];
  tillsPerStore: number;
  days: number;
  /** The first file's day, as days before today. */
  firstDayAgo: number;
  /** Records per till per day: min + rng(spread). */
  perDay: [number, number];
  /** Every how many tills one skips numbers (0: none). */
  gappyEvery: number;
}

export interface TillFiles {
  /** One array of NDJSON lines (no newline) per day, oldest first. */
  files: string[][];
  /** `terminal/seq` of every record. */
  keys: Set<string>;
  /** Gaps per gap-heavy till. */
  gaps: Map<string, number>;
  /** Seqs sent per till. */
  seqs: Map<string, number[]>;
}

const DAY = 86_400_000;

export function tillFiles(o: TillFilesOptions): TillFiles {
  const rng = new Prng(o.seed);
  const tills: { store: string; id: string; next: number; gappy: boolean }[] = [];
  let n = 0;
  for (const s of o.stores) for (let k = 1; k <= o.tillsPerStore; k++, n++) tills.push({ store: s, id: `${s}-T${String(k)}`, next: 1 + rng.int(1000), gappy: o.gappyEvery > 0 && n % o.gappyEvery === 0 });
  const out: TillFiles = { files: [], keys: new Set(), gaps: new Map(), seqs: new Map() };
  const today = Math.floor(Date.now() / DAY) * DAY;
  for (let d = 0; d < o.days; d++) {
    const dayStart = today - (o.firstDayAgo - d) * DAY;
    const rows: { t: number; line: string }[] = [];
    for (const till of tills) {
      const count = o.perDay[0] + rng.int(o.perDay[1]);
      // 08:00–18:00 UTC, in order per till.
      let t = dayStart + 8 * 3_600_000;
      const step = Math.floor((10 * 3_600_000) / count);
      for (let i = 0; i < count; i++) {
        if (till.gappy && rng.int(3) === 0) {
          till.next += 1 + rng.int(3);
          // A skip before a till's first record is no gap in what it sent.
          if (out.seqs.has(till.id)) out.gaps.set(till.id, (out.gaps.get(till.id) ?? 0) + 1);
        }
        const seq = till.next++;
        t += 1 + rng.int(step);
        const amount = 100 + rng.int(9_900);
        const card = rng.int(10) < 6;
        const rec = {
          txn_id: `${till.id}-${String(seq)}`,
          store_id: till.store,
          terminal_id: till.id,
          seq,
          ts: new Date(t).toISOString(),
          type: 'sale',
          amount_minor: amount,
          currency: 'EUR',
          tax_minor: Math.floor(amount / 10),
          tender: card ? 'card' : 'cash',
          ...(card ? { card_brand: 'visa' } : {}),
        };
        rows.push({ t, line: JSON.stringify(rec) });
        out.keys.add(`${till.id}/${String(seq)}`);
        let seqs = out.seqs.get(till.id);
        if (seqs === undefined) out.seqs.set(till.id, (seqs = []));
        seqs.push(seq);
      }
    }
    rows.sort((a, b) => a.t - b.t);
    out.files.push(rows.map((r) => r.line));
  }
  return out;
}

/** A random order of `n` items (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], rng: Prng): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
