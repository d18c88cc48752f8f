import { useState } from 'preact/hooks';
import type { Api, Params, SeriesAnswer } from '../api.js';
import { bucketsBetween } from '../buckets.js';
import { loadForecast } from '../forecast-api.js';
import { forecastHorizon, forecastTimeline, isForecastGranularity, type Timeline } from '../forecast-chart.js';
import { formatBucket, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { formatMetric, METRIC_LABELS, METRICS, TENDERS, type Metric } from '../metrics.js';
import { rangeParams, type Range } from '../query.js';
import { addDays, DAY_MS, parseNaive } from '../time.js';
import { LineChart, StackedBars, TenderLegend, type PlacedForecast } from './Charts.js';
import { Panel } from './Panel.js';
import { ForecastNote, Readout } from './SeriesReadout.js';

const GRANULARITIES = [
  ['15m', '15 minutes'],
  ['hour', 'Hour'],
  ['day', 'Day'],
  ['week', 'Week (ISO)'],
  ['month', 'Month'],
] as const;

/** The range just before `r`, of the same number of days. */
export function previousRange(r: Range): Range {
  const days = Math.round((parseNaive(r.to) - parseNaive(r.from)) / DAY_MS);
  return { ...r, from: addDays(r.from, -days), to: r.from };
}

function valuesOf(ans: SeriesAnswer | undefined, buckets: string[], metric: Metric, key?: (k: Record<string, string>) => boolean): number[] {
  const byBucket = new Map<string, number>();
  for (const g of ans?.groups ?? []) {
    if (key !== undefined && !key(g.key)) continue;
    for (const p of g.points) byBucket.set(p.bucket, (byBucket.get(p.bucket) ?? 0) + Number(p[metric] ?? 0));
  }
  return buckets.map((b) => byBucket.get(b) ?? 0);
}

/** A metric over time for the scope, with the previous period and a tender breakdown. */
export function SeriesPanel(props: { api: Api; range: Range; scope: Params; scopeKey: string; currency: string; exponent: number; id?: string; title?: string }) {
  const id = props.id ?? 'series';
  const [metric, setMetric] = useState<Metric>('net_sales');
  const [granularity, setGranularity] = useState<string>(() => (parseNaive(props.range.to) - parseNaive(props.range.from) <= 2 * DAY_MS ? 'hour' : 'day'));
  const [compare, setCompare] = useState(true);
  const [breakdown, setBreakdown] = useState(true);
  const additive = metric !== 'avg_basket';
  const q = { metrics: metric, granularity, ...props.scope };
  const deps = [props.api, props.range.from, props.range.to, props.range.tz, props.scopeKey, metric, granularity];

  const main = useLoad(() => props.api.series({ ...q, ...rangeParams(props.range) }), deps);
  const prevRange = previousRange(props.range);
  const prev = useLoad(() => (compare ? props.api.series({ ...q, ...rangeParams(prevRange) }) : Promise.resolve(undefined)), [...deps, compare]);
  const tenders = useLoad(() => (breakdown && additive ? props.api.series({ ...q, ...rangeParams(props.range), group_by: 'tender' }) : Promise.resolve(undefined)), [...deps, breakdown]);

  const buckets = bucketsBetween(props.range.from, props.range.to, granularity);
  // Forecasts are of net sales by day or ISO week; other charts stay as they are.
  const fg = metric === 'net_sales' && isForecastGranularity(granularity) ? granularity : null;
  const horizon = fg === null ? 0 : forecastHorizon(fg, buckets.length);
  const forecast = useLoad(() => (fg === null ? Promise.resolve(undefined) : loadForecast(props.api, { granularity: fg, horizon, ...props.scope })), [props.api, props.scopeKey, fg, horizon]);
  const fcAnswer = fg === null ? undefined : forecast.data;
  const timeline: Timeline = fcAnswer?.groups[0] === undefined || fg === null ? { buckets, at: [], points: [] } : forecastTimeline(buckets, props.range.to, fcAnswer.groups[0].points, fg);
  const placed: PlacedForecast | undefined = fcAnswer === undefined || fcAnswer === null || timeline.points.length === 0 ? undefined : { at: timeline.at, points: timeline.points, asOf: fcAnswer.as_of, level: fcAnswer.level, model: fcAnswer.model };
  const fcAt = new Map(timeline.at.map((i, k) => [i, timeline.points[k]!]));
  const [hovered, setHovered] = useState<number | null>(null);
  const values = valuesOf(main.data, buckets, metric);
  const prevBuckets = bucketsBetween(prevRange.from, prevRange.to, granularity);
  const previous = compare && prev.data !== undefined ? valuesOf(prev.data, prevBuckets, metric) : undefined;
  const stacks = new Map<string, number[]>();
  if (tenders.data !== undefined) {
    const present = new Set(tenders.data.groups.map((g) => g.key['tender'] ?? 'other'));
    for (const t of [...TENDERS, ...present]) if (present.has(t) && !stacks.has(t)) stacks.set(t, valuesOf(tenders.data, buckets, metric, (k) => k['tender'] === t));
  }
  const currency = main.data?.currency ?? props.currency;
  const exponent = main.data?.exponent ?? props.exponent;
  const label = METRIC_LABELS[metric];
  const error = main.error ?? prev.error ?? tenders.error;

  return (
    <Panel
      id={id}
      title={props.title ?? 'Over time'}
      error={error}
      actions={
        <form class="toolbar" aria-label="Time series options" onSubmit={(e) => e.preventDefault()}>
          <label>
            Metric{' '}
            <select value={metric} data-testid={`${id}-metric`} onChange={(e) => setMetric(e.currentTarget.value as Metric)}>
              {METRICS.map((m) => (
                <option key={m} value={m}>
                  {METRIC_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Granularity{' '}
            <select value={granularity} data-testid={`${id}-granularity`} onChange={(e) => setGranularity(e.currentTarget.value)}>
              {GRANULARITIES.map(([g, l]) => (
                <option key={g} value={g}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={compare} onChange={(e) => setCompare(e.currentTarget.checked)} /> Previous period
          </label>
          <label>
            <input type="checkbox" checked={breakdown} onChange={(e) => setBreakdown(e.currentTarget.checked)} /> By tender
          </label>
        </form>
      }
    >
      <LineChart
        buckets={timeline.buckets}
        values={values}
        previous={previous}
        forecast={placed}
        hovered={hovered}
        onHover={setHovered}
        granularity={granularity}
        metric={metric}
        currency={currency}
        exponent={exponent}
        label={`${label} by ${granularity}${previous === undefined ? '' : ', with the previous period dashed'}${placed === undefined ? '' : ', and the forecast ahead as a dashed mean in 80 % and 95 % bands'}`}
      />
      <Readout id={id} bucket={hovered === null ? undefined : timeline.buckets[hovered]} actual={hovered !== null && hovered < buckets.length ? values[hovered] : undefined} previous={hovered === null ? undefined : previous?.[hovered]} forecast={hovered === null ? undefined : fcAt.get(hovered)} granularity={granularity} metric={metric} currency={currency} exponent={exponent} />
      <p class="legend-line muted">
        <span class="key current" aria-hidden="true" /> {label}, {props.range.from} to {addDays(props.range.to, -1)}
        {previous !== undefined && (
          <>
            {' '}
            <span class="key previous" aria-hidden="true" /> previous period ({prevRange.from} to {addDays(prevRange.to, -1)})
          </>
        )}
        {placed !== undefined && (
          <>
            {' '}
            <span class="key fc-mean" aria-hidden="true" /> forecast mean <span class="key band b80" aria-hidden="true" /> 80 % interval <span class="key band b95" aria-hidden="true" /> 95 % interval
          </>
        )}
      </p>
      {fg !== null && <ForecastNote id={id} answer={forecast.data} error={forecast.error} placed={placed !== undefined} />}
      {breakdown && !additive && <p class="muted">An average does not stack: the tender breakdown is shown for additive metrics.</p>}
      {breakdown && additive && tenders.data !== undefined && (
        <>
          <h3 class="sub">{label} by tender</h3>
          <StackedBars buckets={buckets} stacks={stacks} granularity={granularity} metric={metric} currency={currency} exponent={exponent} label={`${label} by ${granularity}, stacked by tender`} />
          <TenderLegend tenders={[...stacks.keys()]} />
        </>
      )}
      <details>
        <summary>The numbers as a table</summary>
        <div class="table-wrap tall">
          <table class="data" data-testid={`${id}-table`}>
            <thead>
              <tr>
                <th scope="col">Bucket ({props.range.tz === 'store' ? "store's time" : props.range.tz})</th>
                <th scope="col" class="num">{label}</th>
                {previous !== undefined && <th scope="col" class="num">Previous period</th>}
                {placed !== undefined && (
                  <>
                    <th scope="col" class="num">Forecast</th>
                    <th scope="col" class="num">80 % interval</th>
                    <th scope="col" class="num">95 % interval</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {timeline.buckets.map((b, i) => {
                const f = fcAt.get(i);
                return (
                  <tr key={b} data-bucket={b} data-forecast={f === undefined ? undefined : f.mean}>
                    <th scope="row">{formatBucket(b, granularity)}</th>
                    {i < buckets.length ? (
                      <td class="num" data-value={values[i]}>
                        {formatMetric(metric, values[i], currency, exponent)}
                      </td>
                    ) : (
                      <td class="num muted">ahead</td>
                    )}
                    {previous !== undefined && <td class="num">{i < buckets.length ? formatMetric(metric, previous[i], currency, exponent) : ''}</td>}
                    {placed !== undefined && (
                      <>
                        <td class="num forecast">{f === undefined ? '' : formatMoney(f.mean, currency, exponent)}</td>
                        <td class="num forecast">{f === undefined ? '' : `${formatMoney(f.lo80, currency, exponent)} – ${formatMoney(f.hi80, currency, exponent)}`}</td>
                        <td class="num forecast">{f === undefined ? '' : `${formatMoney(f.lo95, currency, exponent)} – ${formatMoney(f.hi95, currency, exponent)}`}</td>
                      </>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </details>
    </Panel>
  );
}
