import { formatDay, formatMoneyShort } from '../format.js';
import { bandX, Frame, M, W, yAxis } from './Charts.js';

/** Okabe–Ito colours, as the tender colours: distinct for the common colour-vision deficiencies. */
export const FLOW_COLOURS = { expected: '#0072B2', arrived: '#009E73', notExpected: '#D55E00', owed: '#E69F00', forecast: '#CC79A7' } as const;

export interface Series {
  name: string;
  colour: string;
  values: number[];
}

const shortDay = (d: string): string => formatDay(d);

/** Bars side by side per day, one per series (negative amounts hang below zero). */
export function GroupedBars(props: { days: string[]; series: Series[]; currency: string; exponent: number; label: string; testId?: string }) {
  const all = props.series.flatMap((s) => s.values);
  const axis = yAxis(Math.min(0, ...all), Math.max(0, ...all));
  const n = props.days.length;
  const band = (W - M.left - M.right) / Math.max(1, n);
  const width = (band * 0.8) / Math.max(1, props.series.length);
  return (
    <Frame axis={axis} buckets={props.days} bucketLabel={shortDay} tick={(t) => formatMoneyShort(t, props.currency, props.exponent)} label={props.label} testId={props.testId}>
      {props.series.map((s, k) =>
        s.values.map((v, i) =>
          v === 0 ? null : <rect key={`${s.name}-${String(i)}`} x={M.left + band * i + band * 0.1 + width * k} width={Math.max(0.5, width)} y={axis.y(Math.max(0, v))} height={Math.max(0.5, Math.abs(axis.y(v) - axis.y(0)))} fill={s.colour} />,
        ),
      )}
      <line class="zero" x1={M.left} x2={W - M.right} y1={axis.y(0)} y2={axis.y(0)} />
    </Frame>
  );
}

/**
 * A balance projection: money owed per day as bars, the balance as a solid
 * line, and, where forecast money adds to it, the balance with forecast as
 * a dashed line (the forecast part is marked, never blended in).
 */
export function BalanceChart(props: { days: string[]; owed: number[]; balance: (number | null)[]; withForecast: (number | null)[] | null; currency: string; exponent: number; label: string; testId?: string }) {
  const known = (vs: (number | null)[]): number[] => vs.filter((v): v is number => v !== null);
  const all = [...props.owed, ...known(props.balance), ...known(props.withForecast ?? [])];
  const axis = yAxis(Math.min(0, ...all), Math.max(0, ...all));
  const n = props.days.length;
  const band = (W - M.left - M.right) / Math.max(1, n);
  const line = (vs: (number | null)[]): string => {
    let d = '';
    let pen = false;
    vs.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${bandX(i, n).toFixed(1)},${axis.y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  return (
    <Frame axis={axis} buckets={props.days} bucketLabel={shortDay} tick={(t) => formatMoneyShort(t, props.currency, props.exponent)} label={props.label} testId={props.testId}>
      {props.owed.map((v, i) => (v === 0 ? null : <rect key={`o${String(i)}`} x={M.left + band * i + band * 0.25} width={Math.max(0.5, band * 0.5)} y={axis.y(Math.max(0, v))} height={Math.max(0.5, Math.abs(axis.y(v) - axis.y(0)))} fill={FLOW_COLOURS.owed} />))}
      <line class="zero" x1={M.left} x2={W - M.right} y1={axis.y(0)} y2={axis.y(0)} />
      {props.withForecast !== null && <path class="line forecast" d={line(props.withForecast)} />}
      <path class="line current" d={line(props.balance)} />
      {props.balance.map((v, i) => (v === null ? null : <circle key={`b${String(i)}`} class="dot" cx={bandX(i, n)} cy={axis.y(v)} r={n > 40 ? 1.5 : 3} />))}
    </Frame>
  );
}

export function SeriesLegend(props: { items: { name: string; colour: string; dashed?: boolean; line?: boolean }[] }) {
  return (
    <ul class="legend" aria-label="Legend">
      {props.items.map((s) => (
        <li key={s.name}>
          {s.line === true ? <span class={`key${s.dashed === true ? ' dashed' : ''}`} style={{ borderTopColor: s.colour }} aria-hidden="true" /> : <span class="swatch" style={{ background: s.colour }} aria-hidden="true" />} {s.name}
        </li>
      ))}
    </ul>
  );
}
