/**
 * ColumnarServingStore: the embedded `ServingStore`. Rollups live in memory
 * as typed-array day chunks per node (tenant-rollups.ts); a snapshot file
 * holds every node's chunks (stores, cities, countries, the tenant) with the
 * log offsets they include, so start-up only reads arrays back, and the
 * stream replays the log from those offsets.
 *
 * Snapshot file layout, version 7 (little endian):
 *   "TPS2", u32 version, u32 header bytes, u32 CRC-32 of the header, header JSON (offsets, tenants, stores, block counts), padding to 8;
 *   per block a 24-byte head: i32 first day, u32 rows (words when sealed, days for totals), u32 node index × 8 + series id,
 *              u32 layout (0 int32 sums, 1 float64 sums, 2 sealed), u32 CRC-32 of the payload, u32 0;
 *              (nodes: the stores in header order, then the header's virtual nodes)
 *   then the payload: day starts i32[days + 1], keys u32[rows], sums i32|f64[rows × width] (each padded to 8),
 *              or, sealed, the chunk's packed words u32[words] (packed-rows.ts), read back as a view;
 *              day totals (series 6 UTC, 7 business day): running sums f64[(days + 1) × width], row 0 zeros, read back as a view;
 *   u32 CRC-32 of the first 16 bytes, the header and every block head; "TPSE".
 * Start-up checks the header and the heads; each payload is checked when first used (block-check.ts).
 * Versions 5 and 6 (16-byte heads, totals without row 0, one CRC-32 over the whole file at its end) are read too.
 */
import { mkdirSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { currencyExponent } from '../domain/currency.js';
import type { DayLine } from '../domain/settlement.js';
import type { Store } from '../domain/store.js';
import { fsyncDir } from '../util/atomic-file.js';
import { forEachBusinessDayLine } from './business-day-lines.js';
import { BlockCheck, ServingSnapshotError, type SnapshotSource } from './block-check.js';
import { SlabReader } from './slab-reader.js';
import type { DaySeries } from './day-series.js';
import type { DayTotals } from './day-totals.js';
import { runSeries, runTop, selectStores, type SeriesGroup, type SeriesQuery, type StoreFilter, type TopQuery, type TopRow } from './series-query.js';
import type { RollupBatch, ServingStore, SnapshotInfo } from './serving-store.js';
import { dimsOf, TenantRollups, type NodeKind, type RollupNode, type TenantSettings } from './tenant-rollups.js';

const MAGIC = 0x32535054; // "TPS2"
const END = 0x45535054; // "TPSE"
const VERSION = 7;
/** Version 6 is version 7 with one CRC over the whole file (checked at start-up) and totals without their zero row. */
const SEALED_VERSION = 6;
/** Version 5 is version 6 without sealed chunks (layouts 0 and 1 only): read as they are, so an upgrade starts from its snapshot. */
const PLAIN_VERSION = 5;
const FILE = 'snapshot.bin';
/** Default days of quarter-hour breakdowns kept. */
export const DEFAULT_HOT_DAYS = 35;

export { ServingSnapshotError };

export class UnknownTenantError extends Error {
  override readonly name = 'UnknownTenantError';
  readonly code = 'tenant_unknown';
}

interface Header {
  offsets: [number, number][];
  tenants: { id: string; settings: TenantSettings; stores: Store[]; virtual: [NodeKind, string][]; blocks: number }[];
}

/** The per-store series a snapshot holds, by id. */
const SERIES: readonly ((n: RollupNode) => DaySeries | null)[] = [(n) => n.aUtc, (n) => n.bUtc, (n) => n.bLocal, (n) => n.cUtc, (n) => n.aLocal, (n) => n.cLocal];
/** Day totals, by series id. */
const TOTALS: Readonly<Record<number, (n: RollupNode) => DayTotals>> = { 6: (n) => n.dUtc, 7: (n) => n.dLocal };

export interface ServingOptions {
  /** Days of quarter-hour breakdowns to keep (default 35). */
  hotDays?: number;
}

export class ColumnarServingStore implements ServingStore {
  private readonly tenants = new Map<string, TenantRollups>();
  private readonly offsets = new Map<number, number>();
  /** Bumped by every batch with deltas and every store change. */
  private changes = 0;
  readonly hotDays: number;
  private writing = false;
  /** Set when a block of the snapshot proved damaged: every read fails with it. */
  private failure: ServingSnapshotError | null = null;
  private verifying = false;

  private constructor(
    readonly dir: string,
    opts: ServingOptions,
  ) {
    this.hotDays = opts.hotDays ?? DEFAULT_HOT_DAYS;
  }

  /** Opens `dir`, loading its snapshot when there is one. */
  static async open(dir: string, opts: ServingOptions = {}): Promise<ColumnarServingStore> {
    mkdirSync(dir, { recursive: true });
    const s = new ColumnarServingStore(dir, opts);
    let fh: FileHandle;
    try {
      fh = await open(join(dir, FILE), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return s;
      throw err;
    }
    try {
      await s.load(new SlabReader(fh, (await fh.stat()).size));
      s.sweep();
      // The stores' day totals, day-major, for scans over many stores: built in the background too (store-day-matrix.ts).
      for (const t of s.tenants.values()) t.buildMatrices();
    } catch (err) {
      if (err instanceof RangeError || err instanceof SyntaxError) throw new ServingSnapshotError(`${join(dir, FILE)}: ${err.message}`);
      throw err;
    } finally {
      await fh.close();
    }
    return s;
  }

  private async load(r: SlabReader): Promise<void> {
    const where = join(this.dir, FILE);
    if (r.size < 16) throw new ServingSnapshotError(`${where} is not a serving snapshot of this version`);
    await r.want(12);
    const head = r.take(12);
    if (head.readUInt32LE(0) !== MAGIC) throw new ServingSnapshotError(`${where} is not a serving snapshot of this version`);
    const version = head.readUInt32LE(4);
    if (version !== VERSION && version !== SEALED_VERSION && version !== PLAIN_VERSION) {
      throw new ServingSnapshotError(`${where} has version ${String(version)}, this build reads ${String(PLAIN_VERSION)} to ${String(VERSION)}`);
    }
    // Version 7 checks each block's bytes when they are first used (block-check.ts); the CRC here covers the header and block heads.
    const blockChecks = version === VERSION;
    const headLen = blockChecks ? 16 : 12;
    let headerCrc = -1;
    if (blockChecks) {
      await r.want(4);
      headerCrc = r.take(4).readUInt32LE(0);
    }
    const hLen = head.readUInt32LE(8);
    await r.want(align8(headLen + hLen) - headLen);
    const headerBytes = r.take(align8(headLen + hLen) - headLen).subarray(0, hLen);
    // The header names every node and block: checked before anything is built from it.
    if (blockChecks && crc32(headerBytes) !== headerCrc) throw new ServingSnapshotError(`${where} fails the checksum of its header`);
    const header = JSON.parse(headerBytes.toString('utf8')) as Header;
    // Typed arrays are views into the reader's slabs: no copy. Each array is padded to 8 bytes.
    const take = (bytes: number): Buffer => r.take(align8(bytes)).subarray(0, bytes);
    const view = <T>(bytes: number, bytesPer: number, make: (a: ArrayBuffer, offset: number, length: number) => T): T => {
      // Version 7 payloads are summed by their blocks' checks: no Buffer per array.
      if (blockChecks) return make(r.memory, r.skip(align8(bytes)), bytes / bytesPer);
      const b = take(bytes);
      return make(b.buffer as ArrayBuffer, b.byteOffset, b.length / bytesPer);
    };
    const u32 = (a: ArrayBuffer, o: number, n: number): Uint32Array => new Uint32Array(a, o, n);
    const i32 = (a: ArrayBuffer, o: number, n: number): Int32Array => new Int32Array(a, o, n);
    const f64 = (a: ArrayBuffer, o: number, n: number): Float64Array => new Float64Array(a, o, n);
    const source: SnapshotSource = { file: where };
    let index = 0;
    const blockHead = blockChecks ? 24 : 16;
    for (const [p, o] of header.offsets) this.offsets.set(p, o);
    for (const h of header.tenants) {
      const t = new TenantRollups(h.id, h.settings, this.hotDays);
      for (const st of h.stores) t.upsertStore(st);
      const nodes: RollupNode[] = t.stores.map((x) => x.node);
      let projected = false;
      for (const [kind, key] of h.virtual) {
        const n =
          kind === 'tenant' ? t.tenantNode
          : kind === 'tenant-tender-brand' ? t.projections.tenderBrand
          : kind === 'tenant-currency' ? t.projections.currency
          : kind === 'country' ? t.countries.get(key)
          : t.cities.get(key);
        if (kind === 'tenant-tender-brand' || kind === 'tenant-currency') projected = true;
        if (n === undefined) throw new ServingSnapshotError(`${where}: virtual node ${kind} '${key}' of ${h.id} has no store`);
        nodes.push(n);
      }
      for (let i = 0; i < h.blocks; i++, index++) {
        // `want` only when a slab ends: an await per block would be a promise per block.
        if (!r.has(blockHead)) await r.want(blockHead);
        // The head's numbers read in place (no Buffer per block); the view is the current slab's, so read before the next `want`.
        const hAt = r.takeAt(blockHead);
        const hv = r.view;
        const first = hv.getInt32(hAt, true);
        const rows = hv.getUint32(hAt + 4, true);
        const storeIndex = hv.getUint32(hAt + 8, true) >>> 3;
        const seriesId = hv.getUint32(hAt + 8, true) & 7;
        const layout = hv.getUint32(hAt + 12, true);
        const blockCrc = blockChecks ? hv.getUint32(hAt + 16, true) : 0;
        const float = layout === 1;
        const node = nodes[storeIndex];
        const totals = node === undefined ? undefined : TOTALS[seriesId]?.(node);
        const series = node === undefined ? null : (SERIES[seriesId]?.(node) ?? null);
        // Version 7: the payload is not summed here, but kept with its CRC to check when first used.
        let at = 0;
        const check = (): BlockCheck | null => (blockChecks ? new BlockCheck(r.memory, at, r.memoryAt() - at, blockCrc, source, index) : null);
        if (layout === 2 && series !== null) {
          const bytes = align8(rows * 4);
          if (!r.has(bytes)) await r.want(bytes);
          at = r.memoryAt();
          series.restorePacked(first, view(rows * 4, 4, u32), check());
          continue;
        }
        // Totals: rows 1 … days before version 7, rows 0 … days from it (a view, no copy).
        const totalRows = blockChecks ? rows + 1 : rows;
        const bytes = totals !== undefined ? align8(totalRows * totals.width * 8) : series === null ? 0 : align8((series.chunkDays + 1) * 4) + align8(rows * 4) + align8(rows * series.width * (float ? 8 : 4));
        if (!r.has(bytes)) await r.want(bytes);
        at = r.memoryAt();
        if (totals !== undefined) {
          const sums = view(totalRows * totals.width * 8, 8, f64);
          if (blockChecks) totals.restoreView(first, sums, check());
          else totals.restore(first, sums);
          continue;
        }
        if (series === null) throw new ServingSnapshotError(`${where}: chunk ${String(i)} of ${h.id} names node ${String(storeIndex)} series ${String(seriesId)}`);
        const start = view((series.chunkDays + 1) * 4, 4, i32);
        const keys = view(rows * 4, 4, u32);
        const sums = float ? view(rows * series.width * 8, 8, f64) : view(rows * series.width * 4, 4, i32);
        series.restore(first, start, keys, sums, check());
      }
      // A snapshot of a release before projections: made once from the tenant's rows, saved by the next snapshot.
      if (!projected) t.rebuildProjections();
      t.age();
      this.tenants.set(h.id, t);
    }
    if (r.pos !== r.size - 4 * (blockChecks ? 2 : 1)) throw new ServingSnapshotError(`${where} has ${String(r.size - 4 - r.pos)} bytes left over`);
    const crc = r.crc;
    await r.want(4);
    if (r.take(4).readUInt32LE(0) !== crc) throw new ServingSnapshotError(`${where} fails its checksum`);
    if (blockChecks) {
      await r.want(4);
      if (r.take(4).readUInt32LE(0) !== END) throw new ServingSnapshotError(`${where} does not end where its header says`);
    }
  }

  /**
   * Verifies, a few milliseconds at a time between other work, every block
   * of the snapshot that no read has touched yet; a damaged one fails the
   * store (`failure`), so no number comes from the file afterwards.
   */
  private sweep(): void {
    const pending = this.unverified();
    const slice = (): void => {
      const end = performance.now() + 4;
      try {
        for (;;) {
          const next = pending.next();
          if (next.done === true) {
            this.verifying = false;
            return;
          }
          next.value.verify();
          if (performance.now() >= end) break;
        }
      } catch (err) {
        this.verifying = false;
        if (err instanceof ServingSnapshotError) this.failure = err;
        return;
      }
      setImmediate(slice);
    };
    this.verifying = true;
    setImmediate(slice);
  }

  private *unverified(): Generator<{ verify(): void }> {
    for (const t of this.tenants.values()) {
      for (const n of t.nodes()) {
        for (const s of n.series()) yield* s.unverified();
        if (n.dUtc.check !== null) yield n.dUtc;
        if (n.dLocal.check !== null) yield n.dLocal;
      }
    }
  }

  /** Whether the background check of the snapshot's blocks is still running. */
  get verifyingSnapshot(): boolean {
    return this.verifying;
  }

  /** Runs a read, and fails the store for good when it meets a damaged block of the snapshot. */
  private guarded<T>(fn: () => T): T {
    if (this.failure !== null) throw this.failure;
    try {
      return fn();
    } catch (err) {
      if (err instanceof ServingSnapshotError) this.failure = err;
      throw err;
    }
  }

  appliedOffset(partition: number): number {
    return this.offsets.get(partition) ?? 0;
  }

  setTenant(tenant: string, settings: TenantSettings): void {
    if (currencyExponent(settings.reportingCurrency) === undefined) throw new RangeError(`reporting currency '${settings.reportingCurrency}' is not an ISO 4217 code`);
    const t = this.tenants.get(tenant);
    if (t === undefined) this.tenants.set(tenant, new TenantRollups(tenant, settings, this.hotDays));
    else t.settings = settings;
  }

  settings(tenant: string): TenantSettings | undefined {
    return this.tenants.get(tenant)?.settings;
  }

  private tenant(id: string): TenantRollups {
    const t = this.tenants.get(id);
    if (t === undefined) throw new UnknownTenantError(`tenant '${id}' has no serving state: it was never set up`);
    return t;
  }

  /** The tenant's rollups (for the query layer, benchmarks and tests). */
  rollups(tenant: string): TenantRollups {
    return this.tenant(tenant);
  }

  apply(batch: RollupBatch): void {
    const prev = this.appliedOffset(batch.partition);
    if (batch.endOffset < prev) throw new RangeError(`partition ${String(batch.partition)}: batch ends at ${String(batch.endOffset)}, before the applied offset ${String(prev)}`);
    const touched = new Set<TenantRollups>();
    for (const d of batch.deltas) {
      const t = this.tenant(d.tenant);
      touched.add(t);
      t.stage(t.upsertStore(d.store), d.quarter, dimsOf(d.tender, d.cardBrand, d.currency), d.rep, d.orig);
    }
    for (const t of touched) t.flush();
    this.offsets.set(batch.partition, batch.endOffset);
    if (batch.deltas.length > 0) this.changes++;
  }

  stores(tenant: string): Store[] {
    return this.tenants.get(tenant)?.stores.map((s) => s.store) ?? [];
  }

  upsertStores(tenant: string, stores: readonly Store[]): void {
    const t = this.tenant(tenant);
    for (const s of stores) t.upsertStore(s);
    this.changes++;
  }

  /** Changes whenever sums or stores change (treasury caches on it). */
  version(): number {
    return this.changes;
  }

  series(tenant: string, q: SeriesQuery): SeriesGroup[] {
    return this.guarded(() => runSeries(this.tenant(tenant), q));
  }

  top(tenant: string, q: TopQuery): TopRow[] {
    return this.guarded(() => runTop(this.tenant(tenant), q));
  }

  /** Treasury's view: every store's business-day lines of days [fromDay, toDay) (business-day-lines.ts). */
  businessDayLines(tenant: string, fromDay: number, toDay: number, filter: StoreFilter | null, visit: (line: DayLine) => void): void {
    const t = this.tenants.get(tenant);
    if (t !== undefined) this.guarded(() => forEachBusinessDayLine(t, fromDay, toDay, filter, visit));
  }

  /** The tenant's stores a filter selects. */
  storesIn(tenant: string, filter: StoreFilter): Store[] {
    const t = this.tenants.get(tenant);
    return t === undefined ? [] : selectStores(t, filter).map((s) => s.store);
  }

  /** First and last business day (days since 1970-01-01) with rows, or null. */
  businessDayRange(tenant: string): { first: number; last: number } | null {
    const t = this.tenants.get(tenant);
    if (t === undefined) return null;
    let first = Infinity;
    let last = -Infinity;
    for (const s of t.stores) {
      s.node.bLocal.forEach((day) => {
        if (day < first) first = day;
        if (day > last) last = day;
      });
    }
    return first <= last ? { first, last } : null;
  }

  /** Drops quarter-hour breakdowns that left the hot window. */
  age(nowMs: number = Date.now()): void {
    for (const t of this.tenants.values()) t.age(nowMs);
  }

  stats(): { tenants: number; stores: number; cells: number; storeQuarters: number; bytes: number } {
    let stores = 0;
    let cells = 0;
    let storeQuarters = 0;
    let bytes = 0;
    for (const t of this.tenants.values()) {
      const s = t.size();
      stores += t.stores.length;
      cells += s.rows;
      storeQuarters += s.storeQuarters;
      bytes += s.bytes;
    }
    return { tenants: this.tenants.size, stores, cells, storeQuarters, bytes };
  }

  async snapshot(): Promise<SnapshotInfo> {
    if (this.writing) throw new Error('a serving snapshot is already being written');
    if (this.failure !== null) throw this.failure;
    this.writing = true;
    const held: { shared: boolean }[] = [];
    try {
      return await this.writeSnapshot(held);
    } finally {
      for (const h of held) h.shared = false;
      this.writing = false;
    }
  }

  private async writeSnapshot(held: { shared: boolean }[]): Promise<SnapshotInfo> {
    const t0 = performance.now();
    // The file takes the arrays as they are now; the stream keeps applying while it
    // is written, and a chunk that changes meanwhile copies its arrays first.
    const header: Header = { offsets: [...this.offsets.entries()], tenants: [] };
    const parts: Uint8Array[] = [];
    /** Block heads: the trailer's CRC covers the header and these; each head holds its payload's CRC. */
    const heads = new Set<Uint8Array>();
    const bytesOf = (a: ArrayBufferView, length: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, length);
    const block = (first: number, rows: number, nodeSeries: number, layout: 0 | 1 | 2, payload: Uint8Array[]): void => {
      const padded: Uint8Array[] = [];
      for (const p of payload) pushPadded(padded, p);
      let crc = 0;
      for (const p of padded) crc = crc32(p, crc);
      const head = blockHead(first, rows, nodeSeries, layout, crc);
      heads.add(head);
      parts.push(head, ...padded);
    };
    let cells = 0;
    for (const t of this.tenants.values()) {
      let blocks = 0;
      const virtual = [...t.cities.values(), ...t.countries.values(), t.tenantNode, t.projections.tenderBrand, t.projections.currency];
      const nodes = [...t.stores.map((x) => x.node), ...virtual];
      nodes.forEach((node, index) => {
        SERIES.forEach((pick, id) => {
          const series = pick(node);
          if (series === null) return;
          for (const c of series.allChunks()) {
            // Bytes read back from the last snapshot are checked before they go into the next one.
            c.verify();
            blocks++;
            cells += c.n;
            if (c.packed !== null) {
              // Sealed rows never change in place (a late row unseals into new arrays): no copy on write needed.
              block(c.first, c.packed.data.length, index * 8 + id, 2, [bytesOf(c.packed.data, c.packed.data.byteLength)]);
              continue;
            }
            c.shared = true;
            held.push(c);
            block(c.first, c.n, index * 8 + id, c.sums instanceof Float64Array ? 1 : 0, [bytesOf(c.start, c.start.byteLength), bytesOf(c.keys, c.n * 4), bytesOf(c.sums, c.n * c.width * c.sums.BYTES_PER_ELEMENT)]);
          }
        });
        for (const [id, pick] of Object.entries(TOTALS)) {
          const totals = pick(node);
          if (totals.days === 0) continue;
          const rows = totals.rows();
          totals.shared = true;
          held.push(totals);
          block(totals.first, totals.days, index * 8 + Number(id), 1, [bytesOf(rows, rows.byteLength)]);
          blocks++;
        }
      });
      header.tenants.push({ id: t.tenant, settings: t.settings, stores: t.stores.map((x) => x.store), virtual: virtual.map((n) => [n.kind, n.key]), blocks });
    }
    const h = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(align8(16 + h.length));
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(VERSION, 4);
    head.writeUInt32LE(h.length, 8);
    head.writeUInt32LE(crc32(h), 12);
    h.copy(head, 16);
    parts.unshift(head);
    heads.add(head);
    let crc = 0;
    let bytes = 8;
    for (const p of parts) {
      if (heads.has(p)) crc = crc32(p, crc);
      bytes += p.length;
    }
    const tail = Buffer.alloc(8);
    tail.writeUInt32LE(crc, 0);
    tail.writeUInt32LE(END, 4);
    parts.push(tail);

    const path = join(this.dir, FILE);
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      // writev takes at most IOV_MAX (1024) buffers per call.
      for (let i = 0; i < parts.length; i += 1000) await fh.writev(parts.slice(i, i + 1000));
      await fh.datasync();
    } catch (err) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    await rename(tmp, path);
    await fsyncDir(this.dir);
    return { bytes, ms: performance.now() - t0, cells, offsets: new Map(header.offsets) };
  }
}

/** A block's 24-byte head: first day, rows (days for totals, words when sealed), node × 8 + series, layout, the payload's CRC-32. */
function blockHead(first: number, rows: number, nodeSeries: number, layout: 0 | 1 | 2, crc: number): Buffer {
  const head = Buffer.alloc(24);
  head.writeInt32LE(first, 0);
  head.writeUInt32LE(rows, 4);
  head.writeUInt32LE(nodeSeries, 8);
  head.writeUInt32LE(layout, 12);
  head.writeUInt32LE(crc, 16);
  return head;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function pushPadded(parts: Uint8Array[], a: Uint8Array): void {
  parts.push(a);
  const pad = align8(a.length) - a.length;
  if (pad > 0) parts.push(new Uint8Array(pad));
}
