/** What the time-series panel says beside its chart: the hovered bucket's exact amounts and what the forecast is. */
import type { ForecastAnswer, ForecastPoint } from '../forecast-api.js';
import { flagText } from '../forecast-chart.js';
import { formatBucket, formatDay } from '../format.js';
import { formatMetric, type Metric } from '../metrics.js';

/** The hovered bucket's exact amounts: the actual, the previous period's and the forecast's mean and intervals. */
export function Readout(props: { id: string; bucket: string | undefined; actual: number | undefined; previous: number | undefined; forecast: ForecastPoint | undefined; granularity: string; metric: Metric; currency: string; exponent: number }) {
  const m = (v: number): string => formatMetric(props.metric, v, props.currency, props.exponent);
  const f = props.forecast;
  return (
    <p class="readout" data-testid={`${props.id}-readout`} data-bucket={props.bucket} aria-live="polite">
      {props.bucket === undefined ? (
        <span class="muted">Point at the chart for exact amounts.</span>
      ) : (
        <>
          <strong>{formatBucket(props.bucket, props.granularity)}</strong>
          {props.actual !== undefined && (
            <>
              {' · '}actual <span data-field="actual" data-value={props.actual}>{m(props.actual)}</span>
            </>
          )}
          {props.previous !== undefined && (
            <>
              {' · '}previous period <span data-field="previous" data-value={props.previous}>{m(props.previous)}</span>
            </>
          )}
          {f !== undefined && (
            <>
              {' · '}forecast <span data-field="mean" data-value={f.mean}>{m(f.mean)}</span>, 80 %{' '}
              <span data-field="lo80" data-value={f.lo80}>{m(f.lo80)}</span> – <span data-field="hi80" data-value={f.hi80}>{m(f.hi80)}</span>, 95 %{' '}
              <span data-field="lo95" data-value={f.lo95}>{m(f.lo95)}</span> – <span data-field="hi95" data-value={f.hi95}>{m(f.hi95)}</span>
            </>
          )}
        </>
      )}
    </p>
  );
}

const LEVEL_TEXT: Record<string, string> = {
  store: 'the store’s own intervals',
  city: 'the city’s intervals',
  region: 'the region’s intervals',
  country: 'the country’s intervals',
  tenant: 'the whole tenant’s intervals',
  scope: 'the stores in scope added up (intervals combined as independent)',
};

/** What the forecast is (model, as of, level) and why it is less certain; or that there is none yet. */
export function ForecastNote(props: { id: string; answer: ForecastAnswer | null | undefined; error: Error | undefined; placed: boolean }) {
  const a = props.answer;
  const testId = `${props.id}-forecast-note`;
  if (props.error !== undefined) {
    return (
      <p class="muted forecast-note" data-testid={testId} data-state="error">
        Forecast not available: {props.error.message}
      </p>
    );
  }
  if (a === undefined) return null;
  if (a === null) {
    return (
      <p class="muted forecast-note" data-testid={testId} data-state="none">
        No forecast yet.
      </p>
    );
  }
  const g = a.groups[0];
  const flags = g?.flags ?? [];
  return (
    <div class="muted forecast-note" data-testid={testId} data-state={props.placed ? 'shown' : 'outside'} data-flags={flags.join(',')}>
      <p>
        Forecast of net sales from the business days up to {formatDay(a.as_of)}: model {a.model}, {LEVEL_TEXT[a.level] ?? `${a.level} level`}
        {g === undefined ? '' : `, ${String(g.stores)} ${g.stores === 1 ? 'store' : 'stores'}`}, in {a.currency}.
        {!props.placed && ' Its days are after the range shown: choose a range up to today to see it.'}
      </p>
      {flags.length > 0 && (
        <ul class="flags">
          {flags.map((f) => (
            <li key={f} data-flag={f}>
              Less certain: {flagText(f)}.
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
