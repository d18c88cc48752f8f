/**
 * One tenant's serving state: its stores (numbered in the order they were
 * first seen, with the place attributes queries scope and group by) and its
 * rollup cells.
 */
import type { Store } from '../domain/store.js';
import { ZoneOffsets } from '../domain/zone-offsets.js';
import { RollupCells } from './rollup-cells.js';

/** What serving keeps of a store: its registry entry and, derived from it, its zone. */
export interface ServedStore {
  index: number;
  store: Store;
  zone: ZoneOffsets;
}

export interface TenantSettings {
  reportingCurrency: string;
  /** Business-day cut-off, minutes after local midnight (a quarter hour). */
  cutoffMinutes: number;
}

export class TenantRollups {
  readonly stores: ServedStore[] = [];
  private readonly byId = new Map<string, ServedStore>();
  cells: RollupCells;

  constructor(
    readonly tenant: string,
    public settings: TenantSettings,
    cells: RollupCells = new RollupCells(),
  ) {
    this.cells = cells;
  }

  /** The store's number, adding it when new. Registry changes update the attributes; numbers never change. */
  upsertStore(store: Store): ServedStore {
    const hit = this.byId.get(store.store_id);
    if (hit !== undefined) {
      if (hit.store !== store) {
        hit.store = store;
        hit.zone = ZoneOffsets.of(store.timezone);
      }
      return hit;
    }
    const s: ServedStore = { index: this.stores.length, store, zone: ZoneOffsets.of(store.timezone) };
    this.stores.push(s);
    this.byId.set(store.store_id, s);
    return s;
  }

  storeById(id: string): ServedStore | undefined {
    return this.byId.get(id);
  }
}
