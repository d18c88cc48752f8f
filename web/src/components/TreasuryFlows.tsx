import { useState } from 'preact/hooks';
import { formatCount, formatDay, formatMoney } from '../format.js';
import type { Loaded } from '../hooks.js';
import type { Range } from '../query.js';
import { addDays } from '../time.js';
import type { ReconAnswer } from '../treasury-api.js';
import { accountFlows, type FlowDay } from '../treasury-flows.js';
import { FLOW_COLOURS, GroupedBars, SeriesLegend } from './MoneyCharts.js';
import { Panel } from './Panel.js';

/** Every calendar day of the range (the chart shows days with nothing as empty). */
function daysOf(r: Range): string[] {
  const out: string[] = [];
  for (let d = r.from; d < r.to && out.length < 3660; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Expected payouts and deposits against booked statement entries, per bank account and day. */
export function FlowsPanel(props: { recon: Loaded<ReconAnswer & { partial: boolean }>; range: Range }) {
  const data = props.recon.data;
  const flows = data === undefined ? [] : accountFlows(data.items, data.entries);
  const [chosen, setChosen] = useState<string | null>(null);
  const current = flows.find((f) => f.key === chosen) ?? flows[0];
  const days = daysOf(props.range);
  const byDay = new Map<string, FlowDay>((current?.days ?? []).map((d) => [d.date, d]));
  const money = (v: number): string => formatMoney(v, current?.currency ?? 'EUR', current?.exponent);
  return (
    <Panel id="flows" title="Expected and arrived, per day and bank account" error={props.recon.error}>
      <p class="muted">
        <strong>Expected</strong>: payouts and cash deposits due that day. <strong>Arrived</strong>: statement entries booked that day that paid expected money (a late or early payment shows on the day it was booked). <strong>Not expected</strong>: entries no expected money explains (unexpected or duplicate bookings).
      </p>
      {data !== undefined && flows.length === 0 && <p data-testid="flows-empty">No expected money and no statement entries in this range.</p>}
      {data?.partial === true && <p class="error">The range holds more than 100,000 items: the sums cover the first 100,000. Choose a shorter range.</p>}
      {flows.length > 0 && (
        <div class="table-wrap">
          <table class="data" data-testid="flows-accounts" aria-busy={props.recon.loading}>
            <caption class="sr-only">Totals per bank account over the range; choose one to see its days</caption>
            <thead>
              <tr>
                <th scope="col">Bank account</th>
                <th scope="col">Currency</th>
                <th scope="col" class="num">Expected</th>
                <th scope="col" class="num">Arrived</th>
                <th scope="col" class="num">Difference</th>
                <th scope="col" class="num">Not expected</th>
                <th scope="col" class="num">Open breaks</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((f) => (
                <tr key={f.key} data-account={f.account} data-currency={f.currency} aria-selected={f.key === current?.key}>
                  <th scope="row">
                    <button type="button" class={f.key === current?.key ? 'link on' : 'link'} aria-pressed={f.key === current?.key} onClick={() => setChosen(f.key)}>
                      {f.account}
                    </button>
                  </th>
                  <td>{f.currency}</td>
                  <td class="num" data-value={f.total.expected}>{formatMoney(f.total.expected, f.currency, f.exponent)}</td>
                  <td class="num" data-value={f.total.arrived}>{formatMoney(f.total.arrived, f.currency, f.exponent)}</td>
                  <td class={`num ${f.total.arrived - f.total.expected < 0 ? 'short' : ''}`}>{formatMoney(f.total.arrived - f.total.expected, f.currency, f.exponent)}</td>
                  <td class="num">{formatMoney(f.total.notExpected, f.currency, f.exponent)}</td>
                  <td class="num">{formatCount(f.total.breaks)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current !== undefined && (
        <>
          <h3 class="sub" data-testid="flows-account">
            {current.account} ({current.currency}), day by day
          </h3>
          <GroupedBars
            testId="flows-chart"
            days={days}
            currency={current.currency}
            exponent={current.exponent}
            label={`Expected, arrived and not expected money per day on ${current.account} in ${current.currency}`}
            series={[
              { name: 'Expected', colour: FLOW_COLOURS.expected, values: days.map((d) => byDay.get(d)?.expected ?? 0) },
              { name: 'Arrived', colour: FLOW_COLOURS.arrived, values: days.map((d) => byDay.get(d)?.arrived ?? 0) },
              { name: 'Not expected', colour: FLOW_COLOURS.notExpected, values: days.map((d) => byDay.get(d)?.notExpected ?? 0) },
            ]}
          />
          <SeriesLegend
            items={[
              { name: 'Expected', colour: FLOW_COLOURS.expected },
              { name: 'Arrived', colour: FLOW_COLOURS.arrived },
              { name: 'Not expected', colour: FLOW_COLOURS.notExpected },
            ]}
          />
          <div class="table-wrap">
            <table class="data" data-testid="flows-days">
              <caption class="sr-only">
                Days with expected or booked money on {current.account} in {current.currency}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col" class="num">Expected</th>
                  <th scope="col" class="num">Items</th>
                  <th scope="col" class="num">Arrived</th>
                  <th scope="col" class="num">Entries</th>
                  <th scope="col" class="num">Difference</th>
                  <th scope="col" class="num">Not expected</th>
                  <th scope="col" class="num">Open breaks</th>
                </tr>
              </thead>
              <tbody>
                {current.days.map((d) => (
                  <tr key={d.date} data-day={d.date} data-expected={d.expected} data-arrived={d.arrived} data-not-expected={d.notExpected}>
                    <th scope="row">{formatDay(d.date)}</th>
                    <td class="num">{money(d.expected)}</td>
                    <td class="num">{formatCount(d.expectedCount)}</td>
                    <td class="num">{money(d.arrived)}</td>
                    <td class="num">{formatCount(d.arrivedCount)}</td>
                    <td class={`num ${d.arrived - d.expected < 0 ? 'short' : ''}`}>{money(d.arrived - d.expected)}</td>
                    <td class="num">{d.notExpectedCount === 0 ? '' : money(d.notExpected)}</td>
                    <td class="num">{d.breaks === 0 ? '' : formatCount(d.breaks)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Panel>
  );
}
