import type { ForecastPoint } from '../forecast-api.js';
import { bandPath, forecastExtent, linePath } from '../forecast-chart.js';
import { formatBucket } from '../format.js';
import { formatMetricShort, TENDER_COLOURS, TENDER_LABELS, type Metric } from '../metrics.js';

export const W = 900;
export const H = 240;
export const M = { left: 64, right: 12, top: 10, bottom: 28 };

export interface Axis {
  y: (v: number) => number;
  ticks: number[];
}

/** A y axis from `lo` to `hi` that always includes zero, with five ticks. */
export function yAxis(lo: number, hi: number): Axis {
  const min = Math.min(0, lo);
  const max = hi <= min ? min + 1 : hi;
  const y = (v: number): number => M.top + (H - M.top - M.bottom) * (1 - (v - min) / (max - min));
  const ticks = [0, 1, 2, 3, 4].map((i) => min + ((max - min) * i) / 4);
  return { y, ticks };
}

/** The centre of band `i` of `n`. */
export const bandX = (i: number, n: number): number => M.left + ((W - M.left - M.right) * (i + 0.5)) / Math.max(1, n);

/** Grid lines, y ticks and about six x labels around a chart's marks. */
export function Frame(props: { axis: Axis; buckets: string[]; bucketLabel: (b: string) => string; tick: (v: number) => string; children: preact.ComponentChildren; label: string; testId?: string | undefined }) {
  const n = props.buckets.length;
  const every = Math.max(1, Math.ceil(n / 6));
  return (
    <svg class="chart" viewBox={`0 0 ${String(W)} ${String(H)}`} role="img" aria-label={props.label} data-testid={props.testId}>
      {props.axis.ticks.map((t) => (
        <g key={t}>
          <line class="grid" x1={M.left} x2={W - M.right} y1={props.axis.y(t)} y2={props.axis.y(t)} />
          <text class="tick" x={M.left - 6} y={props.axis.y(t) + 4} text-anchor="end">
            {props.tick(t)}
          </text>
        </g>
      ))}
      {props.buckets.map((b, i) =>
        i % every === 0 ? (
          <text key={b} class="tick" x={bandX(i, n)} y={H - 8} text-anchor="middle">
            {props.bucketLabel(b)}
          </text>
        ) : null,
      )}
      {props.children}
    </svg>
  );
}

/** A frame for a metric's buckets. */
function MetricFrame(props: { axis: Axis; buckets: string[]; granularity: string; metric: Metric; currency: string; exponent: number; children: preact.ComponentChildren; label: string; testId?: string | undefined }) {
  return (
    <Frame axis={props.axis} buckets={props.buckets} label={props.label} testId={props.testId} bucketLabel={(b) => formatBucket(b, props.granularity)} tick={(t) => formatMetricShort(props.metric, t, props.currency, props.exponent)}>
      {props.children}
    </Frame>
  );
}

/** A forecast placed on the chart's buckets (see `forecastTimeline`). */
export interface PlacedForecast {
  at: number[];
  points: ForecastPoint[];
  asOf: string;
  level: string;
  model: string;
}

/**
 * The metric as a line, the previous period dashed on the same bucket
 * positions, and the forecast (if any) as 95 % and 80 % bands with its
 * mean dashed. `values` may be shorter than `buckets`: the buckets after
 * them are the forecast's. Hovering a bucket reports its index.
 */
