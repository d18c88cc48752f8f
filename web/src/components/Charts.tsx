import { formatBucket } from '../format.js';
import { formatMetricShort, TENDER_COLOURS, TENDER_LABELS, type Metric } from '../metrics.js';

const W = 900;
const H = 240;
const M = { left: 64, right: 12, top: 10, bottom: 28 };

interface Axis {
  y: (v: number) => number;
  ticks: number[];
}

function yAxis(lo: number, hi: number): Axis {
  const min = Math.min(0, lo);
  const max = hi <= min ? min + 1 : hi;
  const y = (v: number): number => M.top + (H - M.top - M.bottom) * (1 - (v - min) / (max - min));
  const ticks = [0, 1, 2, 3, 4].map((i) => min + ((max - min) * i) / 4);
  return { y, ticks };
}

function Frame(props: { axis: Axis; buckets: string[]; granularity: string; metric: Metric; currency: string; exponent: number; children: preact.ComponentChildren; label: string }) {
  const n = props.buckets.length;
  const every = Math.max(1, Math.ceil(n / 6));
  const x = (i: number): number => M.left + ((W - M.left - M.right) * (i + 0.5)) / Math.max(1, n);
  return (
    <svg class="chart" viewBox={`0 0 ${String(W)} ${String(H)}`} role="img" aria-label={props.label}>
      {props.axis.ticks.map((t) => (
        <g key={t}>
          <line class="grid" x1={M.left} x2={W - M.right} y1={props.axis.y(t)} y2={props.axis.y(t)} />
          <text class="tick" x={M.left - 6} y={props.axis.y(t) + 4} text-anchor="end">
            {formatMetricShort(props.metric, t, props.currency, props.exponent)}
          </text>
        </g>
      ))}
      {props.buckets.map((b, i) =>
        i % every === 0 ? (
          <text key={b} class="tick" x={x(i)} y={H - 8} text-anchor="middle">
            {formatBucket(b, props.granularity)}
          </text>
        ) : null,
      )}
      {props.children}
    </svg>
  );
}

/** The metric as a line, and the previous period dashed on the same bucket positions. */
export function LineChart(props: { buckets: string[]; values: number[]; previous?: number[] | undefined; granularity: string; metric: Metric; currency: string; exponent: number; label: string }) {
  const all = [...props.values, ...(props.previous ?? [])];
  const axis = yAxis(Math.min(0, ...all), Math.max(...all, 0));
  const n = props.buckets.length;
  const x = (i: number): number => M.left + ((W - M.left - M.right) * (i + 0.5)) / Math.max(1, n);
  const line = (vs: number[]): string => vs.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${axis.y(v).toFixed(1)}`).join('');
  return (
    <Frame {...props} axis={axis}>
      {props.previous !== undefined && <path class="line previous" d={line(props.previous)} />}
      <path class="line current" d={line(props.values)} />
    </Frame>
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
    <Frame {...props} axis={axis}>
      {bars}
    </Frame>
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
