/**
 * The dashboard's only way to the data: the public HTTP API, with the
 * signed-in read key as a bearer token. Errors carry the API's stable code.
 */
import type { Store } from '../../src/domain/store.js';

export type { Store };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | undefined>;

export interface SeriesPoint {
  bucket: string;
  [metric: string]: string | number | null;
}
export interface SeriesAnswer {
  currency: string;
  exponent: number;
  granularity: string;
  tz: string;
  groups: { key: Record<string, string>; points: SeriesPoint[] }[];
}
export interface TopAnswer {
  currency: string;
  exponent: number;
  rows: ({ key: Record<string, string> } & Record<string, number | null | Record<string, string>>)[];
}
export interface StatusAnswer {
  tenant: string;
  currency: string;
  exponent: number;
  records: number;
  visible_received_at: string | null;
  stores: number;
  business_day_cutoff: string;
}
export interface StoreAnswer {
  store: Store;
  currency?: string;
  exponent?: number;
  totals?: Record<string, number | null>;
}
export interface RawTransaction {
  txn_id: string;
  store_id: string;
  terminal_id: string;
  seq: number;
  ts: string;
  type: string;
  amount_minor: number;
  currency: string;
  tax_minor: number;
  tender: string;
  card_brand?: string | null;
  items?: number | null;
}
export interface Restatement {
  store_id: string;
  business_day: string;
  txn_id: string;
  type: string;
  ts: string;
  received_at: string;
  net_sales: number;
  tax: number;
  currency: string;
}
export interface DeadLetter {
  id: string;
  code: string;
  message: string;
  /** Epoch milliseconds. */
  received_at: number;
}

/** A read-key client of one server (the page's own origin). */
export class Api {
  constructor(private readonly key: string) {}

  async get<T>(path: string, params: Params = {}): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return this.send<T>(qs === '' ? path : `${path}?${qs}`, { method: 'GET' });
  }

  /** POST with the parameters as JSON (long store lists, polygons). */
  async post<T>(path: string, body: Params): Promise<T> {
    return this.send<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  series(p: Params): Promise<SeriesAnswer> {
    return this.get<SeriesAnswer>('/v1/series', p);
  }

  top(p: Params): Promise<TopAnswer> {
    return this.get<TopAnswer>('/v1/top', p);
  }

  private async send<T>(url: string, init: RequestInit): Promise<T> {
    const res = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${this.key}` } });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_response', `the server answered ${String(res.status)} with something that is not JSON`);
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } }).error;
      throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${String(res.status)}`);
    }
    return body as T;
  }
}
