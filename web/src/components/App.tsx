import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError, type StatusAnswer, type Store } from '../api.js';
import { useLoad } from '../hooks.js';
import { presetRange, scopeParams, type Range, type Scope } from '../query.js';
import { parseRoute, storeHref, type Route } from '../route.js';
import { forgetKey, saveKey, savedKey } from '../session.js';
import { DataQuality } from './DataQuality.js';
import { ForecastPage } from './ForecastPage.js';
import { OverviewPanel } from './OverviewPanel.js';
import { RangeBar } from './RangeBar.js';
import { SeriesPanel } from './SeriesPanel.js';
import { SignIn } from './SignIn.js';
import { StoreMap } from './StoreMap.js';
import { StorePage } from './StorePage.js';
import { PayoutPage } from './PayoutPage.js';
import { TopStores } from './TopStores.js';
import { TreasuryPage } from './TreasuryPage.js';
import { addDays } from '../time.js';

const route = (): Route => parseRoute(location.hash);

/** A store opened on one business day (a treasury drill-down) shows that day in the store's own time. */
const dayRange = (r: Route): Range | null => (r.page === 'store' && r.day !== null ? { from: r.day, to: addDays(r.day, 1), tz: 'store' } : null);

export function App() {
  const [key, setKey] = useState<string | null>(savedKey);
  const [status, setStatus] = useState<StatusAnswer | null>(null);
  const [where, setWhere] = useState(route);
  const [range, setRange] = useState<Range>(() => dayRange(route()) ?? presetRange(7, 'store'));
  const [scope, setScope] = useState<Scope>({ kind: 'all' });
  const api = useMemo(() => (key === null ? null : new Api(key)), [key]);

  useEffect(() => {
    const on = (): void => {
      const r = route();
      setWhere(r);
      const d = dayRange(r);
      if (d !== null) setRange(d);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);

  const signOut = (): void => {
    forgetKey();
    setKey(null);
    setStatus(null);
    setScope({ kind: 'all' });
  };

  // A key kept from earlier in the session is checked again; a revoked one signs out.
  useEffect(() => {
    if (api === null || status !== null) return;
    api.get<StatusAnswer>('/v1/status').then(setStatus, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) signOut();
    });
  }, [api, status]);

  if (key === null || api === null) {
    return (
      <SignIn
        onSignedIn={(k, s) => {
          saveKey(k);
          setKey(k);
          setStatus(s);
        }}
      />
    );
  }
  const open = (id: string): void => {
    location.hash = storeHref(id);
  };
  const treasury = where.page === 'treasury' || where.page === 'payout';
  const forecast = where.page === 'forecast';
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <h1>
          <a href="#/">Treasury Pay</a>
        </h1>
        <nav class="pages" aria-label="Pages">
          <a href="#/" aria-current={treasury || forecast ? undefined : 'page'}>
            Sales
          </a>
          <a href="#/treasury" aria-current={treasury ? 'page' : undefined}>
            Treasury
          </a>
          <a href="#/forecast" aria-current={forecast ? 'page' : undefined}>
            Forecast
          </a>
        </nav>
        {status !== null && (
          <span class="tenant" data-testid="tenant">
            {status.tenant} · {treasury ? 'amounts in each account’s currency' : `amounts in ${status.currency}`}
          </span>
        )}
        <button type="button" class="signout" onClick={signOut}>
          Sign out
        </button>
      </header>
      {!forecast && <RangeBar range={range} onChange={setRange} zones={!treasury} />}
      <div id="content">{status === null ? <p class="muted">Loading…</p> : <Page where={where} api={api} status={status} range={range} scope={scope} setScope={setScope} open={open} />}</div>
    </>
  );
}

function Page(props: { where: Route; api: Api; status: StatusAnswer; range: Range; scope: Scope; setScope: (s: Scope) => void; open: (id: string) => void }) {
  const { where, api, status, range } = props;
  switch (where.page) {
    case 'store':
      return <StorePage api={api} id={where.id} range={range} currency={status.currency} exponent={status.exponent} onBack={() => (location.hash = '#/')} />;
    case 'treasury':
      return <TreasuryPage api={api} range={range} />;
    case 'payout':
      return <PayoutPage api={api} id={where.id} />;
    case 'forecast':
      return <ForecastPage api={api} />;
    case 'dashboard':
      return <Dashboard {...props} />;
  }
}

function Dashboard(props: { api: Api; status: StatusAnswer; range: Range; scope: Scope; setScope: (s: Scope) => void; open: (id: string) => void }) {
  const { api, status, range, scope } = props;
  const sp = scopeParams(scope);
  const scopeKey = JSON.stringify(sp);
  // The registry changes rarely: the whole of it once a minute, the scoped part when the scope changes.
  const all = useLoad(() => api.get<{ stores: Store[] }>('/v1/stores'), [api], 60_000);
  const scoped = useLoad(() => (scope.kind === 'all' ? Promise.resolve(undefined) : api.get<{ stores: Store[] }>('/v1/stores', sp)), [api, scopeKey]);
  const stores = all.data?.stores ?? [];
  const inScope = scope.kind === 'all' ? all.data?.stores : scoped.data?.stores;
  const byId = useMemo(() => new Map(stores.map((s) => [s.store_id, s])), [stores]);
  const money = { currency: status.currency, exponent: status.exponent };
  return (
    <main class="grid">
      {inScope !== undefined && <OverviewPanel api={api} stores={inScope} cutoff={status.business_day_cutoff} money={money} scopeKey={scopeKey} />}
      <StoreMap api={api} stores={stores} range={range} scope={scope} onScope={props.setScope} onOpenStore={props.open} {...money} />
      <TopStores api={api} range={range} scope={sp} scopeKey={scopeKey} stores={byId} onOpenStore={props.open} />
      <SeriesPanel api={api} range={range} scope={sp} scopeKey={scopeKey} {...money} />
      <DataQuality api={api} exponent={status.exponent} />
    </main>
  );
}
