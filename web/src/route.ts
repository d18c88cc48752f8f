/**
 * The page a location hash names, and the hashes the pages link to:
 *
 * - `#/`: sales dashboard;
 * - `#/store/<id>`: a store; `#/store/<id>?day=YYYY-MM-DD` opens it on one business day;
 * - `#/treasury`: the treasury page;
 * - `#/forecast`: forecast accuracy;
 * - `#/treasury/payout/<id>`: one expected payout and its store/day lines.
 */
export type Route =
  | { page: 'dashboard' }
  | { page: 'store'; id: string; day: string | null }
  | { page: 'treasury' }
  | { page: 'forecast' }
  | { page: 'payout'; id: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseRoute(hash: string): Route {
  if (hash === '#/treasury') return { page: 'treasury' };
  if (hash === '#/forecast') return { page: 'forecast' };
  if (hash.startsWith('#/treasury/payout/')) return { page: 'payout', id: decodeURIComponent(hash.slice('#/treasury/payout/'.length)) };
  if (hash.startsWith('#/store/')) {
    const rest = hash.slice('#/store/'.length);
    const q = rest.indexOf('?day=');
    const day = q < 0 ? null : rest.slice(q + 5);
    const id = decodeURIComponent(q < 0 ? rest : rest.slice(0, q));
    if (id !== '') return { page: 'store', id, day: day !== null && DAY.test(day) ? day : null };
  }
  return { page: 'dashboard' };
}

export function storeHref(id: string, day?: string): string {
  return `#/store/${encodeURIComponent(id)}${day === undefined ? '' : `?day=${day}`}`;
}

export function payoutHref(id: string): string {
  return `#/treasury/payout/${encodeURIComponent(id)}`;
}
