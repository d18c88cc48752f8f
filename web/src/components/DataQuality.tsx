import type { Api, DeadLetter, Restatement } from '../api.js';
import { formatCount, formatDay, formatInstant, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { Panel } from './Panel.js';

const DEAD_LETTER_LIMIT = 10000;
const RESTATEMENT_LIMIT = 50;

/** Rejected lines by reject code, and days changed after they closed. */
export function DataQuality(props: { api: Api; exponent: number }) {
  const dead = useLoad(() => props.api.get<{ items: DeadLetter[] }>('/v1/dead-letters', { status: 'open', limit: DEAD_LETTER_LIMIT }), [props.api], 30_000);
  const rest = useLoad(() => props.api.get<{ items: Restatement[] }>('/v1/restatements', { limit: RESTATEMENT_LIMIT }), [props.api], 30_000);
  const byCode = new Map<string, { count: number; example: string; last: number }>();
  for (const d of dead.data?.items ?? []) {
    const c = byCode.get(d.code);
    if (c === undefined) byCode.set(d.code, { count: 1, example: d.message, last: d.received_at });
    else {
      c.count++;
      c.last = Math.max(c.last, d.received_at);
    }
  }
  const codes = [...byCode.entries()].sort((a, b) => b[1].count - a[1].count);
  const capped = (dead.data?.items.length ?? 0) >= DEAD_LETTER_LIMIT;
  return (
    <Panel id="quality" title="Data quality" error={dead.error ?? rest.error}>
      <div class="two">
        <div>
          <h3 class="sub">Rejected lines waiting for replay, by code</h3>
          <table class="data" data-testid="dead-letters">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col" class="num">Lines</th>
                <th scope="col">Example</th>
                <th scope="col">Latest</th>
              </tr>
            </thead>
            <tbody>
              {codes.map(([code, c]) => (
                <tr key={code} data-code={code}>
                  <th scope="row">
                    <code>{code}</code>
                  </th>
                  <td class="num">{formatCount(c.count)}</td>
                  <td class="clip">{c.example}</td>
                  <td>{formatInstant(new Date(c.last).toISOString())}</td>
                </tr>
              ))}
              {dead.data !== undefined && codes.length === 0 && (
                <tr>
                  <td colSpan={4}>No rejected lines.</td>
                </tr>
              )}
            </tbody>
          </table>
          {capped && <p class="muted">Counted over the newest {formatCount(DEAD_LETTER_LIMIT)} rejected lines.</p>}
        </div>
        <div>
          <h3 class="sub">Restatements: records that changed a day after it closed</h3>
          <div class="table-wrap">
          <table class="data" data-testid="restatements">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Business day</th>
                <th scope="col">Transaction</th>
                <th scope="col" class="num">Net sales change</th>
                <th scope="col">Arrived</th>
              </tr>
            </thead>
            <tbody>
              {(rest.data?.items ?? []).map((r) => (
                <tr key={`${r.txn_id}-${r.received_at}`}>
                  <td>
                    <a href={`#/store/${encodeURIComponent(r.store_id)}`}>{r.store_id}</a>
                  </td>
                  <td>{formatDay(r.business_day)}</td>
                  <td>
                    <code>{r.txn_id}</code> ({r.type})
                  </td>
                  <td class="num">{formatMoney(r.net_sales, r.currency, props.exponent)}</td>
                  <td>{formatInstant(r.received_at)}</td>
                </tr>
              ))}
              {rest.data !== undefined && rest.data.items.length === 0 && (
                <tr>
                  <td colSpan={5}>No day has changed after its close.</td>
                </tr>
              )}
            </tbody>
          </table>
          </div>
          {(rest.data?.items.length ?? 0) >= RESTATEMENT_LIMIT && <p class="muted">The newest {RESTATEMENT_LIMIT} restatements.</p>}
        </div>
      </div>
    </Panel>
  );
}
