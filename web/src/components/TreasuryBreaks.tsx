import { useState } from 'preact/hooks';
import { BREAK_STATUSES } from '../../../src/domain/reconciliation.js';
import type { Api } from '../api.js';
import { formatCount, formatDay, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import type { Range } from '../query.js';
import { payoutHref, storeHref } from '../route.js';
import type { MatchStatus, ReconAnswer, ReconEntry, ReconItem } from '../treasury-api.js';
import { Panel } from './Panel.js';

const PAGE = 50;

export const STATUS_LABELS: Record<MatchStatus, string> = {
  matched: 'Matched',
  amount_mismatch: 'Amount differs',
  timing: 'Other date',
  missing: 'Missing',
  pending: 'Pending',
  unexpected: 'Unexpected',
  duplicate: 'Duplicate',
};

const KINDS = [
  ['', 'Everything'],
  ['payout', 'Payouts'],
  ['deposit', 'Cash deposits'],
  ['entry', 'Statement entries'],
] as const;

interface Filters {
  status: string;
  kind: string;
  account: string;
  acquirer: string;
}
const NONE: Filters = { status: 'breaks', kind: '', account: '', acquirer: '' };

/**
 * Everything that needs a look (status other than matched and pending),
 * filtered by the API, with a way down to the payout's store/day lines or
 * to the store and business day of a cash deposit.
 */
export function BreaksPanel(props: { api: Api; range: Range; recon: ReconAnswer | undefined }) {
  const [f, setF] = useState<Filters>(NONE);
  const [offset, setOffset] = useState(0);
  const set = (k: keyof Filters, v: string): void => {
    setF((x) => ({ ...x, [k]: v }));
    setOffset(0);
  };
  const q = { status: f.status, kind: f.kind, account: f.account, acquirer: f.acquirer, from: props.range.from, to: props.range.to, limit: PAGE, offset };
  const page = useLoad(() => props.api.get<ReconAnswer>('/v1/treasury/reconciliation', q), [props.api, JSON.stringify(q)]);
  const accounts = [...new Set([...(props.recon?.items ?? []), ...(props.recon?.entries ?? [])].map((x) => x.account))].sort();
  const acquirers = [...new Set((props.recon?.items ?? []).map((x) => x.acquirer).filter((a): a is string => a !== null))].sort();
  const a = page.data;
  const total = a === undefined ? 0 : a.total_items + a.total_entries;
  const more = a !== undefined && offset + PAGE < Math.max(a.total_items, a.total_entries);
  return (
    <Panel
      id="breaks"
      title="Open breaks"
      error={page.error}
      actions={
        <form class="toolbar" aria-label="Break filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Status{' '}
            <select data-testid="breaks-status" value={f.status} onChange={(e) => set('status', e.currentTarget.value)}>
              <option value="breaks">Every break</option>
              {[...BREAK_STATUSES].map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Kind{' '}
            <select data-testid="breaks-kind" value={f.kind} onChange={(e) => set('kind', e.currentTarget.value)}>
              {KINDS.map(([k, l]) => (
                <option key={k} value={k}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            Account{' '}
            <select data-testid="breaks-account" value={f.account} onChange={(e) => set('account', e.currentTarget.value)}>
              <option value="">Every account</option>
              {accounts.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
          <label>
            Acquirer{' '}
            <select data-testid="breaks-acquirer" value={f.acquirer} onChange={(e) => set('acquirer', e.currentTarget.value)}>
              <option value="">Every acquirer</option>
              {acquirers.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
        </form>
      }
    >
      <p class="muted">
        Expected money not paid as expected (amount differs, other date, missing) and bank entries nothing explains (unexpected, duplicate), due or booked in the range. An acquirer filter leaves out statement entries and cash deposits (they have no acquirer).
      </p>
      <div class="table-wrap tall">
        <table class="data" data-testid="breaks" aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">What</th>
              <th scope="col">Date</th>
              <th scope="col">Bank account</th>
              <th scope="col">From</th>
              <th scope="col">Reference</th>
              <th scope="col" class="num">Amount</th>
              <th scope="col">What is wrong</th>
              <th scope="col">Open</th>
            </tr>
          </thead>
          <tbody>
            {a?.items.map((x) => <ItemRow key={x.id} x={x} />)}
            {a?.entries.map((x) => <EntryRow key={x.id} x={x} />)}
            {a !== undefined && total === 0 && (
              <tr>
                <td colSpan={9} data-testid="breaks-empty">
                  No open breaks with these filters in this range.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {a !== undefined && total > 0 && (
        <nav class="toolbar" aria-label="Break pages">
          <span class="muted" data-testid="breaks-count">
            {formatCount(a.total_items)} expected items and {formatCount(a.total_entries)} entries; rows {formatCount(offset + 1)}–{formatCount(offset + PAGE)} of each
          </span>
          <button type="button" disabled={offset === 0} onClick={() => setOffset((o) => Math.max(0, o - PAGE))}>
            Previous
          </button>
          <button type="button" disabled={!more} onClick={() => setOffset((o) => o + PAGE)}>
            Next
          </button>
        </nav>
      )}
    </Panel>
  );
}

function wrong(x: ReconItem): string {
  switch (x.status) {
    case 'amount_mismatch':
      return x.booked_currency !== null && x.booked_currency !== x.currency ? `booked in ${x.booked_currency}` : `booked ${formatMoney(x.amount + x.difference, x.currency)}, difference ${formatMoney(x.difference, x.currency)}`;
    case 'timing':
      return `booked ${String(Math.abs(x.days_off))} day${Math.abs(x.days_off) === 1 ? '' : 's'} ${x.days_off > 0 ? 'late' : 'early'}`;
    case 'missing':
      return 'not arrived';
    default:
      return '';
  }
}

function ItemRow(props: { x: ReconItem }) {
  const x = props.x;
  const payout = x.kind === 'payout';
  return (
    <tr data-id={x.id} data-kind={x.kind} data-status={x.status} data-amount={x.amount} data-difference={x.difference}>
      <td>
        <span class={`status ${x.status}`}>{STATUS_LABELS[x.status]}</span>
      </td>
      <td>{payout ? 'Payout' : 'Cash deposit'}</td>
      <td>{formatDay(x.expectedDate)}</td>
      <td>{x.account}</td>
      <td>{payout ? `${x.acquirer ?? ''}, sales of ${dayspan(x.first_business_day, x.last_business_day)}` : `store ${x.store_id ?? ''}, sales of ${dayspan(x.business_day, x.business_day)}`}</td>
      <td>
        <code>{x.reference ?? ''}</code>
      </td>
      <td class="num">{formatMoney(x.amount, x.currency)}</td>
      <td data-testid="break-wrong">{wrong(x)}</td>
      <td>
        {payout ? (
          <a href={payoutHref(x.id)}>Payout lines</a>
        ) : x.store_id !== null && x.business_day !== null ? (
          <a href={storeHref(x.store_id, x.business_day)}>
            Store {x.store_id}, {formatDay(x.business_day)}
          </a>
        ) : null}
      </td>
    </tr>
  );
}

function EntryRow(props: { x: ReconEntry }) {
  const x = props.x;
  return (
    <tr data-id={x.id} data-kind="entry" data-status={x.status} data-amount={x.amount}>
      <td>
        <span class={`status ${x.status}`}>{STATUS_LABELS[x.status]}</span>
      </td>
      <td>Statement entry</td>
      <td>{formatDay(x.date)}</td>
      <td>{x.account}</td>
      <td class="clip">{x.remittance ?? ''}</td>
      <td>
        <code>{x.reference ?? x.bank_reference ?? ''}</code>
      </td>
      <td class="num">{formatMoney(x.amount, x.currency, x.exponent)}</td>
      <td>{entryWrong(x)}</td>
      <td />
    </tr>
  );
}

function entryWrong(x: ReconEntry): string {
  switch (x.status) {
    case 'duplicate':
      return `repeats entry ${x.duplicate_of ?? ''}`;
    case 'unexpected':
      return 'no expected money explains it';
    case 'amount_mismatch':
      return `paid ${formatCount(x.item_ids.length)} expected item${x.item_ids.length === 1 ? '' : 's'} with another amount`;
    case 'timing':
      return `paid ${formatCount(x.item_ids.length)} expected item${x.item_ids.length === 1 ? '' : 's'} on another date`;
    default:
      return '';
  }
}

function dayspan(a: string | null, b: string | null): string {
  if (a === null) return '';
  return b === null || a === b ? formatDay(a) : `${formatDay(a)} – ${formatDay(b)}`;
}
