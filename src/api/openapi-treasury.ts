/** The treasury part of the OpenAPI description (openapi.ts merges it into `paths`). */
type Schema = Record<string, unknown>;

const q = (name: string, description: string, schema: Schema = { type: 'string' }, required = false): Schema => ({ name, in: 'query', required, description, schema });
const ok = (description: string): Schema => ({ '200': { description, content: { 'application/json': { schema: { type: 'object' } } } }, default: { $ref: '#/components/responses/Error' } });
const readSec = [{ readKey: [] }];
const tags = ['treasury'];

const scope = [
  q('countries', 'Comma-separated ISO 3166-1 alpha-2 codes.'),
  q('regions', 'Comma-separated region names.'),
  q('cities', 'Comma-separated city names.'),
  q('stores', 'Comma-separated store ids.'),
  q('bbox', 'Bounding box `west,south,east,north`.'),
  q('lat', 'Centre latitude of a radius scope.', { type: 'number' }),
  q('lon', 'Centre longitude of a radius scope.', { type: 'number' }),
  q('radius_km', 'Radius in km around lat/lon.', { type: 'number' }),
];
const status = q('status', 'Comma-separated statuses: matched, amount_mismatch, timing, missing, pending, unexpected, duplicate; or `breaks` for every status that needs a look.');
const page = [q('limit', '1–10000.', { type: 'integer', default: 500 }), q('offset', 'Rows to skip.', { type: 'integer', default: 0 })];
const dates = (what: string): Schema[] => [q('from', `First ${what}, YYYY-MM-DD (inclusive).`), q('to', `${what} before this date, YYYY-MM-DD.`)];
const account = q('account', 'Only this bank account (IBAN or account number; spaces and case ignored).');

export const TREASURY_PATHS: Record<string, Record<string, Schema>> = {
  '/v1/statements': {
    post: {
      tags,
      summary: 'Import a bank statement file: ISO 20022 camt.053 (.001.02–.001.08), SWIFT MT940 or CSV. All or nothing; a statement kept before is answered as duplicate (200), a file with anything new as imported (201).',
      security: [{ ingestKey: [] }],
      parameters: [q('format', 'camt053, mt940 or csv (default: recognised from the content).'), q('name', 'File name for messages.')],
      requestBody: { required: true, content: { 'application/xml': { schema: { type: 'string' } }, 'text/xml': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } }, 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      responses: { '201': { description: 'Imported: each statement with its status and balance flags.' }, '200': { description: 'Every statement was a duplicate.' }, default: { $ref: '#/components/responses/Error' } },
    },
  },
  '/v1/treasury/statements': { get: { tags, summary: 'Imported statements with their balances and balance-chain flags.', security: readSec, parameters: [account], responses: ok('Statements.') } },
  '/v1/treasury/payouts': { get: { tags, summary: 'Expected payouts (one per acquirer, merchant account, bank account, payout date and currency) with their reconciliation status.', security: readSec, parameters: [status, account, q('acquirer', 'Only this acquirer.'), ...dates('payout date'), ...scope, ...page], responses: ok('Payouts.') } },
  '/v1/treasury/payouts/{id}': { get: { tags, summary: 'One payout: its store/day lines, the statement entries that paid it and its history of changes after matching.', security: readSec, parameters: [{ name: 'id', in: 'path', required: true, description: 'Payout id.', schema: { type: 'string' } }], responses: ok('The payout.') } },
  '/v1/treasury/deposits': { get: { tags, summary: 'Expected cash deposits (per store, business day and currency) with their status.', security: readSec, parameters: [status, account, ...dates('business day'), ...scope, ...page], responses: ok('Deposits.') } },
  '/v1/treasury/reconciliation': { get: { tags, summary: 'Every expected item and booked entry with its status, and a summary by status.', security: readSec, parameters: [status, account, q('acquirer', 'Only payouts of this acquirer.'), q('kind', 'payout, deposit or entry.'), ...dates('expected or booking date'), ...scope, ...page], responses: ok('Reconciliation.') } },
  '/v1/treasury/fees': { get: { tags, summary: 'Acquirer fees of card and wallet sales, in the sale currency, with the effective rate in bps.', security: readSec, parameters: [q('by', 'card_brand, acquirer, store, tender or none.', { type: 'string', default: 'card_brand' }), q('period', 'day, week, month or all.', { type: 'string', default: 'all' }), ...dates('business day'), ...scope], responses: ok('Fee rows.') } },
  '/v1/treasury/cash-position': { get: { tags, summary: 'Per bank account and day: latest statement balance plus owed money by due date; overdue and missing apart; forecast inflows (from the latest stored sales forecast: net_sales x tender mix x (1 - fee rate) on the settlement date) in their own columns `forecast`, `forecastLo80`, `forecastHi80`, `balanceWithForecast`; `forecast` at the top says where they come from, or `none`.', security: readSec, parameters: [account, q('to', 'Last day, YYYY-MM-DD.')], responses: ok('Accounts.') } },
  '/v1/treasury/unsettled': { get: { tags, summary: 'Sales that lead to no expected money, by store, business day and reason.', security: readSec, parameters: [q('reason', 'Only this reason.'), ...dates('business day'), ...page], responses: ok('Unsettled amounts.') } },
  '/v1/admin/tenants/{id}/treasury/setup': {
    get: { tags: ['admin'], summary: "The tenant's settlement set-up: acquirers, fee plans, calendar overrides.", security: [{ adminKey: [] }], parameters: [{ name: 'id', in: 'path', required: true, description: 'Tenant id.', schema: { type: 'string' } }], responses: ok('The set-up.') },
    put: { tags: ['admin'], summary: "Replace the tenant's settlement set-up (validated whole; every problem named by field and value).", security: [{ adminKey: [] }], parameters: [{ name: 'id', in: 'path', required: true, description: 'Tenant id.', schema: { type: 'string' } }], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: ok('Counts loaded.') },
  },
};
