/** The forecast part of the OpenAPI description (openapi.ts merges it into `paths`). */
import { FORECAST_FLAGS, MAX_DAILY_HORIZON, MAX_WEEKLY_HORIZON } from '../forecast/series.js';
import { DEFAULT_DAILY_HORIZON, DEFAULT_WEEKLY_HORIZON } from './forecast-routes.js';

type Schema = Record<string, unknown>;

const q = (name: string, description: string, schema: Schema = { type: 'string' }): Schema => ({ name, in: 'query', required: false, description, schema });
const err = { $ref: '#/components/responses/Error' };
const readSec = [{ readKey: [] }];
const tags = ['forecasts'];
const int = (description: string): Schema => ({ type: 'integer', description });

const scope = [
  q('stores', 'Comma-separated store ids (alias `store`).'),
  q('cities', 'Comma-separated city names (alias `city`).'),
  q('regions', 'Comma-separated region names (alias `region`).'),
  q('countries', 'Comma-separated ISO 3166-1 alpha-2 codes (alias `country`).'),
  q('bbox', 'Bounding box `west,south,east,north` in degrees; west > east crosses the antimeridian.'),
  q('lat', 'Centre latitude of a radius scope.', { type: 'number' }),
  q('lon', 'Centre longitude of a radius scope.', { type: 'number' }),
  q('radius_km', 'Great-circle radius in km around lat/lon.', { type: 'number' }),
];
const params = [
  q('granularity', '`day` (store-local business days) or `week` (ISO weeks, Monday to Sunday).', { type: 'string', enum: ['day', 'week'], default: 'day' }),
  q('horizon', `Points ahead: days 1–${String(MAX_DAILY_HORIZON)} (default ${String(DEFAULT_DAILY_HORIZON)}), weeks 1–${String(MAX_WEEKLY_HORIZON)} (default ${String(DEFAULT_WEEKLY_HORIZON)}).`, { type: 'integer' }),
  q('as_of', 'The last business day the forecast has seen, YYYY-MM-DD; points start the day after. Default: the latest stored batch. A past day with no stored batch is computed from the days up to it (tenants of at most 1000 stores).'),
  q('group_by', 'One group per store, city (key `country/city`), region or country of the scope; `none`: one group.', { type: 'string', enum: ['none', 'store', 'city', 'region', 'country'], default: 'none' }),
  q('level', 'Without scope and group_by: which stored nodes to answer, one group each (`tenant`: one group, key null).', { type: 'string', enum: ['store', 'city', 'region', 'country', 'tenant'], default: 'tenant' }),
  ...scope,
];
const point = {
  type: 'object',
  properties: {
    date: { type: 'string', description: 'Business day, or the Monday of the ISO week.' },
    week: { type: 'string', description: 'ISO week `YYYY-Www` (weeks only).' },
    mean: int('Point forecast of net_sales, minor units of the reporting currency: the sum of the stores’ means.'),
    lo80: int('Lower bound of the 80 % interval.'),
    hi80: int('Upper bound of the 80 % interval.'),
    lo95: int('Lower bound of the 95 % interval.'),
    hi95: int('Upper bound of the 95 % interval.'),
  },
};
const answer = {
  type: 'object',
  properties: {
    currency: { type: 'string', description: 'Reporting currency (ISO 4217).' },
    exponent: int('Minor-unit exponent of the currency (as on /v1/series).'),
    as_of: { type: 'string' },
    granularity: { type: 'string' },
    horizon: { type: 'integer' },
    level: { type: 'string', description: 'store, city, region, country or tenant when every group is such a node; `scope` for a set of stores that is none (intervals combined from the stores’ errors).' },
    model: { type: 'string' },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: ['string', 'null'], description: 'The group’s store id, `country/city`, region or country; null without group_by.' },
          stores: int('Stores in the group.'),
          flags: { type: 'array', items: { type: 'string', enum: [...FORECAST_FLAGS] }, description: 'Why the forecast is less certain, from the group and its stores.' },
          points: { type: 'array', items: point },
        },
      },
    },
  },
};
const ok = (description: string, schema: Schema): Schema => ({ '200': { description, content: { 'application/json': { schema } } }, '404': { description: 'No forecast stored yet (`forecast_not_found`).' }, default: err });

const BACKTEST_ROW: Record<string, Schema> = {
  level: { type: 'string' },
  grain: { type: 'string', enum: ['day', 'week'] },
  series: int('Series of the level.'),
  forecasts: int('Forecast points scored.'),
  ...Object.fromEntries(['mase', 'baseline_mase', 'smape', 'baseline_smape', 'coverage_80', 'coverage_95'].map((k) => [k, { type: ['number', 'null'] }])),
};

export const FORECAST_PATHS: Record<string, Record<string, Schema>> = {
  '/v1/forecasts': {
    get: { tags, summary: 'net_sales forecasts with 80 % and 95 % intervals, by day or ISO week, for any scope of stores, grouped or not; coherent: a scope’s mean is the sum of its stores’ means.', security: readSec, parameters: params, responses: ok('Groups of forecast points.', answer) },
    post: {
      tags,
      summary: 'The same with a JSON body (needed for polygon scopes).',
      security: readSec,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', description: 'The parameters as JSON members, plus `polygon`: a GeoJSON Polygon or MultiPolygon.' } } } },
      responses: ok('Groups of forecast points.', answer),
    },
  },
  '/v1/forecasts/backtest': {
    get: {
      tags,
      summary: 'Rolling-origin backtest of the stored batch per level and grain: MASE and sMAPE of the model and of seasonal naive, and the 80 %/95 % interval coverage.',
      security: readSec,
      parameters: [q('as_of', 'The batch’s as-of day, YYYY-MM-DD (default: the latest).'), q('recompute', '`true`: compute the backtest now (tenants of at most 1000 stores).', { type: 'string', enum: ['true', 'false'], default: 'false' })],
      responses: ok('Rows.', { type: 'object', properties: { as_of: { type: 'string' }, model: { type: 'string' }, origins: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'object', properties: BACKTEST_ROW } } } }),
    },
  },
};
