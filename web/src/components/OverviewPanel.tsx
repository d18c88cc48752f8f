import type { Api, Store } from '../api.js';
import { countryName, formatCount, formatInstant, formatMoney, formatPercent } from '../format.js';
import { useLoad } from '../hooks.js';
import { avgBasket, loadOverview, type Totals } from '../overview.js';
import { minutesOf } from '../time.js';
import { Panel } from './Panel.js';

/** How often the overview asks again while the page is open. */
export const LIVE_REFRESH_MS = 5000;

function Change(props: { now: number | null; before: number | null }) {
  if (props.now === null || props.before === null || props.before === 0) return <span class="change">no sales last week</span>;
  const r = props.now / props.before - 1;
  return <span class={`change ${r >= 0 ? 'up' : 'down'}`}>{formatPercent(r)} vs last week</span>;
}

function Kpi(props: { id: string; label: string; value: string; before: string; now: number | null; was: number | null }) {
  return (
    <div class="kpi" data-kpi={props.id}>
      <div class="kpi-label">{props.label}</div>
      <div class="kpi-value" data-testid={`kpi-${props.id}`} aria-live="polite">
        {props.value}
      </div>
      <div class="kpi-before">
        Same time last week: <span data-testid={`kpi-${props.id}-last-week`}>{props.before}</span>
      </div>
      <Change now={props.now} before={props.was} />
    </div>
  );
}

export function OverviewPanel(props: { api: Api; stores: readonly Store[]; cutoff: string; money: { currency: string; exponent: number }; scopeKey: string }) {
  const ov = useLoad(() => loadOverview(props.api, props.stores, minutesOf(props.cutoff), Date.now(), props.money), [props.api, props.stores, props.cutoff, props.scopeKey], LIVE_REFRESH_MS);
  const o = ov.data;
  const money = (v: number | null): string => formatMoney(v, o?.currency ?? props.money.currency, o?.exponent ?? props.money.exponent);
  const t: { today: Totals; lastWeek: Totals } | undefined = o?.total;
  return (
    <Panel id="overview" title="Today so far" error={ov.error} actions={<span class="muted" data-testid="overview-updated">{ov.data === undefined ? 'Loading…' : `Live · updated ${formatInstant(new Date().toISOString())}`}</span>}>
      <p class="muted">Each store's current business day, against the same weekday last week up to the same local time.</p>
      {t !== undefined && (
        <div class="kpis">
          <Kpi id="net-sales" label="Net sales" value={money(t.today.net_sales)} before={money(t.lastWeek.net_sales)} now={t.today.net_sales} was={t.lastWeek.net_sales} />
          <Kpi id="sale-count" label="Sales" value={formatCount(t.today.sale_count)} before={formatCount(t.lastWeek.sale_count)} now={t.today.sale_count} was={t.lastWeek.sale_count} />
          <Kpi id="avg-basket" label="Average basket" value={money(avgBasket(t.today))} before={money(avgBasket(t.lastWeek))} now={avgBasket(t.today)} was={avgBasket(t.lastWeek)} />
        </div>
      )}
      {o !== undefined && (
        <div class="table-wrap">
          <table class="data" data-testid="overview-countries">
            <caption class="sr-only">Today so far by country</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col" class="num">Net sales</th>
                <th scope="col" class="num">Last week</th>
                <th scope="col" class="num">Sales</th>
                <th scope="col" class="num">Last week</th>
                <th scope="col" class="num">Avg basket</th>
              </tr>
            </thead>
            <tbody>
              {o.countries.map((c) => (
                <tr key={c.country} data-country={c.country}>
                  <th scope="row">{countryName(c.country)}</th>
                  <td class="num">{money(c.today.net_sales)}</td>
                  <td class="num muted">{money(c.lastWeek.net_sales)}</td>
                  <td class="num">{formatCount(c.today.sale_count)}</td>
                  <td class="num muted">{formatCount(c.lastWeek.sale_count)}</td>
                  <td class="num">{money(avgBasket(c.today))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
