import type { Api } from '../api.js';
import { formatCount, formatDay, formatInstant, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { storeHref } from '../route.js';
import type { PayoutAnswer } from '../treasury-api.js';
import { Panel } from './Panel.js';
import { STATUS_LABELS } from './TreasuryBreaks.js';

/**
 * One expected payout: what the acquirer should pay, whether and how it was
 * paid, and its store/day lines (each store's business day, tender, brand
 * and sale currency, with the fees), each opening the store on that day.
 */
export function PayoutPage(props: { api: Api; id: string }) {
  const one = useLoad(() => props.api.get<PayoutAnswer>(`/v1/treasury/payouts/${encodeURIComponent(props.id)}`), [props.api, props.id]);
  const p = one.data?.payout;
  const money = (v: number): string => formatMoney(v, p?.currency ?? 'EUR', p?.exponent);
  return (
    <main class="store-page" aria-labelledby="payout-title">
      <p>
        <a href="#/treasury">← Back to treasury</a>
      </p>
      <h1 id="payout-title" data-testid="payout-title">
        {p === undefined ? `Payout ${props.id}` : `Payout of ${p.acquirer} on ${formatDay(p.payout_date)} to ${p.bank_account}`}
      </h1>
      {one.error !== undefined && (
        <p class="error" role="alert">
          {one.error.message}
        </p>
      )}
      {p !== undefined && (
        <Panel id="payout-details" title="Payout">
          <dl class="details" data-testid="payout-details">
            <dt>Status</dt>
            <dd data-field="status" data-value={p.status}>
              <span class={`status ${p.status}`}>{STATUS_LABELS[p.status]}</span>
              {p.match !== null && p.status === 'amount_mismatch' && ` (booked ${money(p.amount + p.match.difference)}, difference ${money(p.match.difference)})`}
              {p.match !== null && p.status === 'timing' && ` (booked ${String(Math.abs(p.match.days_off))} days ${p.match.days_off > 0 ? 'late' : 'early'})`}
            </dd>
            <dt>Acquirer and merchant account</dt>
            <dd>
              {p.acquirer}, {p.merchant_account}
            </dd>
            <dt>Bank account</dt>
            <dd>{p.bank_account}</dd>
            <dt>Payout date</dt>
            <dd>{formatDay(p.payout_date)}</dd>
            <dt>Reference on the statement</dt>
            <dd>
              <code>{p.reference}</code>
            </dd>
            <dt>Sales of</dt>
            <dd>{p.first_business_day === p.last_business_day ? formatDay(p.first_business_day) : `${formatDay(p.first_business_day)} – ${formatDay(p.last_business_day)}`}</dd>
            <dt>Charged ({formatCount(p.sale_count)} sales)</dt>
            <dd data-field="charged" data-value={p.charged}>{money(p.charged)}</dd>
            <dt>Refunds ({formatCount(p.refund_count)})</dt>
            <dd data-field="refunds" data-value={p.refunds}>{money(-p.refunds)}</dd>
            <dt>Fees</dt>
            <dd data-field="fees" data-value={p.fees}>{money(-p.fees)}</dd>
            <dt>Amount paid out</dt>
            <dd data-field="amount" data-value={p.amount}>
              <strong>{money(p.amount)}</strong>
            </dd>
          </dl>
        </Panel>
      )}
      {one.data !== undefined && p !== undefined && (
        <Panel id="payout-lines" title="Store and business-day lines">
          <div class="table-wrap tall">
            <table class="data" data-testid="payout-lines">
              <thead>
                <tr>
                  <th scope="col">Store</th>
                  <th scope="col">Business day</th>
                  <th scope="col">Tender</th>
                  <th scope="col" class="num">Sales</th>
                  <th scope="col" class="num">Charged</th>
                  <th scope="col" class="num">Refunds</th>
                  <th scope="col" class="num">Fees</th>
                  <th scope="col" class="num">Paid out ({p.currency})</th>
                </tr>
              </thead>
              <tbody>
                {one.data.lines.map((l) => (
                  <tr key={`${l.store_id}/${l.business_day}/${l.tender}/${l.card_brand ?? ''}/${l.sale_currency}`} data-store={l.store_id} data-day={l.business_day} data-brand={l.card_brand ?? ''} data-charged={l.charged} data-fees={l.fees} data-amount={l.amount}>
                    <th scope="row">
                      <a href={storeHref(l.store_id)}>{l.store_id}</a>
                    </th>
                    <td>
                      <a href={storeHref(l.store_id, l.business_day)}>{formatDay(l.business_day)}</a>
                    </td>
                    <td>{l.card_brand === null ? l.tender : `${l.tender} (${l.card_brand})`}</td>
                    <td class="num">{formatCount(l.sale_count)}</td>
                    <td class="num">{formatMoney(l.charged, l.sale_currency)}</td>
                    <td class="num">{formatMoney(l.refunds, l.sale_currency)}</td>
                    <td class="num">{formatMoney(l.fees, l.sale_currency)}</td>
                    <td class="num">{money(l.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">Charged, refunds and fees are in the currency of the sales; the last column in the payout's currency. A business day opens the store on that day.</p>
        </Panel>
      )}
      {one.data !== undefined && (
        <Panel id="payout-entries" title="Statement entries that paid it">
          {one.data.entries.length === 0 ? (
            <p data-testid="payout-no-entries">No statement entry has paid this payout.</p>
          ) : (
            <table class="data" data-testid="payout-entries">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Account</th>
                  <th scope="col">Reference</th>
                  <th scope="col">Text</th>
                  <th scope="col" class="num">Amount</th>
                </tr>
              </thead>
              <tbody>
                {one.data.entries.map((e) => (
                  <tr key={e.id} data-amount={e.amountMinor}>
                    <td>{formatDay(e.date)}</td>
                    <td>{e.account}</td>
                    <td>
                      <code>{e.reference ?? e.bankReference ?? ''}</code>
                    </td>
                    <td class="clip">{e.remittance ?? ''}</td>
                    <td class="num">{formatMoney(e.amountMinor, e.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {one.data.history.length > 0 && (
            <>
              <h3 class="sub">Changes after it was matched</h3>
              <ul data-testid="payout-history">
                {one.data.history.map((h) => (
                  <li key={h.at}>
                    {formatInstant(h.at)}: {money(h.fromAmount)} → {money(h.toAmount)} (late sales of its days)
                  </li>
                ))}
              </ul>
            </>
          )}
        </Panel>
      )}
    </main>
  );
}
