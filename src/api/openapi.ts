/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`,
 * and a self-contained docs page at `/docs` (no CDN: it works offline).
 * A test checks that every route the server registers is described here.
 */
import { GRANULARITIES } from '../domain/time-buckets.js';
import { METRICS } from '../domain/metrics.js';
import { FORECAST_PATHS } from './openapi-forecast.js';
import { TREASURY_PATHS } from './openapi-treasury.js';

type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const q = (name: string, description: string, schema: Schema = { type: 'string' }, required = false): Schema => ({ name, in: 'query', required, description, schema });
const path = (name: string, description: string): Schema => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const json = (schema: Schema): Schema => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: Schema = { type: 'object' }): Schema => ({ '200': { description, ...json(schema) }, default: { $ref: '#/components/responses/Error' } });

const scopeParams = [
  q('bbox', 'Bounding box `west,south,east,north` in degrees; west > east crosses the antimeridian.'),
  q('lat', 'Centre latitude of a radius scope.', { type: 'number' }),
  q('lon', 'Centre longitude of a radius scope.', { type: 'number' }),
  q('radius_km', 'Great-circle radius in km around lat/lon.', { type: 'number' }),
  q('countries', 'Comma-separated ISO 3166-1 alpha-2 codes.'),
  q('regions', 'Comma-separated region names.'),
  q('cities', 'Comma-separated city names.'),
  q('stores', 'Comma-separated store ids.'),
];
const rangeParams = [
  q('from', 'First bucket, local time in `tz`: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (no offset).', { type: 'string' }, true),
  q('to', 'Buckets stop before this local time.', { type: 'string' }, true),
  q('tz', '`store` (each store its own zone and the tenant business-day cut-off), `UTC`, or an IANA zone.', { type: 'string', default: 'store' }),
];
const metricList = { type: 'string', description: `Comma-separated metrics: ${METRICS.join(', ')}.`, default: 'net_sales' };
const seriesParams = [
  q('metrics', metricList.description, metricList),
  q('granularity', 'Bucket size.', { type: 'string', enum: [...GRANULARITIES], default: 'day' }),
  ...rangeParams,
  q('group_by', 'Comma-separated: store, city, region, country, tender, card_brand, currency, h3:<0-15>.'),
  q('currency', '`reporting` (converted) or `original` (needs group_by=currency).', { type: 'string', enum: ['reporting', 'original'], default: 'reporting' }),
  ...scopeParams,
];
const topParams = [
  q('metric', 'Metric to rank by.', { type: 'string', enum: [...METRICS], default: 'net_sales' }),
  q('metrics', 'Metrics returned per row (default: the ranking metric).'),
  q('by', 'What to rank: store, city, region, country or h3:<r>.', { type: 'string', default: 'store' }),
  q('limit', 'Rows, 1–10000.', { type: 'integer', default: 10 }),
  q('order', 'desc or asc.', { type: 'string', enum: ['desc', 'asc'], default: 'desc' }),
  ...rangeParams,
  ...scopeParams,
];
const bodyOf = (params: Schema[]): Schema => ({
  required: true,
  ...json({
    type: 'object',
    description: 'The query parameters as JSON members, plus `polygon`: a GeoJSON Polygon or MultiPolygon (holes allowed).',
    properties: Object.fromEntries([...params.map((p) => [p['name'], p['schema']]), ['polygon', { type: 'object', description: 'GeoJSON Polygon, MultiPolygon or a Feature holding one.' }]]),
  }),
});

const seriesResult = {
  type: 'object',
  properties: {
    currency: str('Reporting currency (ISO 4217).'),
    exponent: { type: 'integer', description: 'Minor-unit exponent: money values are integers in 10^-exponent units.' },
    granularity: str('Bucket size.'),
    tz: str('Zone of the bucket names.'),
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'object', additionalProperties: { type: 'string' }, description: 'The group value per group-by dimension.' },
          points: { type: 'array', items: { type: 'object', description: '`bucket` (local start, `YYYY-MM-DDTHH:MM`) and one member per metric; buckets without transactions are left out.' } },
        },
      },
    },
  },
};

const tag = (t: string, ops: Record<string, Schema>): Record<string, Schema> => Object.fromEntries(Object.entries(ops).map(([m, o]) => [m, { tags: [t], ...o }]));
const readSec = [{ readKey: [] }];
const adminSec = [{ adminKey: [] }];

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Treasury Pay API',
    version: '1',
    description:
      'Point-of-sale ingest, dashboards, treasury (settlements, bank statements, reconciliation, cash position) and sales forecasts. Every request carries `Authorization: Bearer <key>`: an ingest key to send transactions, a read key to query (the tenant always comes from the key), an admin key to manage tenants. Errors are JSON `{"error": {"code", "message"}}` with a stable code. Money is integers in minor units.',
  },
  components: {
    securitySchemes: {
      ingestKey: { type: 'http', scheme: 'bearer', description: 'A tenant ingest key (tpk_ingest_…).' },
      readKey: { type: 'http', scheme: 'bearer', description: 'A tenant read key (tpk_read_…).' },
      adminKey: { type: 'http', scheme: 'bearer', description: 'An admin key (tpk_admin_…).' },
    },
    responses: {
      Error: {
        description: 'An error with a stable code.',
        ...json({ type: 'object', properties: { error: { type: 'object', properties: { code: str('Stable machine-readable code, e.g. invalid_parameter.'), message: str('What was wrong, naming the parameter and value.') } } } }),
      },
    },
  },
  paths: {
    '/healthz': tag('operations', { get: { summary: 'Liveness.', responses: ok('The process is up.') } }),
    '/readyz': tag('operations', { get: { summary: 'Readiness: 503 while ingest is at its in-flight limit.', responses: ok('Ready.') } }),
    '/metrics': tag('operations', { get: { summary: 'Prometheus metrics (text exposition format).', responses: { '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } } } }),
    '/openapi.json': tag('operations', { get: { summary: 'This document.', responses: ok('OpenAPI 3.1.') } }),
    '/docs': tag('operations', { get: { summary: 'This document as a web page.', responses: { '200': { description: 'HTML.', content: { 'text/html': { schema: { type: 'string' } } } } } } }),
    '/v1/transactions': tag('ingest', {
      post: {
        summary: 'Ingest NDJSON transactions; answers after a durable commit.',
        security: [{ ingestKey: [] }],
        requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'application/vnd.tpay.compact-v1': { schema: { type: 'string', format: 'binary' } } } },
        responses: ok('Per-line outcome.', { type: 'object', properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' }, rejected: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } } } } } }),
      },
    }),
    '/v1/series': tag('dashboards', {
      get: { summary: 'Time series of metrics by granularity, zone, group and geo scope.', security: readSec, parameters: seriesParams, responses: ok('Groups of points.', seriesResult) },
      post: { summary: 'The same query with a JSON body (needed for polygon scopes).', security: readSec, requestBody: bodyOf(seriesParams), responses: ok('Groups of points.', seriesResult) },
    }),
    '/v1/top': tag('dashboards', {
      get: { summary: 'Top-N stores (or cities, regions, countries, H3 cells) by a metric.', security: readSec, parameters: topParams, responses: ok('Ranked rows.') },
      post: { summary: 'The same with a JSON body.', security: readSec, requestBody: bodyOf(topParams), responses: ok('Ranked rows.') },
    }),
    '/v1/stores': tag('dashboards', { get: { summary: 'Stores of the tenant, optionally within a geo scope.', security: readSec, parameters: scopeParams, responses: ok('Stores.') } }),
    '/v1/stores/search': tag('dashboards', { post: { summary: 'Stores within a geo scope given as JSON (polygon allowed).', security: readSec, requestBody: bodyOf(scopeParams), responses: ok('Stores.') } }),
    '/v1/stores/{id}': tag('dashboards', {
      get: {
        summary: "A store's registry entry and, with from/to, its totals.",
        security: readSec,
        parameters: [path('id', 'Store id.'), ...rangeParams.map((p) => ({ ...p, required: false })), q('metrics', 'Metrics of the totals.')],
        responses: ok('The store.'),
      },
    }),
    '/v1/stores/{id}/transactions': tag('dashboards', {
      get: {
        summary: "A store's raw transactions, ordered by time, paged.",
        security: readSec,
        parameters: [
          path('id', 'Store id.'),
          q('from', 'RFC 3339 time with an offset, or a date (UTC midnight).', { type: 'string' }, true),
          q('to', 'Transactions before this time.', { type: 'string' }, true),
          q('limit', '1–10000.', { type: 'integer', default: 100 }),
          q('cursor', 'next_cursor of the previous page.'),
        ],
        responses: ok('A page of transactions and the next cursor (null on the last page).'),
      },
    }),
    '/v1/transactions/{txnId}': tag('dashboards', { get: { summary: 'A transaction by its txn_id (every record with that id).', security: readSec, parameters: [path('txnId', 'Transaction id.')], responses: ok('The records.') } }),
    '/v1/restatements': tag('data quality', {
      get: {
        summary: 'Records that changed a business day after it closed, newest first.',
        security: readSec,
        parameters: [q('limit', '1–10000.', { type: 'integer', default: 100 }), q('from_day', 'Only business days on or after YYYY-MM-DD.'), q('store', 'Only this store.')],
        responses: ok('Restatements.'),
      },
    }),
    '/v1/dead-letters': tag('data quality', {
      get: {
        summary: 'Rejected lines kept for replay.',
        security: readSec,
        parameters: [q('code', 'Only this reject code.'), q('status', 'open, replayed or all.'), q('limit', '1–10000.', { type: 'integer', default: 100 })],
        responses: ok('Dead letters.'),
      },
    }),
    '/v1/status': tag('dashboards', { get: { summary: "The tenant's records in the rollups and how fresh they are (null on the shared ClickHouse store), its reporting currency, business-day cut-off and which serving store answers.", security: readSec, responses: ok('Status.') } }),
    '/v1/admin/dead-letters/replay': tag('admin', { post: { summary: "Replay a tenant's open dead letters (after fixing the cause).", security: adminSec, requestBody: json({ type: 'object', properties: { tenant: { type: 'string' }, code: { type: 'string' } } }), responses: ok('Replay summary.') } }),
    '/v1/admin/tenants': tag('admin', {
      get: { summary: 'List tenants.', security: adminSec, responses: ok('Tenants.') },
      post: {
        summary: 'Create a tenant.',
        security: adminSec,
        requestBody: json({ type: 'object', required: ['id', 'reporting_currency'], properties: { id: str('[a-z0-9_-], 1–63 chars.'), name: str('Display name.'), reporting_currency: str('ISO 4217.'), business_day_cutoff: str('HH:MM on a quarter hour, default 00:00.'), go_live: str('YYYY-MM-DD, default today: records of earlier business days are history, never restatements.') } }),
        responses: { '201': { description: 'Created.' }, default: { $ref: '#/components/responses/Error' } },
      },
    }),
    '/v1/admin/tenants/{id}': tag('admin', {
      patch: { summary: "Move a tenant's go-live date.", security: adminSec, parameters: [path('id', 'Tenant id.')], requestBody: json({ type: 'object', required: ['go_live'], properties: { go_live: str('YYYY-MM-DD.') } }), responses: ok('The tenant.') },
    }),
    '/v1/admin/tenants/{id}/history': tag('admin', {
      post: {
        summary: "Import a file of the tenant's past transactions (NDJSON, CSV or Parquet) through ingest: same validation, dedup and dead letters as live records. Answers when every accepted record is durable.",
        security: adminSec,
        parameters: [path('id', 'Tenant id.'), q('format', 'ndjson, csv or parquet (default: from the content type, else the content).'), q('name', 'File name for messages.'), q('first_line', 'Line of a larger file the body starts at (default 1).')],
        requestBody: { required: true, content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } }, 'application/vnd.apache.parquet': { schema: { type: 'string', format: 'binary' } }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: ok('Summary: lines, accepted, duplicates, rejected, rejectedByCode, examples (file, line, code, message), files.'),
      },
    }),
    '/v1/admin/keys': tag('admin', { get: { summary: 'List keys (never their secrets).', security: adminSec, parameters: [q('tenant', 'Only keys of this tenant.')], responses: ok('Keys.') } }),
    '/v1/admin/tenants/{id}/keys': tag('admin', {
      post: { summary: 'Create an ingest or read key; its secret is shown once.', security: adminSec, parameters: [path('id', 'Tenant id.')], requestBody: json({ type: 'object', properties: { kind: { type: 'string', enum: ['ingest', 'read'] } } }), responses: { '201': { description: 'The key and its secret.' }, default: { $ref: '#/components/responses/Error' } } },
    }),
    '/v1/admin/keys/{keyId}/rotate': tag('admin', { post: { summary: 'Replace a key: new secret, old key revoked.', security: adminSec, parameters: [path('keyId', 'Key id.')], responses: { '201': { description: 'The new key and its secret.' }, default: { $ref: '#/components/responses/Error' } } } }),
    '/v1/admin/keys/{keyId}': tag('admin', { delete: { summary: 'Revoke a key.', security: adminSec, parameters: [path('keyId', 'Key id.')], responses: ok('The revoked key.') } }),
    '/v1/admin/tenants/{id}/stores': tag('admin', {
      put: { summary: "Replace the tenant's store registry (JSON or CSV).", security: adminSec, parameters: [path('id', 'Tenant id.')], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, responses: ok('Stores loaded.') },
    }),
    '/v1/admin/tenants/{id}/fx': tag('admin', {
      put: { summary: "Replace the tenant's FX rates (JSON or CSV `date,currency,rate`).", security: adminSec, parameters: [path('id', 'Tenant id.')], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, responses: ok('Rates loaded.') },
    }),
    ...TREASURY_PATHS,
    ...FORECAST_PATHS,
  },
} as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The docs page: every operation with its parameters, rendered on the server. */
export function docsPage(): string {
  const rows: string[] = [];
  for (const [p, ops] of Object.entries(OPENAPI.paths)) {
    for (const [method, op] of Object.entries(ops as Record<string, { summary: string; parameters?: { name: string; description: string; required?: boolean }[] }>)) {
      const params = (op.parameters ?? []).map((x) => `<li><code>${esc(x.name)}</code>${x.required === true ? ' (required)' : ''}: ${esc(x.description)}</li>`).join('');
      rows.push(`<section><h2><span class="m">${method.toUpperCase()}</span> <code>${esc(p)}</code></h2><p>${esc(op.summary)}</p>${params === '' ? '' : `<ul>${params}</ul>`}</section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Treasury Pay API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}h1{font-size:1.6rem}h2{font-size:1.05rem;margin:1.4rem 0 .2rem}.m{display:inline-block;min-width:4.2rem;color:#fff;background:#2457a6;border-radius:3px;padding:0 .4rem;font-size:.85rem;text-align:center}code{background:#f1f3f5;padding:0 .2rem;border-radius:3px}section{border-top:1px solid #ddd}</style></head>
<body><h1>Treasury Pay API</h1><p>${esc(OPENAPI.info.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>${rows.join('\n')}</body></html>`;
}