export function LineChart(props: { buckets: string[]; values: number[]; previous?: number[] | undefined; forecast?: PlacedForecast | undefined; hovered?: number | null; onHover?: (i: number | null) => void; granularity: string; metric: Metric; currency: string; exponent: number; label: string; testId?: string }) {
  const fc = props.forecast;
  const [flo, fhi] = fc === undefined ? [0, 0] : forecastExtent(fc.points);
  const all = [...props.values, ...(props.previous ?? [])];
  const axis = yAxis(Math.min(0, flo, ...all), Math.max(...all, fhi, 0));
  const n = props.buckets.length;
  const line = (vs: number[]): string => vs.map((v, i) => `${i === 0 ? 'M' : 'L'}${bandX(i, n).toFixed(1)},${axis.y(v).toFixed(1)}`).join('');
  const band = (W - M.left - M.right) / Math.max(1, n);
  const hovered = props.hovered ?? null;
  return (
    <MetricFrame {...props} axis={axis}>
      {fc !== undefined && <ForecastMarks forecast={fc} n={n} y={axis.y} />}
      {props.previous !== undefined && <path class="line previous" d={line(props.previous)} />}
      <path class="line current" d={line(props.values)} />
      {hovered !== null && hovered < n && <line class="guide" x1={bandX(hovered, n)} x2={bandX(hovered, n)} y1={M.top} y2={H - M.bottom} />}
      {props.onHover !== undefined && (
        <g class="hover-targets" onMouseLeave={() => props.onHover?.(null)}>
          {props.buckets.map((b, i) => (
            <rect key={b} data-bucket={b} x={M.left + band * i} width={band} y={M.top} height={H - M.top - M.bottom} onMouseEnter={() => props.onHover?.(i)} />
          ))}
        </g>
      )}
    </MetricFrame>
  );
}

/** The bands and the mean; each point's exact amounts are on its dot's data attributes. */
function ForecastMarks(props: { forecast: PlacedForecast; n: number; y: (v: number) => number }) {
  const { at, points, asOf, level, model } = props.forecast;
  const xs = at.map((i) => bandX(i, props.n));
  const band = (lo: 'lo80' | 'lo95', hi: 'hi80' | 'hi95'): string => bandPath(xs, points.map((p) => p[lo]), points.map((p) => p[hi]), props.y);
  return (
    <g class="forecast" data-testid="forecast-marks" data-as-of={asOf} data-level={level} data-model={model}>
      <path class="band b95" d={band('lo95', 'hi95')} />
      <path class="band b80" d={band('lo80', 'hi80')} />
      <path class="line fc-mean" d={linePath(xs, points.map((p) => p.mean), props.y)} />
      {points.map((p, k) => (
        <circle key={p.date} class="fc-point" cx={xs[k]} cy={props.y(p.mean)} r={2.5} data-date={p.date} data-mean={p.mean} data-lo80={p.lo80} data-hi80={p.hi80} data-lo95={p.lo95} data-hi95={p.hi95} />
      ))}
    </g>
  );
}

/** One bar per bucket, stacked by tender (negative parts stack downwards). */
export function StackedBars(props: { buckets: string[]; stacks: Map<string, number[]>; granularity: string; metric: Metric; currency: string; exponent: number; label: string }) {
  const n = props.buckets.length;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    let pos = 0;
    let neg = 0;
    for (const vs of props.stacks.values()) {
      const v = vs[i] ?? 0;
      if (v >= 0) pos += v;
      else neg += v;
    }
    hi = Math.max(hi, pos);
    lo = Math.min(lo, neg);
  }
  const axis = yAxis(lo, hi);
  const band = (W - M.left - M.right) / Math.max(1, n);
  const bars: preact.JSX.Element[] = [];
  for (let i = 0; i < n; i++) {
    let pos = 0;
    let neg = 0;
    for (const [tender, vs] of props.stacks) {
      const v = vs[i] ?? 0;
      if (v === 0) continue;
      const base = v > 0 ? pos : neg;
      const top = base + v;
      if (v > 0) pos = top;
      else neg = top;
      const y1 = axis.y(Math.max(base, top));
      const y2 = axis.y(Math.min(base, top));
      bars.push(<rect key={`${String(i)}-${tender}`} x={M.left + band * i + band * 0.1} width={Math.max(0.5, band * 0.8)} y={y1} height={Math.max(0.5, y2 - y1)} fill={TENDER_COLOURS[tender] ?? '#777'} />);
    }
  }
  return (
    <MetricFrame {...props} axis={axis}>
      {bars}
    </MetricFrame>
  );
}

export function TenderLegend(props: { tenders: string[] }) {
  return (
    <ul class="legend" aria-label="Tenders">
      {props.tenders.map((t) => (
        <li key={t}>
          <span class="swatch" style={{ background: TENDER_COLOURS[t] ?? '#777' }} aria-hidden="true" /> {TENDER_LABELS[t] ?? t}
        </li>
      ))}
    </ul>
  );
}
