import type { Api } from '../api.js';
import { accuracyRows, scaleOf, type AccuracyRow } from '../backtest-rows.js';
import { loadBacktest } from '../forecast-api.js';
import { formatCount, formatDay, formatPercent } from '../format.js';
import { useLoad } from '../hooks.js';
import { Panel } from './Panel.js';

const LEVEL_LABELS: Record<string, string> = { store: 'Store', city: 'City', region: 'Region', country: 'Country', tenant: 'Tenant' };
const GRAIN_LABELS: Record<string, string> = { day: 'Day', week: 'Week (ISO)' };

const fixed = (v: number | null, digits: number): string => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const share = (v: number | null): string => (v === null || !Number.isFinite(v) ? '–' : new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 }).format(v));
const change = (v: number | null): string => (v === null ? '–' : formatPercent(v));
const attr = (v: number | null): string | undefined => (v === null ? undefined : String(v));

/**
 * Forecast accuracy: the stored rolling-origin backtest per level and
 * grain, the model against the seasonal-naive baseline (MASE and sMAPE,
 * lower is better) and how often the actuals fell inside the 80 % and
 * 95 % intervals.
 */
export function ForecastPage(props: { api: Api }) {
  const { api } = props;
  const backtest = useLoad(() => loadBacktest(api), [api]);
  const b = backtest.data;
  const model = b?.model;
  const rows = b === undefined || b === null ? [] : accuracyRows(b.rows);
  return (
    <main class="forecast-page" aria-labelledby="forecast-title">
      <h1 id="forecast-title">Forecast accuracy</h1>
      <p class="muted">
        How well the net sales forecasts did on past data: at past dates the forecast was made from the days before only and compared with what was sold after. MASE and sMAPE are errors (lower is better), each next to the seasonal-naive baseline (the same weekday last week; the same week last year for weeks).
      </p>
      <Panel id="backtest" title="Backtest by level" error={backtest.error}>
        {b === null && (
          <p class="notice" data-testid="backtest-empty">
            <strong>No backtest yet.</strong> It is stored with the forecasts by <code>tpay batch forecast</code> and by the running platform after each business-day close.
          </p>
        )}
        {b !== undefined && b !== null && (
          <>
            <p data-testid="backtest-meta" data-as-of={b.as_of} data-model={model}>
              As of <strong>{formatDay(b.as_of)}</strong>
              {model !== undefined && (
                <>
                  {' '}
                  · model <strong>{model}</strong>
                </>
              )}
              {b.origins !== undefined && b.origins.length > 0 && <> · forecasts made as of {b.origins.map(formatDay).join(', ')} and scored on the days after</>}
            </p>
            <AccuracyTable rows={rows} />
            <p class="muted">
              Improvement is 1 − model ÷ baseline: positive when the model's error is smaller. Coverage is the share of actual days (or weeks) inside the interval; well-calibrated intervals cover close to 80 % and 95 %. Bars share a scale per column: <span class="swatch model" aria-hidden="true" /> model, <span class="swatch baseline" aria-hidden="true" /> seasonal naive.
            </p>
          </>
        )}
      </Panel>
    </main>
  );
}

function ErrorBars(props: { model: number | null; baseline: number | null; scale: number }) {
  const w = (v: number | null): string => `${String(props.scale > 0 && v !== null ? Math.max(0, Math.min(100, (100 * v) / props.scale)) : 0)}%`;
  return (
    <span class="err-bars" aria-hidden="true">
      <span class="bar model" style={{ width: w(props.model) }} />
      <span class="bar baseline" style={{ width: w(props.baseline) }} />
    </span>
  );
}

function Coverage(props: { value: number | null; gap: number | null; nominal: number; field: string }) {
  const off = props.gap !== null && Math.abs(props.gap) > 0.05;
  return (
    <td class={`num ${off ? 'off' : ''}`} data-field={props.field} data-value={attr(props.value)}>
      {share(props.value)} <span class="muted">({props.gap === null ? '–' : `${props.gap >= 0 ? '+' : '−'}${(Math.abs(props.gap) * 100).toFixed(1)} pt vs ${String(props.nominal)} %`})</span>
    </td>
  );
}

function AccuracyTable(props: { rows: AccuracyRow[] }) {
  const mase = scaleOf(props.rows, 'mase');
  const smape = scaleOf(props.rows, 'smape');
  return (
    <div class="table-wrap">
      <table class="data accuracy" data-testid="backtest-table">
        <thead>
          <tr>
            <th scope="col">Level</th>
            <th scope="col">Grain</th>
            <th scope="col" class="num">Series</th>
            <th scope="col" class="num">Forecasts</th>
            <th scope="col" class="num">MASE</th>
            <th scope="col" class="num">Baseline</th>
            <th scope="col" class="num">Improvement</th>
            <th scope="col" class="num">sMAPE (%)</th>
            <th scope="col" class="num">Baseline</th>
            <th scope="col" class="num">Improvement</th>
            <th scope="col" class="num">80 % coverage</th>
            <th scope="col" class="num">95 % coverage</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={`${r.level}/${r.grain}`} data-level={r.level} data-grain={r.grain}>
              <th scope="row">{LEVEL_LABELS[r.level] ?? r.level}</th>
              <td>{GRAIN_LABELS[r.grain] ?? r.grain}</td>
              <td class="num" data-field="series" data-value={r.series}>
                {formatCount(r.series)}
              </td>
              <td class="num" data-field="forecasts" data-value={r.forecasts}>
                {formatCount(r.forecasts)}
              </td>
              <td class="num" data-field="mase" data-value={attr(r.mase)}>
                {fixed(r.mase, 3)}
                <ErrorBars model={r.mase} baseline={r.baseline_mase} scale={mase} />
              </td>
              <td class="num muted" data-field="baseline_mase" data-value={attr(r.baseline_mase)}>
                {fixed(r.baseline_mase, 3)}
              </td>
              <td class={`num gain ${(r.mase_gain ?? 0) < 0 ? 'worse' : 'better'}`} data-field="mase_gain" data-value={attr(r.mase_gain)}>
                {change(r.mase_gain)}
              </td>
              <td class="num" data-field="smape" data-value={attr(r.smape)}>
                {fixed(r.smape, 2)}
                <ErrorBars model={r.smape} baseline={r.baseline_smape} scale={smape} />
              </td>
              <td class="num muted" data-field="baseline_smape" data-value={attr(r.baseline_smape)}>
                {fixed(r.baseline_smape, 2)}
              </td>
              <td class={`num gain ${(r.smape_gain ?? 0) < 0 ? 'worse' : 'better'}`} data-field="smape_gain" data-value={attr(r.smape_gain)}>
                {change(r.smape_gain)}
              </td>
              <Coverage value={r.coverage_80} gap={r.coverage_80_gap} nominal={80} field="coverage_80" />
              <Coverage value={r.coverage_95} gap={r.coverage_95_gap} nominal={95} field="coverage_95" />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
