import type { Api } from '../api.js';
import { formatCount, formatMoney } from '../format.js';
import { useLoad, type Loaded } from '../hooks.js';
import type { Range } from '../query.js';
import type { FeeRow, FeesAnswer } from '../treasury-api.js';
import { Panel } from './Panel.js';

const BRANDS: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', jcb: 'JCB', unionpay: 'UnionPay', other: 'Other brand', none: 'No brand (wallet)' };

const bps = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** What the acquirers keep of card and wallet sales of the range's business days, by card brand and by acquirer. */
export function FeesPanel(props: { api: Api; range: Range }) {
  const q = { from: props.range.from, to: props.range.to, period: 'all' };
  const deps = [props.api, props.range.from, props.range.to];
  const brand = useLoad(() => props.api.get<FeesAnswer>('/v1/treasury/fees', { ...q, by: 'card_brand' }), deps);
  const acquirer = useLoad(() => props.api.get<FeesAnswer>('/v1/treasury/fees', { ...q, by: 'acquirer' }), deps);
  return (
    <Panel id="fees" title="Fees" error={brand.error ?? acquirer.error}>
      <p class="muted">
        Acquirer fees of the card and wallet sales of the range's business days, by the fee plans of the settlement set-up, in the currency of the sale. The effective rate is fees over the amount charged, in basis points (1 bp = 0.01 %).
      </p>
      <div class="two">
        <FeeTable id="fees-brand" title="By card brand" column="Card brand" answer={brand} label={(k) => BRANDS[k] ?? k} />
        <FeeTable id="fees-acquirer" title="By acquirer" column="Acquirer" answer={acquirer} label={(k) => k} />
      </div>
    </Panel>
  );
}

function FeeTable(props: { id: string; title: string; column: string; answer: Loaded<FeesAnswer>; label: (key: string) => string }) {
  const rows = props.answer.data?.rows ?? [];
  // Bars compare fees within one currency only.
  const most = new Map<string, number>();
  for (const r of rows) most.set(r.currency, Math.max(most.get(r.currency) ?? 0, Math.abs(r.fees)));
  const share = (r: FeeRow): number => {
    const m = most.get(r.currency) ?? 0;
    return m === 0 ? 0 : Math.abs(r.fees) / m;
  };
  return (
    <div>
      <h3 class="sub">{props.title}</h3>
      <div class="table-wrap">
        <table class="data" data-testid={props.id} aria-busy={props.answer.loading}>
          <thead>
            <tr>
              <th scope="col">{props.column}</th>
              <th scope="col" class="num">Sales</th>
              <th scope="col" class="num">Charged</th>
              <th scope="col" class="num">Fees</th>
              <th scope="col" class="num">Effective rate</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.key}/${r.currency}`} data-key={r.key} data-currency={r.currency} data-fees={r.fees} data-charged={r.charged}>
                <th scope="row">{props.label(r.key)}</th>
                <td class="num">{formatCount(r.sales)}</td>
                <td class="num">{formatMoney(r.charged, r.currency, r.exponent)}</td>
                <td class="num fee">
                  <span class="bar" style={{ width: `${(share(r) * 100).toFixed(1)}%` }} aria-hidden="true" />
                  <span class="bar-value">{formatMoney(r.fees, r.currency, r.exponent)}</span>
                </td>
                <td class="num">{r.effective_bps === null ? '–' : `${bps.format(r.effective_bps)} bps`}</td>
              </tr>
            ))}
            {props.answer.data !== undefined && rows.length === 0 && (
              <tr>
                <td colSpan={5}>No card or wallet sales with a fee plan in this range.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
