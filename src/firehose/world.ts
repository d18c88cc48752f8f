/**
 * A generated world: tenants (retailers) and their stores placed in real
 * cities, deterministic for a seed. The records generator and the file
 * writer both start from a `World`.
 */
import type { Store } from '../domain/store.js';
import { CITIES, type City } from './cities.js';
import { countryProfile, type Country, type Region } from './countries.js';
import { FirehoseOptionError, checkInteger } from './errors.js';
import { OPENING_HOURS, type OpeningHours } from './opening-hours.js';
import { Prng } from './prng.js';
import { SettlementPlanner } from './settlement.js';

export interface WorldOptions {
  /** Any integer; the same seed always builds the same world. */
  seed: number;
  /** Number of tenants (retailers), 1..100. Default 3. */
  tenants?: number;
  /** Stores across all tenants, at least one per tenant. Default 3000. */
  stores?: number;
  /** Inclusive range of terminals (tills) per store. Default [2, 6]. */
  terminalsPerStore?: readonly [number, number];
}

/** A tenant as `tenants.json` describes it. */
export interface FirehoseTenant {
  tenant_id: string;
  name: string;
  /** ISO 4217 code the tenant reports in. */
  reporting_currency: string;
  /** Local time at which the sales day ends, `HH:MM` between 00:00 and 05:00. */
  business_day_cutoff: string;
}

/** A store plus what the generator needs to simulate it. */
export interface StoreSite {
  store: Store;
  country: Country;
  /** Consumption-tax rate in basis points that applies in the store's city. */
  taxBp: number;
  hours: OpeningHours;
  /** Number of terminals; they are named `<store_id>-T1` … `-Tn`. */
  terminals: number;
  /** Relative size: multiplies the mean sales per day (lognormal around 1). */
  size: number;
}

export interface TenantWorld {
  tenant: FirehoseTenant;
  /** The registry: what `stores.json` / `stores.csv` contain. */
  stores: Store[];
  /** Same order as `stores`. */
  sites: StoreSite[];
}

export interface World {
  seed: number;
  tenants: TenantWorld[];
}

interface TenantTemplate {
  id: string;
  name: string;
  brand: string;
  reporting: string;
  /** Relative weight of each region when placing stores (missing = 1). */
  affinity: Partial<Record<Region, number>>;
}

const TEMPLATES: readonly TenantTemplate[] = [
  { id: 'acme', name: 'Acme Retail Group Inc.', brand: 'Acme', reporting: 'USD', affinity: {} },
  { id: 'globex', name: 'Globex Stores plc', brand: 'Globex', reporting: 'EUR', affinity: { 'EMEA-North': 4, 'EMEA-South': 4, 'EMEA-MiddleEast': 2, 'EMEA-Africa': 2 } },
  { id: 'umbrella', name: 'Umbrella Mart K.K.', brand: 'Umbrella', reporting: 'JPY', affinity: { 'APAC-North': 5, 'APAC-South': 3, 'APAC-Oceania': 3 } },
  { id: 'initech', name: 'Initech Outfitters Ltd.', brand: 'Initech', reporting: 'CAD', affinity: { 'AMER-North': 5, 'AMER-South': 3 } },
  { id: 'soylent', name: 'Soylent Markets Pty Ltd', brand: 'Soylent', reporting: 'AUD', affinity: { 'APAC-Oceania': 6, 'APAC-South': 2 } },
  { id: 'vandelay', name: 'Vandelay Importação S.A.', brand: 'Vandelay', reporting: 'BRL', affinity: { 'AMER-South': 6 } },
  { id: 'wonka', name: 'Wonka Confiserie AG', brand: 'Wonka', reporting: 'CHF', affinity: { 'EMEA-North': 5 } },
  { id: 'hooli', name: 'Hooli Retail Pte. Ltd.', brand: 'Hooli', reporting: 'SGD', affinity: { 'APAC-South': 5, 'APAC-North': 2 } },
];

const CUTOFFS = ['00:00', '02:00', '03:00', '04:00', '05:00'] as const;
const NAME_SUFFIXES = ['', '', '', ' Central', ' Airport', ', Mall of the City', ' Station', ' Express', ' "Flagship"', ', Old Town'] as const;
const TIER_WEIGHT = { 1: 5, 2: 3, 3: 1 } as const;
const TIER_SIZE = { 1: 1.3, 2: 1.0, 3: 0.8 } as const;
/** Stores sit within this radius of the city centre. */
const JITTER_KM = 6;

function tenantTemplate(i: number): TenantTemplate {
  return TEMPLATES[i] ?? { id: `tenant-${i + 1}`, name: `Tenant ${i + 1} Retail`, brand: `T${i + 1}`, reporting: 'USD', affinity: {} };
}

/** Store counts per tenant: a big first retailer, smaller ones after it. */
function splitStores(total: number, tenants: number): number[] {
  const weights = Array.from({ length: tenants }, (_, i) => 1 / (1 + i / 2));
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  let rest = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % tenants, rest--) counts[i]! += 1;
  for (let i = tenants - 1; rest < 0; i = (i - 1 + tenants) % tenants) {
    if (counts[i]! > 1) {
      counts[i]! -= 1;
      rest++;
    }
  }
  return counts;
}

