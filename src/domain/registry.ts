/**
 * Store registry files: JSON or CSV in, validated stores and a list of
 * every problem out. Nothing here reads files; the caller passes the text.
 *
 * Row numbers: in JSON, the 1-based position in the stores array; in CSV,
 * the record number counting the header as row 1 (what a spreadsheet shows;
 * a quoted cell spanning lines is still one row). Row 0 means the file as a
 * whole. A row with any error is left out of `stores`; all of its errors
 * are reported, so one pass over the file shows everything to fix.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { isCountry } from './country.js';
import { isCurrency } from './currency.js';
import { REQUIRED_STORE_FIELDS, STORE_FIELDS, type SettlementField, type Store } from './store.js';
import { isTimeZone } from './timezone.js';

export interface RegistryError {
  /** See the module comment; 0 for the whole file. */
  row: number;
  /** The field or column concerned, if one is. */
  field: string | null;
  /** One of REGISTRY_ERROR_CODES. */
  code: string;
  message: string;
}

export const REGISTRY_ERROR_CODES = [
  'invalid_json', // not JSON
  'invalid_csv', // not CSV (unclosed quote, …) or no header row
  'invalid_format', // JSON that is neither an array nor { "stores": [...] }
  'not_an_object', // a JSON array element that is not an object
  'unknown_column', // CSV header names a column that is not a store field
  'missing_column', // CSV header lacks a store field
  'duplicate_column', // CSV header names a column twice
  'wrong_field_count', // CSV row with more or fewer cells than the header
  'unknown_field', // JSON store object (or wrapper) with a key that is not a store field
  'missing_field', // a store field is absent or empty
  'invalid_type', // JSON value of the wrong type (e.g. lat as a string)
  'invalid_value', // right type, wrong value (range, code list, time zone)
  'duplicate_store_id', // store_id already used by an earlier row
] as const;

type Format = 'json' | 'csv';
type RawRow = Record<string, unknown>;

/**
 * Parses and validates a registry.
 * @example
 * const { stores, errors } = parseStoreRegistry(text, 'csv');
 * // errors: [{ row: 3, field: 'country', code: 'invalid_value', message: "country must be ... got 'de' (did you mean 'DE'?)" }]
 */
export function parseStoreRegistry(text: string, format: Format): { stores: Store[]; errors: RegistryError[] } {
  const errors: RegistryError[] = [];
  const rows = format === 'json' ? jsonRows(text, errors) : csvRows(text, errors);
  const stores: Store[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, values } of rows) {
    const store = validateStore(row, values, format, errors);
    if (store === null) continue;
    const earlier = firstRowOf.get(store.store_id);
    if (earlier !== undefined) {
      errors.push({ row, field: 'store_id', code: 'duplicate_store_id', message: `store_id ${quote(store.store_id)} in row ${String(row)} already appears in row ${String(earlier)}` });
      continue;
    }
    firstRowOf.set(store.store_id, row);
    stores.push(store);
  }
  return { stores, errors };
}

