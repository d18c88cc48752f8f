/**
 * What the stream needs to know of each tenant to enrich and convert its
 * records: settings, store registry and FX table. Read from the data
 * directory's tenant, registry and FX files and refreshed when they change.
 */
import { parseCutoff } from '../domain/time-buckets.js';
import type { FxTable } from '../domain/fx.js';
import type { Store } from '../domain/store.js';
import type { FxStore } from '../tenants/fx-store.js';
import type { RegistryStore } from '../tenants/registry-store.js';
import { goLiveOf, type TenantStore } from '../tenants/tenant-store.js';
import type { TenantSettings } from '../serving/tenant-rollups.js';

export interface TenantView {
  id: string;
  settings: TenantSettings;
  /** Go-live date as days since 1970-01-01: records of earlier business days are history, never restatements. */
  goLiveDay: number;
  fx: FxTable;
  /** The registry list itself: identity changes when the registry does. */
  registry: readonly Store[];
  stores: ReadonlyMap<string, Store>;
}

export class TenantDirectory {
  private readonly views = new Map<string, TenantView>();

  constructor(
    private readonly tenants: TenantStore,
    private readonly registries: RegistryStore,
    private readonly fx: FxStore,
  ) {}

  /**
   * The tenant as its files say now (cheap when nothing changed: a stat per file).
   * Undefined for a tenant that does not exist.
   */
  get(id: string): TenantView | undefined {
    // A tenant created moments ago (its records already accepted) is looked for in the file again before it is called unknown.
    const t = this.tenants.get(id) ?? (this.tenants.reloadIfChanged() ? this.tenants.get(id) : undefined);
    if (t === undefined) return undefined;
    const registry = this.registries.get(id);
    const fx = this.fx.table(id, t.reporting_currency);
    const cutoffMinutes = parseCutoff(t.business_day_cutoff) ?? 0;
    const goLiveDay = Date.parse(`${goLiveOf(t)}T00:00:00Z`) / 86_400_000;
    const hit = this.views.get(id);
    if (hit !== undefined && hit.registry === registry && hit.fx === fx && hit.settings.reportingCurrency === t.reporting_currency && hit.settings.cutoffMinutes === cutoffMinutes && hit.goLiveDay === goLiveDay) {
      return hit;
    }
    const view: TenantView = {
      id,
      settings: { reportingCurrency: t.reporting_currency, cutoffMinutes },
      goLiveDay,
      fx,
      registry,
      stores: new Map(registry.map((s) => [s.store_id, s])),
    };
    this.views.set(id, view);
    return view;
  }

  /** Picks up changes other processes made to the tenants file. */
  refresh(): void {
    this.tenants.reloadIfChanged();
  }

  ids(): string[] {
    return this.tenants.list().map((t) => t.id);
  }
}
