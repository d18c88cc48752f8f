import { geoCircle, geoDistance, geoMercator, geoPath } from 'd3-geo';
import { cellToBoundary } from 'h3-js';
import { useMemo, useRef, useState } from 'preact/hooks';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';
import type { Api, Store } from '../api.js';
import { countryName, formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import { rangeParams, roundCoord, scopeText, type Range, type Scope } from '../query.js';
import { Panel } from './Panel.js';

const W = 760;
const H = 440;
/** Mean Earth radius (km), as the API's great-circle distance uses. */
const EARTH_KM = 6371.0088;
const COUNTRIES = feature(world, world.objects.countries).features;

type Mode = 'pan' | 'box' | 'radius';
type View = { k: number; tx: number; ty: number };
type Drag = { mode: Mode; x0: number; y0: number; x: number; y: number; view: View };

/** Light to dark blue by share of the maximum: readable on white, ordered for colour-blind readers. */
function shade(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return `rgb(${mix(222, 8)},${mix(235, 48)},${mix(247, 107)})`;
}

/** Latitude of the square Web Mercator world's top and bottom edges. */
const MERCATOR_MAX_LAT = 85.0511;

export function StoreMap(props: { api: Api; stores: readonly Store[]; range: Range; scope: Scope; onScope: (s: Scope) => void; onOpenStore: (id: string) => void; currency: string; exponent: number }) {
  const [view, setView] = useState<View>({ k: 1, tx: 0, ty: 60 });
  const [mode, setMode] = useState<Mode>('pan');
  const [layer, setLayer] = useState<'circles' | 'hexagons'>('circles');
  const [res, setRes] = useState(3);
  const [drag, setDrag] = useState<Drag | null>(null);
  const svg = useRef<SVGSVGElement>(null);

  const projection = useMemo(() => geoMercator().scale((W / (2 * Math.PI)) * view.k).translate([W / 2 + view.tx, H / 2 + view.ty]), [view]);
  const path = useMemo(() => geoPath(projection), [projection]);

  const values = useLoad(
    () => props.api.top({ metric: 'net_sales', by: layer === 'circles' ? 'store' : `h3:${String(res)}`, limit: 10000, ...rangeParams(props.range) }),
    [props.api, props.range.from, props.range.to, props.range.tz, layer, res],
  );
  const rows = values.data?.rows ?? [];
  const max = Math.max(1, ...rows.map((r) => Math.max(0, Number(r['net_sales'] ?? 0))));
  const byStore = new Map(rows.map((r) => [r.key['store'] ?? '', Number(r['net_sales'] ?? 0)]));

  /** Client coordinates → SVG user units. */
  const point = (e: PointerEvent | WheelEvent): [number, number] => {
    const r = svg.current!.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * W, ((e.clientY - r.top) / r.height) * H];
  };
  const zoomAt = (factor: number, px = W / 2, py = H / 2): void => {
    setView((v) => {
      const k = Math.max(1, Math.min(256, v.k * factor));
      const f = k / v.k;
      const cx = W / 2 + v.tx;
      const cy = H / 2 + v.ty;
      return { k, tx: px - (px - cx) * f - W / 2, ty: py - (py - cy) * f - H / 2 };
    });
  };
  const finish = (d: Drag): void => {
    const a = projection.invert?.([d.x0, d.y0]);
    const b = projection.invert?.([d.x, d.y]);
    if (a === null || a === undefined || b === null || b === undefined) return;
    if (d.mode === 'box' && Math.abs(d.x - d.x0) > 3 && Math.abs(d.y - d.y0) > 3) {
      props.onScope({ kind: 'bbox', west: roundCoord(Math.min(a[0], b[0])), south: roundCoord(Math.min(a[1], b[1])), east: roundCoord(Math.max(a[0], b[0])), north: roundCoord(Math.max(a[1], b[1])) });
    } else if (d.mode === 'radius') {
      const km = Math.round(geoDistance(a, b) * EARTH_KM * 10) / 10;
      if (km > 0) props.onScope({ kind: 'radius', lat: roundCoord(a[1]), lon: roundCoord(a[0]), km });
    }
  };

  const onDown = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    const [x, y] = point(e);
    setDrag({ mode, x0: x, y0: y, x, y, view });
  };
  const onMove = (e: PointerEvent): void => {
    if (drag === null) return;
    const [x, y] = point(e);
    // Captured only once it is a drag, so that a plain click still reaches a store's circle.
    const el = e.currentTarget as Element;
    if (!el.hasPointerCapture(e.pointerId) && Math.hypot(x - drag.x0, y - drag.y0) > 3) el.setPointerCapture(e.pointerId);
    if (drag.mode === 'pan') setView({ ...drag.view, tx: drag.view.tx + x - drag.x0, ty: drag.view.ty + y - drag.y0 });
    else setDrag({ ...drag, x, y });
  };
  const onUp = (e: PointerEvent): void => {
    if (drag === null) return;
    const [x, y] = point(e);
    const d = { ...drag, x, y };
    setDrag(null);
    if (d.mode !== 'pan') finish(d);
  };
  const onKey = (e: KeyboardEvent): void => {
    const step = 40;
    const moves: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[e.key];
    if (m !== undefined) {
      e.preventDefault();
      setView((v) => ({ ...v, tx: v.tx + m[0], ty: v.ty + m[1] }));
    } else if (e.key === '+' || e.key === '=') zoomAt(1.5);
    else if (e.key === '-') zoomAt(1 / 1.5);
  };

  const scopeShape = (): preact.JSX.Element | null => {
    const s = props.scope;
    if (s.kind === 'bbox') {
      // Mercator sends the poles to infinity: a box typed up to ±90° is drawn to the map's edge (±85.05°).
      const lat = (v: number): number => Math.max(-MERCATOR_MAX_LAT, Math.min(MERCATOR_MAX_LAT, v));
      const [x1, y1] = projection([s.west, lat(s.north)]) ?? [0, 0];
      const [x2, y2] = projection([s.east, lat(s.south)]) ?? [0, 0];
      return <rect class="scope" x={Math.min(x1, x2)} y={Math.min(y1, y2)} width={Math.abs(x2 - x1)} height={Math.abs(y2 - y1)} />;
    }
    if (s.kind === 'radius') return <path class="scope" d={path(geoCircle().center([s.lon, s.lat]).radius((s.km / EARTH_KM) * (180 / Math.PI))()) ?? ''} />;
    return null;
  };
  const dragShape = (): preact.JSX.Element | null => {
    if (drag === null || drag.mode === 'pan') return null;
    if (drag.mode === 'box') return <rect class="drawing" x={Math.min(drag.x0, drag.x)} y={Math.min(drag.y0, drag.y)} width={Math.abs(drag.x - drag.x0)} height={Math.abs(drag.y - drag.y0)} />;
    const r = Math.hypot(drag.x - drag.x0, drag.y - drag.y0);
    return <circle class="drawing" cx={drag.x0} cy={drag.y0} r={r} />;
  };

  const legend = layer === 'circles' ? 'Circle area: net sales of the store over the range.' : `Hexagons (H3 resolution ${String(res)}) coloured by net sales over the range.`;
  return (
    <Panel
      id="map"
      title="Stores on the map"
      error={values.error}
      actions={
        <div class="toolbar" role="toolbar" aria-label="Map tools">
          <div class="seg" role="radiogroup" aria-label="Mouse action">
            {(['pan', 'box', 'radius'] as const).map((m) => (
              <button key={m} type="button" role="radio" aria-checked={mode === m} class={mode === m ? 'on' : ''} onClick={() => setMode(m)}>
                {m === 'pan' ? 'Pan' : m === 'box' ? 'Draw box' : 'Pick radius'}
              </button>
            ))}
          </div>
          <label>
            Show{' '}
            <select value={layer} onChange={(e) => setLayer(e.currentTarget.value as 'circles' | 'hexagons')}>
              <option value="circles">Store circles</option>
              <option value="hexagons">H3 hexagons</option>
            </select>
          </label>
          {layer === 'hexagons' && (
            <label>
              Resolution{' '}
              <select value={res} onChange={(e) => setRes(Number(e.currentTarget.value))}>
                {[1, 2, 3, 4, 5, 6, 7].map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" aria-label="Zoom in" onClick={() => zoomAt(1.5)}>
            +
          </button>
          <button type="button" aria-label="Zoom out" onClick={() => zoomAt(1 / 1.5)}>
            −
          </button>
          <button type="button" onClick={() => setView({ k: 1, tx: 0, ty: 60 })}>
            Whole world
          </button>
        </div>
      }
    >
      <svg
        ref={svg}
        class={`map mode-${mode}`}
        viewBox={`0 0 ${String(W)} ${String(H)}`}
        role="img"
        tabIndex={0}
        aria-label={`World map of stores. ${legend} Arrow keys pan, plus and minus zoom. Current scope: ${scopeText(props.scope)}.`}
        data-testid="map"
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={() => setDrag(null)}
        onWheel={(e) => {
          e.preventDefault();
          const [x, y] = point(e);
          zoomAt(e.deltaY < 0 ? 1.25 : 1 / 1.25, x, y);
        }}
        onKeyDown={onKey}
      >
        <rect class="sea" width={W} height={H} />
        <g class="countries">
          {COUNTRIES.map((f, i) => (
            <path key={i} d={path(f) ?? ''} />
          ))}
        </g>
        {layer === 'hexagons' && (
          <g class="hexes">
            {rows.map((r) => {
              const cell = r.key['h3'] ?? '';
              const pts = cellToBoundary(cell).map(([lat, lon]) => projection([lon, lat]) ?? [0, 0]);
              const v = Number(r['net_sales'] ?? 0);
              return (
                <polygon key={cell} points={pts.map((p) => p.join(',')).join(' ')} fill={shade(v / max)}>
                  <title>{`${cell}: ${formatMoney(v, props.currency, props.exponent)}`}</title>
                </polygon>
              );
            })}
          </g>
        )}
        {layer === 'circles' && (
          <g class="stores">
            {props.stores.map((s) => {
              const p = projection([s.lon, s.lat]);
              if (p === null) return null;
              const v = byStore.get(s.store_id) ?? 0;
              return (
                <circle key={s.store_id} cx={p[0]} cy={p[1]} r={2 + 16 * Math.sqrt(Math.max(0, v) / max)} data-store={s.store_id} onClick={() => mode === 'pan' && props.onOpenStore(s.store_id)}>
                  <title>{`${s.name} (${s.city}): ${formatMoney(v, props.currency, props.exponent)}`}</title>
                </circle>
              );
            })}
          </g>
        )}
        {scopeShape()}
        {dragShape()}
      </svg>
      <p class="muted">
        {legend} Choose <strong>Draw box</strong> or <strong>Pick radius</strong> and drag on the map to scope every other panel.
      </p>
      <ScopeForm scope={props.scope} onScope={props.onScope} stores={props.stores} />
    </Panel>
  );
}

/** The scope as text fields: the keyboard way to set what the mouse draws. */
function ScopeForm(props: { scope: Scope; onScope: (s: Scope) => void; stores: readonly Store[] }) {
  const s = props.scope;
  const countries = [...new Set(props.stores.map((x) => x.country))].sort();
  const regions = [...new Set(props.stores.map((x) => x.region))].sort();
  const place = s.kind === 'country' ? `country:${s.country}` : s.kind === 'region' ? `region:${s.region}` : '';
  const [bbox, setBbox] = useState('');
  const [radius, setRadius] = useState('');
  const [error, setError] = useState<string | null>(null);
  const nums = (t: string, n: number): number[] | null => {
    const v = t.split(',').map((x) => Number(x.trim()));
    return v.length === n && v.every((x) => Number.isFinite(x)) ? v : null;
  };
  return (
    <div class="scope-form">
      <p>
        Scope: <output data-testid="scope" data-scope={JSON.stringify(s)}>{scopeText(s)}</output>{' '}
        {s.kind !== 'all' && (
          <button type="button" onClick={() => props.onScope({ kind: 'all' })}>
            Clear scope
          </button>
        )}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const v = nums(bbox, 4);
          if (v === null || v[1]! > v[3]!) return setError('A box is four numbers: west, south, east, north (south ≤ north).');
          setError(null);
          props.onScope({ kind: 'bbox', west: v[0]!, south: v[1]!, east: v[2]!, north: v[3]! });
        }}
      >
        <label>
          Box (west, south, east, north) <input value={bbox} placeholder="-10, 35, 30, 60" onInput={(e) => setBbox(e.currentTarget.value)} />
        </label>
        <button type="submit">Apply box</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const v = nums(radius, 3);
          if (v === null || v[2]! <= 0) return setError('A radius is three numbers: latitude, longitude, km (km > 0).');
          setError(null);
          props.onScope({ kind: 'radius', lat: v[0]!, lon: v[1]!, km: v[2]! });
        }}
      >
        <label>
          Radius (lat, lon, km) <input value={radius} placeholder="48.85, 2.35, 500" onInput={(e) => setRadius(e.currentTarget.value)} />
        </label>
        <button type="submit">Apply radius</button>
      </form>
      <label>
        Country or region{' '}
        <select
          value={place}
          data-testid="scope-place"
          onChange={(e) => {
            const v = e.currentTarget.value;
            const colon = v.indexOf(':');
            const kind = v.slice(0, colon);
            const name = v.slice(colon + 1);
            setError(null);
            if (colon > 0 && kind === 'country') props.onScope({ kind: 'country', country: name });
            else if (colon > 0 && kind === 'region') props.onScope({ kind: 'region', region: name });
            else props.onScope({ kind: 'all' });
          }}
        >
          <option value="">All</option>
          <optgroup label="Countries">
            {countries.map((c) => (
              <option key={c} value={`country:${c}`}>
                {countryName(c)}
              </option>
            ))}
          </optgroup>
          <optgroup label="Regions">
            {regions.map((r) => (
              <option key={r} value={`region:${r}`}>
                {r}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