/** Moves a point up to `km` away, uniformly over the disk; wraps longitude across the antimeridian. */
function jitter(rng: Prng, city: City, km: number): [lat: number, lon: number] {
  const r = km * Math.sqrt(rng.float());
  const theta = rng.float() * 2 * Math.PI;
  const lat = city.lat + (r * Math.cos(theta)) / 111.32;
  let lon = city.lon + (r * Math.sin(theta)) / (111.32 * Math.cos((city.lat * Math.PI) / 180));
  if (lon >= 180) lon -= 360;
  if (lon < -180) lon += 360;
  return [Math.round(lat * 1e5) / 1e5, Math.round(lon * 1e5) / 1e5];
}

function cityWeights(t: TenantTemplate): Float64Array {
  const w = new Float64Array(CITIES.length);
  let sum = 0;
  CITIES.forEach((city, i) => {
    sum += TIER_WEIGHT[city.tier] * (t.affinity[countryProfile(city.country).region] ?? 1);
    w[i] = sum;
  });
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

function pickCity(rng: Prng, cdf: Float64Array): City {
  const u = rng.float();
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < cdf[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return CITIES[lo]!;
}

function buildTenant(rng: Prng, index: number, storeCount: number, terminals: readonly [number, number]): TenantWorld {
  const t = tenantTemplate(index);
  const tenant: FirehoseTenant = {
    tenant_id: t.id,
    name: t.name,
    reporting_currency: t.reporting,
    business_day_cutoff: index === 0 ? '00:00' : rng.pick(CUTOFFS),
  };
  const settlement = new SettlementPlanner(rng, t.id);
  const cdf = cityWeights(t);
  // The first tenant gets one store in every city first, so every zone and
  // currency of the world is exercised whenever it has enough stores.
  const everyCity = index === 0 && storeCount >= CITIES.length;
  const perCity = new Map<string, number>();
  const stores: Store[] = [];
  const sites: StoreSite[] = [];
  for (let i = 0; i < storeCount; i++) {
    const city = everyCity && i < CITIES.length ? CITIES[i]! : pickCity(rng, cdf);
    const country = countryProfile(city.country);
    const nth = (perCity.get(city.name) ?? 0) + 1;
    perCity.set(city.name, nth);
    const [lat, lon] = jitter(rng, city, JITTER_KM);
    const allDay = rng.chance(country.allDayShare);
    const name = `${t.brand} ${city.name}${allDay ? ' 24/7' : rng.pick(NAME_SUFFIXES)}${nth > 1 ? ` #${nth}` : ''}`;
    const store: Store = {
      store_id: `S-${String(i + 1).padStart(5, '0')}`,
      name,
      lat,
      lon,
      country: country.code,
      region: country.region,
      city: city.name,
      timezone: city.timezone,
      currency: country.currency,
      ...settlement.forCountry(country.code, country.region),
    };
    stores.push(store);
    sites.push({
      store,
      country,
      taxBp: city.taxBp ?? country.taxBp,
      hours: allDay ? OPENING_HOURS.allDay : OPENING_HOURS[country.hours],
      terminals: rng.between(terminals[0], terminals[1]),
      size: Math.exp(0.45 * rng.normal()) * TIER_SIZE[city.tier],
    });
  }
  return { tenant, stores, sites };
}

/**
 * Builds the tenants and their store registries for a seed.
 * @example
 * const world = generateWorld({ seed: 7 });            // 3 tenants, 3000 stores
 * world.tenants[0]!.stores[0]!.store_id;               // 'S-00001'
 * generateWorld({ seed: 7, tenants: 5, stores: 200, terminalsPerStore: [1, 3] });
 */
export function generateWorld(opts: WorldOptions): World {
  checkInteger('seed', opts.seed, -(2 ** 53 - 1), 2 ** 53 - 1);
  const tenants = opts.tenants ?? 3;
  const stores = opts.stores ?? 3000;
  const terminals = opts.terminalsPerStore ?? [2, 6];
  checkInteger('tenants', tenants, 1, 100);
  checkInteger('stores', stores, tenants, 1_000_000);
  if (!Array.isArray(terminals) || terminals.length !== 2) throw new FirehoseOptionError('terminalsPerStore', terminals, 'a [min, max] pair');
  checkInteger('terminalsPerStore[0]', terminals[0], 1, 999);
  checkInteger('terminalsPerStore[1]', terminals[1], terminals[0], 999);
  const rng = new Prng(opts.seed, 0x574f524c);
  const counts = splitStores(stores, tenants);
  return {
    seed: opts.seed,
    tenants: counts.map((n, i) => buildTenant(rng, i, n, terminals)),
  };
}

/**
 * The tenant of a world by id.
 * @example tenantOf(world, 'acme').stores.length
 */
export function tenantOf(world: World, tenantId: string): TenantWorld {
  const t = world.tenants.find((x) => x.tenant.tenant_id === tenantId);
  if (t === undefined) throw new FirehoseOptionError('tenant', tenantId, `one of ${world.tenants.map((x) => x.tenant.tenant_id).join(', ')}`);
  return t;
}
