import { useState } from 'preact/hooks';
import type { Api, Params, Store } from '../api.js';
import { countryName } from '../format.js';
import { useLoad } from '../hooks.js';
import { formatMetric, METRIC_LABELS, type Metric } from '../metrics.js';
import { rangeParams, type Range } from '../query.js';
import { Panel } from './Panel.js';

const COLUMNS: Metric[] = ['net_sales', 'sale_count', 'avg_basket', 'refunds'];
const ROWS = 20;

/** The top stores of the scope; a column header ranks by that metric (asked of the API, not sorted locally). */
export function TopStores(props: { api: Api; range: Range; scope: Params; scopeKey: string; stores: ReadonlyMap<string, Store>; onOpenStore: (id: string) => void }) {
  const [sort, setSort] = useState<{ metric: Metric; order: 'desc' | 'asc' }>({ metric: 'net_sales', order: 'desc' });
  const top = useLoad(
    () => props.api.top({ metric: sort.metric, order: sort.order, metrics: COLUMNS.join(','), by: 'store', limit: ROWS, ...rangeParams(props.range), ...props.scope }),
    [props.api, props.range.from, props.range.to, props.range.tz, props.scopeKey, sort.metric, sort.order],
  );
  const a = top.data;
  return (
    <Panel id="top" title="Top stores" error={top.error}>
      <div class="table-wrap">
        <table class="data" data-testid="top-table" aria-busy={top.loading}>
          <caption class="sr-only">
            Top {ROWS} stores by {METRIC_LABELS[sort.metric]}, {sort.order === 'desc' ? 'highest first' : 'lowest first'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Store</th>
              <th scope="col">City</th>
              {COLUMNS.map((m) => (
                <th key={m} scope="col" class="num" aria-sort={sort.metric === m ? (sort.order === 'desc' ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" class="sort" data-sort={m} onClick={() => setSort((s) => ({ metric: m, order: s.metric === m && s.order === 'desc' ? 'asc' : 'desc' }))}>
                    {METRIC_LABELS[m]}
                    <span aria-hidden="true">{sort.metric === m ? (sort.order === 'desc' ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {a?.rows.map((r) => {
              const id = r.key['store'] ?? '';
              const s = props.stores.get(id);
              return (
                <tr key={id} data-store={id}>
                  <th scope="row">
                    <a href={`#/store/${encodeURIComponent(id)}`} onClick={(e) => { e.preventDefault(); props.onOpenStore(id); }}>
                      {s?.name ?? id}
                    </a>{' '}
                    <span class="muted">{id}</span>
                  </th>
                  <td>{s === undefined ? '' : `${s.city}, ${countryName(s.country)}`}</td>
                  {COLUMNS.map((m) => (
                    <td key={m} class="num" data-metric={m} data-value={String(r[m])}>
                      {formatMetric(m, r[m] as number | null, a.currency, a.exponent)}
                    </td>
                  ))}
                </tr>
              );
            })}
            {a !== undefined && a.rows.length === 0 && (
              <tr>
                <td colSpan={2 + COLUMNS.length}>No sales in this range and scope.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
