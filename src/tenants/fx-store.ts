/**
 * Uploaded FX rates, one file per tenant: `<dataDir>/fx/<tenant>.json`.
 * An upload is checked whole against the tenant's reporting currency and
 * replaces the tenant's rates; nothing changes when any row is wrong.
 * Where a tenant's rates do not reach, the shipped default table answers
 * (docs/metrics.md).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { FxTable, FxTableError, type FxRateRow } from '../domain/fx.js';
import { DEFAULT_USD_PER_UNIT } from '../domain/fx-defaults.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';

const FIELDS = ['date', 'currency', 'rate'] as const;

/**
 * Rows of an FX file: CSV with the header `date,currency,rate`, or JSON, an
 * array of `{date, currency, rate}` or `{"rates": [...]}`. Rates may be JSON
 * numbers or strings; strings keep every digit.
 */
export function parseFxText(text: string, format: 'json' | 'csv'): FxRateRow[] {
  let rows: unknown[];
  if (format === 'csv') {
    let records: string[][];
    try {
      records = parseCsv(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
    } catch (err) {
      throw new FxTableError(`FX file is not valid CSV: ${(err as Error).message}`);
    }
    const header = records[0];
    if (header?.join(',') !== FIELDS.join(',')) throw new FxTableError(`FX CSV must start with the header 'date,currency,rate', got '${header?.join(',') ?? ''}'`);
    rows = records.slice(1).map((r, i) => {
      if (r.length !== 3) throw new FxTableError(`FX row ${String(i + 1)}: expected 3 cells (date,currency,rate), got ${String(r.length)}`);
      return { date: r[0], currency: r[1], rate: r[2] };
    });
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new FxTableError(`FX file is not valid JSON: ${(err as Error).message}`);
    }
    const list = Array.isArray(doc) ? doc : (doc as { rates?: unknown } | null)?.rates;
    if (!Array.isArray(list)) throw new FxTableError('FX JSON must be an array of {date, currency, rate} or {"rates": [...]}');
    rows = list;
  }
  return rows.map((r, i) => {
    const o = r as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new FxTableError(`FX row ${String(i + 1)} must be an object with date, currency and rate`);
    for (const k of Object.keys(o)) {
      if (!(FIELDS as readonly string[]).includes(k)) throw new FxTableError(`FX row ${String(i + 1)}: unknown field '${k}' (fields: date, currency, rate)`);
    }
    const rate = typeof o.rate === 'number' ? String(o.rate) : o.rate;
    if (typeof o.date !== 'string' || typeof o.currency !== 'string' || typeof rate !== 'string') {
      throw new FxTableError(`FX row ${String(i + 1)}: date and currency must be strings and rate a number or a string`);
    }
    return { date: o.date, currency: o.currency, rate };
  });
}

export class FxStore {
  private readonly dir: string;
  private readonly cache = new Map<string, { mtimeMs: number; reporting: string; table: FxTable }>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'fx');
    mkdirSync(this.dir, { recursive: true });
  }

  private path(tenant: string): string {
    return join(this.dir, `${tenant}.json`);
  }

  /** Checks `rows` against `reporting` and replaces the tenant's rates; throws FxTableError naming the bad row. */
  put(tenant: string, reporting: string, rows: readonly FxRateRow[]): void {
    FxTable.fromRows(reporting, rows);
    writeFileAtomicSync(this.path(tenant), `${JSON.stringify({ rates: rows })}\n`);
    this.cache.delete(tenant);
  }

  /** Reads a file (CSV or JSON by extension, or `format`) and stores it as the tenant's rates; returns the row count. */
  load(tenant: string, reporting: string, file: string, format?: 'json' | 'csv'): number {
    const fmt = format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'json');
    const rows = parseFxText(readFileSync(file, 'utf8'), fmt);
    this.put(tenant, reporting, rows);
    return rows.length;
  }

  /** The tenant's uploaded rows ([] when none). */
  rows(tenant: string): FxRateRow[] {
    const p = this.path(tenant);
    return existsSync(p) ? parseFxText(readFileSync(p, 'utf8'), 'json') : [];
  }

  /** The tenant's table: its uploaded rates over the default table. */
  table(tenant: string, reporting: string): FxTable {
    const p = this.path(tenant);
    const m = existsSync(p) ? statSync(p).mtimeMs : -1;
    const hit = this.cache.get(tenant);
    if (hit !== undefined && hit.mtimeMs === m && hit.reporting === reporting) return hit.table;
    const fallback = DEFAULT_USD_PER_UNIT[reporting] === undefined ? null : FxTable.defaults(reporting);
    const table = FxTable.fromRows(reporting, this.rows(tenant), fallback);
    this.cache.set(tenant, { mtimeMs: m, reporting, table });
    return table;
  }
}
