/**
 * Group-by dimensions of a query (DOMAIN.md, "Geo" and "Metrics"): by
 * place (store, city, region, country, H3 cell at a resolution) or by a
 * transaction's tender, card brand or currency.
 */
import { isValidCell, latLngToCell } from 'h3-js';
import type { Store } from './store.js';

export const PLACE_DIMENSIONS = ['store', 'city', 'region', 'country'] as const;
export const TXN_DIMENSIONS = ['tender', 'card_brand', 'currency'] as const;
export type PlaceDimension = (typeof PLACE_DIMENSIONS)[number];
export type TxnDimension = (typeof TXN_DIMENSIONS)[number];

export type GroupBy = { kind: PlaceDimension } | { kind: TxnDimension } | { kind: 'h3'; resolution: number };

/** A group-by that cannot be used: names the value. */
export class GroupByError extends Error {
  override readonly name = 'GroupByError';
  readonly code = 'invalid_group_by';
}

/** H3 resolutions 0 (continents) … 15 (square metres). */
export const MAX_H3_RESOLUTION = 15;

/**
 * Reads `store`, `city`, `region`, `country`, `tender`, `card_brand`, `currency` or `h3:<0-15>`.
 * @example parseGroupBy('h3:5') // { kind: 'h3', resolution: 5 }
 */
export function parseGroupBy(text: string): GroupBy {
  if ((PLACE_DIMENSIONS as readonly string[]).includes(text)) return { kind: text as PlaceDimension };
  if ((TXN_DIMENSIONS as readonly string[]).includes(text)) return { kind: text as TxnDimension };
  const m = /^h3:(\d{1,2})$/.exec(text);
  if (m !== null && Number(m[1]) <= MAX_H3_RESOLUTION) return { kind: 'h3', resolution: Number(m[1]) };
  throw new GroupByError(
    `group_by must be one of ${[...PLACE_DIMENSIONS, ...TXN_DIMENSIONS].join(', ')} or h3:<resolution 0-${String(MAX_H3_RESOLUTION)}>, got '${text.slice(0, 64)}'`,
  );
}

export function isPlaceGrouping(g: GroupBy): g is { kind: PlaceDimension } | { kind: 'h3'; resolution: number } {
  return g.kind === 'h3' || (PLACE_DIMENSIONS as readonly string[]).includes(g.kind);
}

/**
 * The group a store falls in. Cities are keyed with their country (`FR/Paris`),
 * since city names repeat across countries; an H3 key is the cell index of
 * the store's location.
 * @example placeKey(berlinStore, { kind: 'h3', resolution: 7 }) // '871f1d489ffffff'
 */
export function placeKey(store: Pick<Store, 'store_id' | 'lat' | 'lon' | 'country' | 'region' | 'city'>, g: { kind: PlaceDimension } | { kind: 'h3'; resolution: number }): string {
  switch (g.kind) {
    case 'store':
      return store.store_id;
    case 'city':
      return `${store.country}/${store.city}`;
    case 'region':
      return store.region;
    case 'country':
      return store.country;
    case 'h3':
      return latLngToCell(store.lat, store.lon, g.resolution);
  }
}

/** Whether `key` is a valid H3 cell index (for keys coming back from clients). */
export function isH3Cell(key: string): boolean {
  return isValidCell(key);
}
