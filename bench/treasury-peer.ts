/**
 * The treasury benchmark's peer: the same reconciliation as one DuckDB SQL
 * query (in process, all cores) over the same items and entries, loaded
 * into two tables with the appender (dates as DATE, amounts as BIGINT).
 * The query applies the matcher's rules in the matcher's order
 * (docs/reconciliation.md), each step in SQL:
 *
 *   1. the same bank line twice (account, bank reference, date, currency,
 *      amount): all but the lowest id are duplicates;
 *   2. by reference: references normalised as the matcher does (A–Z, 0–9,
 *      upper case); an item reference used twice on one account names
 *      neither; an entry's whole reference first, else every token of its
 *      reference and remittance text (split at whitespace , ;) and every part
 *      of a token (split at / + : = ( ) [ ] | #); one item named by several
 *      entries is paid by all of them in date order, except a later entry
 *      with the amount of an earlier one that would not bring the total
 *      closer (a duplicate); an entry naming several items pays them together;
 *   3. zero items left open are matched with no entry;
 *   4. by exact amount on one account and currency within the date window,
 *      in date order: of the open items and entries of one amount that have
 *      a counterpart within the window, in runs no further apart than the
 *      window, the k-th item of a run with the k-th entry of it; in a run
 *      with one more item or entry, the one left out is the one that leaves
 *      the fewest days off with every pair within the window (the later on
 *      a tie), as the matcher's most-pairs-then-fewest-days rule does;
 *   5. many-to-one by sum: an entry for the total of a day's (or a day and
 *      group's) open items, closest date first, a group before the day;
 *   6. the rest: items missing or pending, entries unexpected.
 *
 * Where the matcher decides one case after another (a contested reference
 * naming several items, sums competing for the same items), the query
 * decides all at once; the benchmark's bank books no such case, and the
 * printed check (the counts of every status and method equal) is what
 * shows the two matched the same rows the same way.
 */
import { DuckDBDateValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { dayNumber } from '../src/domain/business-calendar.js';
import type { BookedEntry, ExpectedItem, MatchOptions } from '../src/domain/reconciliation.js';
import { sortedCounts, type MatchCounts } from './treasury-counts.js';

export interface PeerResult {
  loadMs: number;
  /** Each run of the query, ms. */
  queryMs: number[];
  counts: MatchCounts;
}

const norm = (x: string): string => `nullif(upper(regexp_replace(${x}, '[^A-Za-z0-9]', '', 'g')), '')`;

/** The whole match as one statement: an outcome row (side, row, status, method) per item and per entry. */
export function reconcileSql(options: MatchOptions): string {
  const w = String(options.dateWindowDays);
  if (options.amountToleranceMinor !== 0) throw new RangeError('the peer query matches exact amounts only (amountToleranceMinor 0)');
  return `
CREATE OR REPLACE TEMP TABLE outcome AS
WITH
bank_dup AS (
  SELECT e FROM (SELECT e, row_number() OVER (PARTITION BY account, bank_ref, d, currency, amount ORDER BY id) AS rn FROM entries WHERE bank_ref IS NOT NULL) WHERE rn > 1
),
live AS (SELECT * FROM entries ANTI JOIN bank_dup USING (e)),
idx AS (
  SELECT account, nref, min(i) AS i FROM (SELECT i, account, ${norm('reference')} AS nref FROM items WHERE reference IS NOT NULL)
  WHERE nref IS NOT NULL GROUP BY account, nref HAVING count(*) = 1
),
whole AS (
  SELECT l.e, x.i FROM live l JOIN idx x ON x.account = l.account AND x.nref = ${norm('l.reference')}
),
tokens AS (
  SELECT e, account, unnest(string_split_regex(coalesce(reference, '') || ' ' || coalesce(remittance, ''), '[\\x00-\\x20,;\\x{a0}]+')) AS tok
  FROM live ANTI JOIN whole USING (e)
  WHERE reference IS NOT NULL OR remittance IS NOT NULL
),
candidates AS (
  SELECT e, account, tok AS c FROM tokens
  UNION ALL
  SELECT e, account, unnest(string_split_regex(tok, '[/+:=()\\[\\]|#]')) AS c FROM tokens WHERE regexp_matches(tok, '[/+:=()\\[\\]|#]')
),
named AS (
  SELECT e, i FROM whole
  UNION
  SELECT c.e, x.i FROM candidates c JOIN idx x ON x.account = c.account AND x.nref = ${norm('c.c')}
),
named_n AS (SELECT e, count(*) AS n FROM named GROUP BY e),
claims AS (SELECT i, count(*) AS c FROM named GROUP BY i),
-- Entries naming one item: per item in date order; a repeat of an earlier amount that does not help the total is a duplicate.
single AS (
  SELECT nm.e, nm.i, l.amount, l.d, l.currency, l.id, it.amount AS expected,
    row_number() OVER (PARTITION BY nm.i, l.amount, l.currency ORDER BY l.d, l.id) AS same_rank
  FROM named nm JOIN named_n USING (e) JOIN live l USING (e) JOIN items it ON it.i = nm.i
  WHERE named_n.n = 1
),
single_sum AS (
  SELECT *, coalesce(sum(CASE WHEN same_rank = 1 THEN amount END) OVER (PARTITION BY i ORDER BY d, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
  FROM single
),
single_role AS (
  SELECT e, i, amount, d, currency, (same_rank > 1 AND abs(before + amount - expected) >= abs(before - expected)) AS dup FROM single_sum
),
-- Payment groups: one item and its paying entries, or one entry and the several items it names (each named by it alone).
ref_pay AS (
  SELECT 'i' || i AS g, e, i FROM single_role WHERE NOT dup
  UNION ALL
  SELECT 'e' || nm.e AS g, nm.e, nm.i FROM named nm JOIN named_n USING (e) WHERE named_n.n > 1
    AND NOT EXISTS (SELECT 1 FROM named o JOIN claims c ON c.i = o.i WHERE o.e = nm.e AND c.c > 1)
),
pay_e AS (SELECT DISTINCT g, e FROM ref_pay),
pay_i AS (SELECT DISTINCT g, i FROM ref_pay),
booked AS (SELECT g, sum(l.amount) AS booked, max(l.d) AS last_d FROM pay_e JOIN live l USING (e) GROUP BY g),
expected AS (SELECT g, sum(it.amount) AS expected FROM pay_i JOIN items it USING (i) GROUP BY g),
foreign_cur AS (
  SELECT DISTINCT pi.g, pi.i FROM pay_i pi JOIN pay_e pe USING (g) JOIN live l ON l.e = pe.e JOIN items it ON it.i = pi.i WHERE l.currency <> it.currency
),
ref_item AS (
  SELECT pi.g, pi.i,
    CASE WHEN f.i IS NOT NULL OR b.booked <> x.expected THEN 'amount_mismatch' WHEN b.last_d = it.d THEN 'matched' ELSE 'timing' END AS status,
    CASE WHEN pi.g LIKE 'e%' THEN 'batch' ELSE 'reference' END AS method
  FROM pay_i pi JOIN booked b USING (g) JOIN expected x USING (g) JOIN items it ON it.i = pi.i LEFT JOIN foreign_cur f ON f.g = pi.g AND f.i = pi.i
),
ref_entry AS (
  SELECT pe.e, CASE WHEN bool_or(ri.status = 'amount_mismatch') THEN 'amount_mismatch' WHEN bool_or(ri.status = 'timing') THEN 'timing' ELSE 'matched' END AS status, any_value(ri.method) AS method
  FROM pay_e pe JOIN ref_item ri USING (g) GROUP BY pe.e
  UNION ALL
  SELECT e, 'duplicate', 'reference' FROM single_role WHERE dup
),
zero_item AS (
  SELECT i FROM items ANTI JOIN ref_item USING (i) WHERE amount = 0
),
open_i0 AS (SELECT it.* FROM items it ANTI JOIN ref_item USING (i) WHERE amount <> 0),
open_e0 AS (SELECT l.* FROM live l ANTI JOIN ref_entry USING (e)),
-- Only what has a counterpart of its amount within the window takes part; runs of one amount
-- more than the window apart cannot pair across the gap, so each run pairs on its own, in date order.
-- (An inner hash join and a filter: as a semi join with the window condition, DuckDB plans a nested loop.)
near AS (
  SELECT oi.i, oe.e FROM open_i0 oi JOIN open_e0 oe ON oe.account = oi.account AND oe.currency = oi.currency AND oe.amount = oi.amount
  WHERE abs(oe.d - oi.d) <= ${w}
),
cand AS (
  SELECT 'i' AS side, i AS row, account, currency, amount, d, id FROM open_i0 WHERE i IN (SELECT i FROM near)
  UNION ALL
  SELECT 'e', e, account, currency, amount, d, id FROM open_e0 WHERE e IN (SELECT e FROM near)
),
runs AS (
  SELECT *, sum(gap) OVER (PARTITION BY account, currency, amount ORDER BY d, side, id) AS run FROM (
    SELECT *, CASE WHEN d - lag(d) OVER (PARTITION BY account, currency, amount ORDER BY d, side, id) > ${w} THEN 1 ELSE 0 END AS gap FROM cand
  )
),
ranked AS (SELECT *, row_number() OVER (PARTITION BY account, currency, amount, run, side ORDER BY d, id) AS k FROM runs),
sized AS (
  SELECT account, currency, amount, run, CASE WHEN count(*) FILTER (WHERE side = 'i') < count(*) FILTER (WHERE side = 'e') THEN 'i' ELSE 'e' END AS short,
    abs(count(*) FILTER (WHERE side = 'i') - count(*) FILTER (WHERE side = 'e')) AS extra
  FROM ranked GROUP BY account, currency, amount, run
),
-- A run with one more on one side: the matcher's pairing (most pairs, then fewest days off) leaves one of
-- the longer side out. Leaving out its s-th pairs the shorter side's k-th with its k-th before s and its
-- (k+1)-th from s on; each choice's days off and pairs beyond the window come from running sums over k.
skip_opts AS (
  SELECT sh.account, sh.currency, sh.amount, sh.run, sh.k, abs(sh.d - la.d) AS ca, abs(sh.d - lb.d) AS cb
  FROM ranked sh JOIN sized z USING (account, currency, amount, run)
    JOIN ranked la ON la.account = sh.account AND la.currency = sh.currency AND la.amount = sh.amount AND la.run = sh.run AND la.side <> sh.side AND la.k = sh.k
    JOIN ranked lb ON lb.account = sh.account AND lb.currency = sh.currency AND lb.amount = sh.amount AND lb.run = sh.run AND lb.side <> sh.side AND lb.k = sh.k + 1
  WHERE z.extra = 1 AND sh.side = z.short
),
skip_cost AS (
  SELECT account, currency, amount, run, k AS s,
    coalesce(sum(ca) OVER before, 0) + sum(cb) OVER after AS cost,
    coalesce(sum((ca > ${w})::INTEGER) OVER before, 0) + sum((cb > ${w})::INTEGER) OVER after AS beyond
  FROM skip_opts
  WINDOW before AS (PARTITION BY account, currency, amount, run ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
    after AS (PARTITION BY account, currency, amount, run ORDER BY k ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
  UNION ALL
  SELECT account, currency, amount, run, count(*) + 1 AS s, sum(ca) AS cost, sum((ca > ${w})::INTEGER) AS beyond FROM skip_opts GROUP BY account, currency, amount, run
),
-- The fewest days off among the choices that pair the whole shorter side within the window; on a tie the later
-- one is left out (the earlier ones are paired). Runs where no choice does are paired by rank as the others.
skip AS (
  SELECT account, currency, amount, run, s FROM skip_cost WHERE beyond = 0
  QUALIFY row_number() OVER (PARTITION BY account, currency, amount, run ORDER BY cost, s DESC) = 1
),
paired AS (
  SELECT r.*, CASE WHEN sk.s IS NULL OR r.side = z.short OR r.k < sk.s THEN r.k WHEN r.k > sk.s THEN r.k - 1 END AS kp
  FROM ranked r JOIN sized z USING (account, currency, amount, run) LEFT JOIN skip sk USING (account, currency, amount, run)
),
amt AS (
  SELECT oi.row AS i, oe.row AS e, CASE WHEN oe.d = oi.d THEN 'matched' ELSE 'timing' END AS status
  FROM paired oi JOIN paired oe ON oe.account = oi.account AND oe.currency = oi.currency AND oe.amount = oi.amount AND oe.run = oi.run AND oe.kp = oi.kp
  WHERE oi.side = 'i' AND oe.side = 'e' AND abs(oe.d - oi.d) <= ${w}
),
rest_i AS (SELECT * FROM open_i0 ANTI JOIN amt USING (i)),
rest_e AS (SELECT * FROM open_e0 ANTI JOIN amt USING (e)),
sums AS (
  SELECT account, currency, d, NULL::VARCHAR AS grp, sum(amount) AS total FROM rest_i GROUP BY account, currency, d HAVING count(*) >= 2
  UNION ALL
  SELECT account, currency, d, grp, sum(amount) AS total FROM rest_i WHERE grp IS NOT NULL GROUP BY account, currency, d, grp HAVING count(*) >= 2
),
batch_pick AS (
  SELECT * FROM (
    SELECT re.e, re.d AS ed, re.id AS eid, s.account, s.currency, s.d, s.grp,
      row_number() OVER (PARTITION BY re.e ORDER BY abs(s.d - re.d), s.grp IS NULL, s.d, s.grp) AS pref
    FROM rest_e re JOIN sums s ON s.account = re.account AND s.currency = re.currency AND s.total = re.amount AND abs(s.d - re.d) <= ${w}
  ) WHERE pref = 1
  QUALIFY row_number() OVER (PARTITION BY account, currency, d, grp ORDER BY ed, eid) = 1
),
batch_item AS (
  SELECT ri.i, CASE WHEN b.ed = ri.d THEN 'matched' ELSE 'timing' END AS status, b.e
  FROM batch_pick b JOIN rest_i ri ON ri.account = b.account AND ri.currency = b.currency AND ri.d = b.d AND (b.grp IS NULL OR ri.grp = b.grp)
)
SELECT 'item' AS side, it.i AS row,
  coalesce(ri.status, CASE WHEN z.i IS NOT NULL THEN 'matched' END, a.status, bi.status, CASE WHEN DATE '${options.asOf}' - it.d > ${String(options.missingAfterDays)} THEN 'missing' ELSE 'pending' END) AS status,
  coalesce(ri.method, CASE WHEN a.i IS NOT NULL THEN 'amount' WHEN bi.i IS NOT NULL THEN 'batch' END, 'none') AS method
FROM items it
  LEFT JOIN ref_item ri USING (i)
  LEFT JOIN zero_item z USING (i)
  LEFT JOIN amt a USING (i)
  LEFT JOIN batch_item bi USING (i)
UNION ALL
SELECT 'entry', en.e,
  coalesce(CASE WHEN bd.e IS NOT NULL THEN 'duplicate' END, re.status, a.status, bp.status, 'unexpected'),
  coalesce(CASE WHEN bd.e IS NOT NULL THEN 'none' END, re.method, CASE WHEN a.e IS NOT NULL THEN 'amount' WHEN bp.e IS NOT NULL THEN 'batch' END, 'none')
FROM entries en
  LEFT JOIN bank_dup bd USING (e)
  LEFT JOIN ref_entry re USING (e)
  LEFT JOIN amt a USING (e)
  LEFT JOIN (SELECT e, CASE WHEN bool_and(status = 'matched') THEN 'matched' ELSE 'timing' END AS status FROM batch_item GROUP BY e) bp USING (e)
`;
}

export async function loadPeerTables(conn: DuckDBConnection, items: readonly ExpectedItem[], entries: readonly BookedEntry[]): Promise<void> {
  await conn.run('CREATE OR REPLACE TABLE items (i INTEGER, id VARCHAR, account VARCHAR, currency VARCHAR, amount BIGINT, d DATE, reference VARCHAR, grp VARCHAR)');
  await conn.run('CREATE OR REPLACE TABLE entries (e INTEGER, id VARCHAR, account VARCHAR, currency VARCHAR, amount BIGINT, d DATE, reference VARCHAR, remittance VARCHAR, bank_ref VARCHAR)');
  const days = new Map<string, DuckDBDateValue>();
  const date = (s: string): DuckDBDateValue => {
    let v = days.get(s);
    if (v === undefined) days.set(s, (v = new DuckDBDateValue(dayNumber(s))));
    return v;
  };
  const text = (a: { appendVarchar(v: string): void; appendNull(): void }, v: string | null | undefined): void => {
    if (v === null || v === undefined) a.appendNull();
    else a.appendVarchar(v);
  };
  const ia = await conn.createAppender('items');
  items.forEach((it, i) => {
    ia.appendInteger(i);
    ia.appendVarchar(it.id);
    ia.appendVarchar(it.account);
    ia.appendVarchar(it.currency);
    ia.appendBigInt(BigInt(it.amountMinor));
    ia.appendDate(date(it.expectedDate));
    text(ia, it.reference);
    text(ia, it.group);
    ia.endRow();
  });
  ia.closeSync();
  const ea = await conn.createAppender('entries');
  entries.forEach((en, e) => {
    ea.appendInteger(e);
    ea.appendVarchar(en.id);
    ea.appendVarchar(en.account);
    ea.appendVarchar(en.currency);
    ea.appendBigInt(BigInt(en.amountMinor));
    ea.appendDate(date(en.date));
    text(ea, en.reference);
    text(ea, en.remittance);
    text(ea, en.bankReference);
    ea.endRow();
  });
  ea.closeSync();
}

/** Loads the rows (timed apart), runs the query `runs` times, and counts its outcomes as `matchCounts` does ours. */
export async function runPeer(items: readonly ExpectedItem[], entries: readonly BookedEntry[], options: MatchOptions, runs: number, log: (s: string) => void): Promise<PeerResult> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const t0 = performance.now();
    await loadPeerTables(conn, items, entries);
    const loadMs = performance.now() - t0;
    log(`peer: ${String(items.length)} items and ${String(entries.length)} entries loaded into DuckDB in ${loadMs.toFixed(0)} ms`);
    const sql = reconcileSql(options);
    const queryMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      await conn.run(sql);
      queryMs.push(performance.now() - t);
      log(`peer query run ${String(r + 1)}: ${queryMs.at(-1)!.toFixed(0)} ms`);
    }
    const rows = (await conn.runAndReadAll('SELECT side, status, method, count(*)::INTEGER AS n FROM outcome GROUP BY ALL')).getRowObjectsJS();
    const itemCounts = new Map<string, number>();
    const entryCounts = new Map<string, number>();
    for (const row of rows) (row['side'] === 'item' ? itemCounts : entryCounts).set(`${String(row['status'])}/${String(row['method'])}`, Number(row['n']));
    return { loadMs, queryMs, counts: { items: sortedCounts(itemCounts), entries: sortedCounts(entryCounts) } };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