function jsonRows(text: string, errors: RegistryError[]): { row: number; values: RawRow }[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    errors.push({ row: 0, field: null, code: 'invalid_json', message: `registry is not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
    return [];
  }
  let list: unknown = doc;
  if (isObject(doc)) {
    for (const key of Object.keys(doc)) {
      if (key !== 'stores') errors.push({ row: 0, field: key, code: 'unknown_field', message: `unknown top-level key ${quote(key)}; expected only "stores"` });
    }
    list = doc.stores;
  }
  if (!Array.isArray(list)) {
    errors.push({ row: 0, field: null, code: 'invalid_format', message: 'registry JSON must be an array of stores or an object {"stores": [...]}' });
    return [];
  }
  const rows: { row: number; values: RawRow }[] = [];
  list.forEach((item: unknown, i) => {
    if (isObject(item)) rows.push({ row: i + 1, values: item });
    else errors.push({ row: i + 1, field: null, code: 'not_an_object', message: `row ${String(i + 1)} must be a store object, got ${describe(item)}` });
  });
  return rows;
}

function csvRows(text: string, errors: RegistryError[]): { row: number; values: RawRow }[] {
  let records: string[][];
  try {
    // No trimming and no type casting: every cell is checked as written.
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (e) {
    errors.push({ row: 0, field: null, code: 'invalid_csv', message: `registry is not valid CSV: ${e instanceof Error ? e.message : String(e)}` });
    return [];
  }
  const header = records[0];
  if (header === undefined || (header.length === 1 && header[0] === '')) {
    errors.push({ row: 1, field: null, code: 'invalid_csv', message: `the first row must be a header naming the columns ${STORE_FIELDS.join(',')}` });
    return [];
  }
  const known = new Set<string>(STORE_FIELDS);
  const seen = new Set<string>();
  let headerOk = true;
  for (const col of header) {
    if (!known.has(col)) {
      errors.push({ row: 1, field: col, code: 'unknown_column', message: `unknown column ${quote(col)}; the columns are ${STORE_FIELDS.join(',')}` });
      headerOk = false;
    } else if (seen.has(col)) {
      errors.push({ row: 1, field: col, code: 'duplicate_column', message: `column ${quote(col)} appears more than once` });
      headerOk = false;
    }
    seen.add(col);
  }
  // The settlement columns may be left out (stores without settlement set-up).
  for (const f of REQUIRED_STORE_FIELDS) {
    if (!seen.has(f)) {
      errors.push({ row: 1, field: f, code: 'missing_column', message: `column ${quote(f)} is missing from the header` });
      headerOk = false;
    }
  }
  if (!headerOk) return [];
  const rows: { row: number; values: RawRow }[] = [];
  for (let r = 1; r < records.length; r++) {
    const cells = records[r]!;
    if (cells.length === 1 && cells[0] === '') continue; // blank line
    if (cells.length !== header.length) {
      errors.push({ row: r + 1, field: null, code: 'wrong_field_count', message: `row ${String(r + 1)} has ${String(cells.length)} cells, the header has ${String(header.length)}` });
      continue;
    }
    const values: RawRow = {};
    header.forEach((col, c) => (values[col] = cells[c]));
    rows.push({ row: r + 1, values });
  }
  return rows;
}

/** Validates one row; pushes every problem found and returns null if there was any. */
function validateStore(row: number, v: RawRow, format: Format, errors: RegistryError[]): Store | null {
  const before = errors.length;
  const err = (field: string, code: string, message: string): void => {
    errors.push({ row, field, code, message });
  };
  if (format === 'json') {
    const known = new Set<string>(STORE_FIELDS);
    for (const key of Object.keys(v)) if (!known.has(key)) err(key, 'unknown_field', `unknown field ${quote(key)}`);
  }
  const text = (f: Exclude<(typeof STORE_FIELDS)[number], 'lat' | 'lon'>): string => {
    const x = v[f];
    if (x === undefined || x === null || x === '') {
      err(f, 'missing_field', `${f} is required`);
      return '';
    }
    if (typeof x !== 'string') {
      err(f, 'invalid_type', `${f} must be a string, got ${describe(x)}`);
      return '';
    }
    if (x.trim() === '') err(f, 'missing_field', `${f} is required, got only whitespace`);
    return x;
  };
  /** A settlement field: absent, null or empty means "not set up". */
  const optionalText = (f: SettlementField): string | null => {
    const x = v[f];
    if (x === undefined || x === null || x === '') return null;
    if (typeof x !== 'string') {
      err(f, 'invalid_type', `${f} must be a string, got ${describe(x)}`);
      return null;
    }
    if (x.trim() !== x) err(f, 'invalid_value', `${f} must not start or end with whitespace, got ${quote(x)}`);
    return x;
  };
  const coordinate = (f: 'lat' | 'lon', limit: number): number => {
    const x = v[f];
    let n = Number.NaN;
    if (x === undefined || x === null || x === '') {
      err(f, 'missing_field', `${f} is required`);
      return n;
    }
    if (format === 'csv' && typeof x === 'string') {
      if (isPlainDecimal(x)) n = Number(x);
    } else if (typeof x === 'number') {
      n = x;
    } else {
      err(f, 'invalid_type', `${f} must be a number, got ${describe(x)}`);
      return n;
    }
    if (!(n >= -limit && n <= limit)) err(f, 'invalid_value', `${f} must be a decimal number between -${String(limit)} and ${String(limit)}, got ${describe(x)}`);
    return n + 0; // -0 → 0
  };

  const store: Store = {
    store_id: text('store_id'),
    name: text('name'),
    lat: coordinate('lat', 90),
    lon: coordinate('lon', 180),
    country: text('country'),
    region: text('region'),
    city: text('city'),
    timezone: text('timezone'),
    currency: text('currency'),
    acquirer: optionalText('acquirer'),
    merchant_account: optionalText('merchant_account'),
    bank_account: optionalText('bank_account'),
    fee_plan: optionalText('fee_plan'),
  };
  // An acquirer needs the rest of its set-up: a payout must name a merchant account, a fee plan and where it lands.
  if (store.acquirer !== null) {
    for (const f of ['merchant_account', 'fee_plan', 'bank_account'] as const) {
      if (store[f] === null) err(f, 'missing_field', `${f} is required when acquirer is set (acquirer ${quote(store.acquirer)})`);
    }
  } else if (v['acquirer'] === undefined || v['acquirer'] === null || v['acquirer'] === '') {
    for (const f of ['merchant_account', 'fee_plan'] as const) {
      const x = store[f];
      if (x !== null) err(f, 'invalid_value', `${f} ${quote(x)} needs an acquirer; set acquirer or leave ${f} empty`);
    }
  }
  if (store.store_id !== '' && store.store_id.trim() !== store.store_id) {
    err('store_id', 'invalid_value', `store_id must not start or end with whitespace, got ${quote(store.store_id)}`);
  }
  if (store.country !== '' && !isCountry(store.country)) {
    const hint = isCountry(store.country.toUpperCase()) ? ` (did you mean ${quote(store.country.toUpperCase())}?)` : '';
    err('country', 'invalid_value', `country must be an ISO 3166-1 alpha-2 code in upper case, got ${quote(store.country)}${hint}`);
  }
  if (store.timezone !== '' && !isTimeZone(store.timezone)) {
    err('timezone', 'invalid_value', `timezone must be an IANA time zone name such as Europe/Paris, got ${quote(store.timezone)}`);
  }
  if (store.currency !== '' && !isCurrency(store.currency)) {
    err('currency', 'invalid_value', `currency must be an active ISO 4217 code such as EUR, got ${quote(store.currency)}`);
  }
  return errors.length === before ? store : null;
}

/** `-?digits(.digits)?`: what a CSV coordinate may look like (no `+`, exponent, spaces or `12abc`). */
function isPlainDecimal(s: string): boolean {
  let i = s.startsWith('-') ? 1 : 0;
  const intStart = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === intStart) return false;
  if (i === s.length) return true;
  if (s[i] !== '.') return false;
  const fracStart = ++i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  return i > fracStart && i === s.length;
}

function isObject(x: unknown): x is RawRow {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function quote(s: string): string {
  return `'${s.length > 64 ? `${s.slice(0, 64)}…` : s}'`;
}

function describe(x: unknown): string {
  if (typeof x === 'string') return quote(x);
  if (typeof x === 'number' || typeof x === 'boolean' || x === null) return String(x);
  return Array.isArray(x) ? 'an array' : 'an object';
}

/**
 * Writes stores as RFC 4180 CSV (header row in STORE_FIELDS order, CRLF line
 * ends, cells quoted only when they contain `"`, `,`, CR or LF; a settlement
 * field that is not set is an empty cell). Coordinates
 * are written as plain decimals (never `1e-7`), so the output parses back
 * into the same stores.
 * @example serializeStoreRegistryCsv([store]) // 'store_id,name,lat,...\r\nS1,Main St,48.8566,...\r\n'
 */
export function serializeStoreRegistryCsv(stores: Store[]): string {
  const lines = [STORE_FIELDS.join(',')];
  for (const s of stores) {
    lines.push(STORE_FIELDS.map((f) => {
      const x = s[f];
      return typeof x === 'number' ? plainNumber(x) : csvCell(x ?? '');
    }).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Shortest round-tripping decimal of `n` without exponent notation. */
function plainNumber(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s.startsWith('-');
  const mantissa = s.slice(neg ? 1 : 0, e).replace('.', '');
  const exp = Number(s.slice(e + 1));
  // String(n) puts one digit before the point: d.ddd × 10^exp.
  const point = 1 + exp;
  const digits = point <= 0 ? `0.${'0'.repeat(-point)}${mantissa}` : point >= mantissa.length ? mantissa + '0'.repeat(point - mantissa.length) : `${mantissa.slice(0, point)}.${mantissa.slice(point)}`;
  return neg ? `-${digits}` : digits;
}
