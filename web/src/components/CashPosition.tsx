import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { formatCount, formatDay, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import type { AccountPosition, CashPositionAnswer } from '../treasury-api.js';
import { BalanceChart, FLOW_COLOURS, SeriesLegend } from './MoneyCharts.js';
import { Panel } from './Panel.js';

/**
 * Per bank account: the latest statement's closing balance, then day by
 * day the money already owed (sales made, payouts and deposits not yet
 * arrived) and the balance it adds up to. Missing money is shown apart and
 * never added; forecast money, when the API has any, is a marked dashed line.
 */
export function CashPositionPanel(props: { api: Api }) {
  const cash = useLoad(() => props.api.get<CashPositionAnswer>('/v1/treasury/cash-position'), [props.api]);
  const [chosen, setChosen] = useState<string | null>(null);
  const accounts = cash.data?.accounts ?? [];
  const keyOf = (a: AccountPosition): string => `${a.account} ${a.currency}`;
  const current = accounts.find((a) => keyOf(a) === chosen) ?? accounts[0];
  return (
    <Panel
      id="cash"
      title="Cash position"
      error={cash.error}
      actions={
        accounts.length > 1 ? (
          <label>
            Bank account{' '}
            <select data-testid="cash-account" value={current === undefined ? '' : keyOf(current)} onChange={(e) => setChosen(e.currentTarget.value)}>
              {accounts.map((a) => (
                <option key={keyOf(a)} value={keyOf(a)}>
                  {a.account} ({a.currency})
                </option>
              ))}
            </select>
          </label>
        ) : undefined
      }
    >
      <p class="muted">
        From the latest bank statement on, whatever the range above: each day's <strong>owed</strong> money (expected payouts and deposits not arrived yet, due that day; those already past their date are counted on the first day) and the <strong>balance</strong> it adds up to.
        {cash.data?.forecast === 'none' && ' No sales forecasts yet: the projection holds money already owed only, nothing forecast.'}
      </p>
      {cash.data !== undefined && accounts.length === 0 && <p data-testid="cash-empty">No bank account has a statement or expected money yet.</p>}
      {current !== undefined && <Account a={current} />}
    </Panel>
  );
}

function Account(props: { a: AccountPosition }) {
  const a = props.a;
  const money = (v: number | null): string => formatMoney(v, a.currency, a.exponent);
  const forecast = a.days.some((d) => d.forecast !== 0);
  // The statement's own day opens the line: the projection starts from a known balance.
  const days = [...(a.statement === null ? [] : [a.statement.date]), ...a.days.map((d) => d.date)];
  const owed = [...(a.statement === null ? [] : [0]), ...a.days.map((d) => d.owed)];
  const balance = [...(a.statement === null ? [] : [a.statement.amount]), ...a.days.map((d) => d.balance)];
  const withForecast = forecast ? [...(a.statement === null ? [] : [a.statement.amount]), ...a.days.map((d) => d.balanceWithForecast)] : null;
  return (
    <div data-testid="cash-position" data-account={a.account} data-currency={a.currency}>
      <h3 class="sub">
        {a.account} ({a.currency})
      </h3>
      <dl class="details">
        <dt>Latest statement</dt>
        <dd data-testid="cash-statement" data-value={a.statement?.amount ?? ''}>
          {a.statement === null ? 'none yet: the balance is unknown, only the money owed is shown' : `${money(a.statement.amount)} at the close of ${formatDay(a.statement.date)} (statement ${a.statement.statementId})`}
        </dd>
        <dt>Overdue</dt>
        <dd data-testid="cash-overdue" data-value={a.overdue.amount}>
          {money(a.overdue.amount)} in {formatCount(a.overdue.items)} items past their date, not booked yet (counted on the first day)
        </dd>
        <dt>Missing</dt>
        <dd data-testid="cash-missing" data-value={a.missing.amount}>
          {money(a.missing.amount)} in {formatCount(a.missing.items)} items past their date and the tolerance (see open breaks; not in the balance)
        </dd>
      </dl>
      {a.statement === null && owed.every((v) => v === 0) && <p data-testid="cash-nothing-owed">Nothing owed to this account and no statement: nothing to draw.</p>}
      {(a.statement !== null || owed.some((v) => v !== 0)) && (
        <>
          <BalanceChart testId="cash-chart" days={days} owed={owed} balance={balance} withForecast={withForecast} currency={a.currency} exponent={a.exponent} label={`Projected balance of ${a.account} in ${a.currency} per day, with the money owed each day as bars${forecast ? ', and the balance with forecast money dashed' : ''}`} />
          <SeriesLegend
            items={[
              ...(a.statement === null ? [] : [{ name: 'Balance (statement + owed)', colour: '#0b57a4', line: true }]),
              { name: 'Owed that day', colour: FLOW_COLOURS.owed },
              ...(forecast ? [{ name: 'Balance with forecast (forecast)', colour: FLOW_COLOURS.forecast, line: true, dashed: true }] : []),
            ]}
          />
        </>
      )}
      <details>
        <summary>The days as a table</summary>
        <div class="table-wrap">
          <table class="data" data-testid="cash-days">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" class="num">Owed that day</th>
                {forecast && <th scope="col" class="num">Forecast (not yet sold)</th>}
                <th scope="col" class="num">Balance</th>
                {forecast && <th scope="col" class="num">Balance with forecast</th>}
              </tr>
            </thead>
            <tbody>
              {a.statement !== null && (
                <tr data-day={a.statement.date} data-statement="true">
                  <th scope="row">{formatDay(a.statement.date)} (statement)</th>
                  <td class="num" />
                  {forecast && <td class="num" />}
                  <td class="num">{money(a.statement.amount)}</td>
                  {forecast && <td class="num">{money(a.statement.amount)}</td>}
                </tr>
              )}
              {a.days.map((d) => (
                <tr key={d.date} data-day={d.date} data-owed={d.owed} data-balance={d.balance ?? ''} data-forecast={d.forecast}>
                  <th scope="row">{formatDay(d.date)}</th>
                  <td class="num">{money(d.owed)}</td>
                  {forecast && <td class="num forecast">{money(d.forecast)}</td>}
                  <td class="num">{d.balance === null ? 'unknown' : money(d.balance)}</td>
                  {forecast && <td class="num forecast">{d.balanceWithForecast === null ? 'unknown' : money(d.balanceWithForecast)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
