import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Api, RawTransaction, StoreAnswer } from '../api.js';
import { countryName, formatInstant, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { formatMetric, METRIC_LABELS, type Metric } from '../metrics.js';
import { rangeParams, type Range } from '../query.js';
import { parseNaive, rfc3339In, zonedToUtc } from '../time.js';
import { Panel } from './Panel.js';
import { SeriesPanel } from './SeriesPanel.js';

const TOTALS: Metric[] = ['net_sales', 'gross_sales', 'refunds', 'sale_count', 'avg_basket', 'items'];
const PAGE = 25;

/** One store: its registry entry, totals over the range, its series and its raw transactions. */
export function StorePage(props: { api: Api; id: string; range: Range; currency: string; exponent: number; onBack: () => void }) {
  const info = useLoad(() => props.api.get<StoreAnswer>(`/v1/stores/${encodeURIComponent(props.id)}`, { ...rangeParams(props.range), metrics: TOTALS.join(',') }), [props.api, props.id, props.range.from, props.range.to, props.range.tz]);
  const s = info.data?.store;
  return (
    <main class="store-page" aria-labelledby="store-title">
      <p>
        <a href="#/" onClick={(e) => { e.preventDefault(); props.onBack(); }}>
          ← Back to the overview
        </a>
      </p>
      <h1 id="store-title" data-testid="store-title">{s === undefined ? props.id : `${s.name} (${s.store_id})`}</h1>
      {info.error !== undefined && (
        <p class="error" role="alert">
          {info.error.message}
        </p>
      )}
      {s !== undefined && (
        <Panel id="store-details" title="Details">
          <dl class="details">
            <dt>City</dt>
            <dd>{`${s.city}, ${s.region}, ${countryName(s.country)}`}</dd>
            <dt>Location</dt>
            <dd>{`${String(s.lat)}, ${String(s.lon)}`}</dd>
            <dt>Time zone</dt>
            <dd>{s.timezone}</dd>
            <dt>Currency</dt>
            <dd>{s.currency}</dd>
            <dt>Acquirer</dt>
            <dd>{s.acquirer === null ? 'no settlement set-up (card sales unsettled)' : `${s.acquirer} (merchant account ${s.merchant_account ?? ''})`}</dd>
            <dt>Bank account</dt>
            <dd>{s.bank_account ?? 'none'}</dd>
            <dt>Fee plan</dt>
            <dd>{s.fee_plan ?? 'none'}</dd>
          </dl>
          <h3 class="sub">Over the range</h3>
          <dl class="details totals" data-testid="store-totals">
            {TOTALS.map((m) => (
              <Fragment key={m}>
                <dt>{METRIC_LABELS[m]}</dt>
                <dd data-metric={m} data-value={String(info.data?.totals?.[m])}>
                  {formatMetric(m, info.data?.totals?.[m], info.data?.currency ?? props.currency, info.data?.exponent ?? props.exponent)}
                </dd>
              </Fragment>
            ))}
          </dl>
        </Panel>
      )}
      <SeriesPanel api={props.api} id="store-series" title="This store over time" range={props.range} scope={{ stores: props.id }} scopeKey={props.id} currency={props.currency} exponent={props.exponent} />
      {s !== undefined && <Transactions key={`${props.range.from}|${props.range.to}|${props.range.tz}`} api={props.api} id={props.id} range={props.range} zone={props.range.tz === 'store' ? s.timezone : props.range.tz} />}
    </main>
  );
}

function Transactions(props: { api: Api; id: string; range: Range; zone: string }) {
  // Cursors of the pages before the current one, so "Previous" works without the API going backwards.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const from = rfc3339In(zonedToUtc(parseNaive(props.range.from), props.zone), props.zone);
  const to = rfc3339In(zonedToUtc(parseNaive(props.range.to), props.zone), props.zone);
  const page = useLoad(
    () => props.api.get<{ items: RawTransaction[]; next_cursor: string | null }>(`/v1/stores/${encodeURIComponent(props.id)}/transactions`, { from, to, limit: PAGE, cursor: cursor ?? undefined }),
    [props.api, props.id, from, to, cursor],
  );
  const items = page.data?.items ?? [];
  return (
    <Panel
      id="transactions"
      title="Transactions"
      error={page.error}
      actions={
        <nav class="toolbar" aria-label="Transaction pages">
          <span class="muted">Page {cursors.length}</span>
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            Previous
          </button>
          <button type="button" disabled={page.data?.next_cursor === null || page.data === undefined} onClick={() => page.data?.next_cursor != null && setCursors((c) => [...c, page.data!.next_cursor!])}>
            Next
          </button>
        </nav>
      }
    >
      <p class="muted">
        Records as received, oldest first, from {formatInstant(from, props.zone)} to {formatInstant(to, props.zone)} ({props.zone}). Amounts are in the currency of the sale.
      </p>
      <div class="table-wrap">
        <table class="data" data-testid="transactions" data-from={from} data-to={to} aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Receipt</th>
              <th scope="col">Type</th>
              <th scope="col">Tender</th>
              <th scope="col" class="num">Amount</th>
              <th scope="col" class="num">Tax</th>
              <th scope="col" class="num">Items</th>
              <th scope="col">Till</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={`${t.terminal_id}/${String(t.seq)}`} data-txn={t.txn_id}>
                <td>{formatInstant(t.ts, props.zone)}</td>
                <td>
                  <code>{t.txn_id}</code>
                </td>
                <td>{t.type}</td>
                <td>{t.card_brand === undefined || t.card_brand === null ? t.tender : `${t.tender} (${t.card_brand})`}</td>
                <td class="num">{formatMoney(t.amount_minor, t.currency)}</td>
                <td class="num">{formatMoney(t.tax_minor, t.currency)}</td>
                <td class="num">{t.items ?? ''}</td>
                <td>{t.terminal_id}</td>
              </tr>
            ))}
            {page.data !== undefined && items.length === 0 && (
              <tr>
                <td colSpan={8}>No transactions in this range.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
