/**
 * ColumnarServingStore: the embedded `ServingStore`. Rollups live in memory
 * as typed-array day chunks per node (tenant-rollups.ts); a snapshot file
 * holds every node's chunks (stores, cities, countries, the tenant) with the
 * log offsets they include, so start-up only reads arrays back, and the
 * stream replays the log from those offsets.
 *
 * Snapshot file layout (little endian):
 *   "TPS2", u32 version, u32 header bytes, header JSON (offsets, tenants, stores, block counts), padding to 8;
 *   per chunk: i32 first day, u32 rows, u32 node index × 8 + series id, u32 1 if float64 else 0,
 *              (nodes: the stores in header order, then the header's virtual nodes)
 *              day starts i32[days + 1], keys u32[rows], sums i32|f64[rows × width] (each padded to 8);
 *   day totals (series 6 UTC, 7 business day): the same head with rows = days, then running sums f64[days × width];
 *   u32 CRC-32 of everything before it.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { currencyExponent } from '../domain/currency.js';
import type { Store } from '../domain/store.js';
import { fsyncDir } from '../util/atomic-file.js';
import type { DaySeries } from './day-series.js';
import type { DayTotals } from './day-totals.js';
import { runSeries, runTop, type SeriesGroup, type SeriesQuery, type TopQuery, type TopRow } from './series-query.js';
import type { RollupBatch, ServingStore, SnapshotInfo } from './serving-store.js';
import { dimsOf, TenantRollups, type NodeKind, type RollupNode, type TenantSettings } from './tenant-rollups.js';

const MAGIC = 0x32535054; // "TPS2"
const VERSION = 5;
const FILE = 'snapshot.bin';
/** Default days of quarter-hour breakdowns kept. */
export const DEFAULT_HOT_DAYS = 35;

export class ServingSnapshotError extends Error {
  override readonly name = 'ServingSnapshotError';
  readonly code = 'serving_snapshot_corrupt';
}

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
  readonly hotDays: number;

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
    let buf: Buffer;
    try {
      buf = await readFile(join(dir, FILE));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return s;
      throw err;
    }
    s.load(buf);
    return s;
  }

  private load(buf: Buffer): void {
    const where = join(this.dir, FILE);
    if (buf.length < 16 || buf.readUInt32LE(0) !== MAGIC) throw new ServingSnapshotError(`${where} is not a serving snapshot of this version`);
    if (buf.readUInt32LE(4) !== VERSION) throw new ServingSnapshotError(`${where} has version ${String(buf.readUInt32LE(4))}, this build reads ${String(VERSION)}`);
    if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) throw new ServingSnapshotError(`${where} fails its checksum`);
    const hLen = buf.readUInt32LE(8);
    const header = JSON.parse(buf.toString('utf8', 12, 12 + hLen)) as Header;
    let at = align8(12 + hLen);
    // Views into the file's buffer where it is aligned (a large file read gets a buffer of its own): no copy.
    const own = buf.byteOffset % 8 === 0;
    const take = <T>(bytes: number, bytesPer: number, make: (b: ArrayBuffer, offset: number, length: number) => T): T => {
      let out: T;
      if (own) out = make(buf.buffer as ArrayBuffer, buf.byteOffset + at, bytes / bytesPer);
      else {
        const copy = new ArrayBuffer(bytes);
        new Uint8Array(copy).set(buf.subarray(at, at + bytes));
        out = make(copy, 0, bytes / bytesPer);
      }
      at = align8(at + bytes);
      return out;
    };
    for (const [p, o] of header.offsets) this.offsets.set(p, o);
    for (const h of header.tenants) {
      const t = new TenantRollups(h.id, h.settings, this.hotDays);
      for (const st of h.stores) t.upsertStore(st);
      const nodes: RollupNode[] = t.stores.map((x) => x.node);
      for (const [kind, key] of h.virtual) {
        const n = kind === 'tenant' ? t.tenantNode : kind === 'country' ? t.countries.get(key) : t.cities.get(key);
        if (n === undefined) throw new ServingSnapshotError(`${where}: virtual node ${kind} '${key}' of ${h.id} has no store`);
        nodes.push(n);
      }
      for (let i = 0; i < h.blocks; i++) {
        const first = buf.readInt32LE(at);
        const rows = buf.readUInt32LE(at + 4);
        const storeIndex = buf.readUInt32LE(at + 8) >>> 3;
        const seriesId = buf.readUInt32LE(at + 8) & 7;
        const float = buf.readUInt32LE(at + 12) === 1;
        at += 16;
        const node = nodes[storeIndex];
        const totals = node === undefined ? undefined : TOTALS[seriesId]?.(node);
        if (totals !== undefined) {
          totals.restore(first, take(rows * totals.width * 8, 8, (b, o, n) => new Float64Array(b, o, n)));
          continue;
        }
        const series = node === undefined ? null : (SERIES[seriesId]?.(node) ?? null);
        if (series === null) throw new ServingSnapshotError(`${where}: chunk ${String(i)} of ${h.id} names node ${String(storeIndex)} series ${String(seriesId)}`);
        const start = take((series.chunkDays + 1) * 4, 4, (b, o, n) => new Int32Array(b, o, n));
        const keys = take(rows * 4, 4, (b, o, n) => new Uint32Array(b, o, n));
        const sums = float ? take(rows * series.width * 8, 8, (b, o, n) => new Float64Array(b, o, n)) : take(rows * series.width * 4, 4, (b, o, n) => new Int32Array(b, o, n));
        series.restore(first, start, keys, sums);
      }
      t.age();
      this.tenants.set(h.id, t);
    }
    if (at !== buf.length - 4) throw new ServingSnapshotError(`${where} has ${String(buf.length - 4 - at)} bytes left over`);
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
    for (const d of batch.deltas) {
      const t = this.tenant(d.tenant);
      t.add(t.upsertStore(d.store), d.quarter, dimsOf(d.tender, d.cardBrand, d.currency), d.rep, d.orig);
    }
    this.offsets.set(batch.partition, batch.endOffset);
  }

  stores(tenant: string): Store[] {
    return this.tenants.get(tenant)?.stores.map((s) => s.store) ?? [];
  }

  upsertStores(tenant: string, stores: readonly Store[]): void {
    const t = this.tenant(tenant);
    for (const s of stores) t.upsertStore(s);
  }

  series(tenant: string, q: SeriesQuery): SeriesGroup[] {
    return runSeries(this.tenant(tenant), q);
  }

  top(tenant: string, q: TopQuery): TopRow[] {
    return runTop(this.tenant(tenant), q);
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
    const t0 = performance.now();
    // Everything is copied before the first await: the stream keeps applying while the file is written.
    const header: Header = { offsets: [...this.offsets.entries()], tenants: [] };
    const parts: Uint8Array[] = [];
    let cells = 0;
    for (const t of this.tenants.values()) {
      let blocks = 0;
      const virtual = [...t.cities.values(), ...t.countries.values(), t.tenantNode];
      const nodes = [...t.stores.map((x) => x.node), ...virtual];
      nodes.forEach((node, index) => {
        SERIES.forEach((pick, id) => {
          const series = pick(node);
          if (series === null) return;
          for (const c of series.allChunks()) {
            const head = Buffer.alloc(16);
            head.writeInt32LE(c.first, 0);
            head.writeUInt32LE(c.n, 4);
            head.writeUInt32LE(index * 8 + id, 8);
            head.writeUInt32LE(c.sums instanceof Float64Array ? 1 : 0, 12);
            parts.push(head);
            pushPadded(parts, new Uint8Array(c.start.slice().buffer));
            pushPadded(parts, new Uint8Array(c.keys.buffer.slice(0, c.n * 4)));
            pushPadded(parts, new Uint8Array(c.sums.buffer.slice(0, c.n * c.width * c.sums.BYTES_PER_ELEMENT)));
            blocks++;
            cells += c.n;
          }
        });
        for (const [id, pick] of Object.entries(TOTALS)) {
          const totals = pick(node);
          if (totals.days === 0) continue;
          const head = Buffer.alloc(16);
          head.writeInt32LE(totals.first, 0);
          head.writeUInt32LE(totals.days, 4);
          head.writeUInt32LE(index * 8 + Number(id), 8);
          head.writeUInt32LE(1, 12);
          parts.push(head, new Uint8Array(totals.rows().slice().buffer));
          blocks++;
        }
      });
      header.tenants.push({ id: t.tenant, settings: t.settings, stores: t.stores.map((x) => x.store), virtual: virtual.map((n) => [n.kind, n.key]), blocks });
    }
    const h = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(align8(12 + h.length));
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(VERSION, 4);
    head.writeUInt32LE(h.length, 8);
    h.copy(head, 12);
    parts.unshift(head);
    let crc = 0;
    let bytes = 4;
    for (const p of parts) {
      crc = crc32(p, crc);
      bytes += p.length;
    }
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(crc, 0);
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

function align8(n: number): number {
  return (n + 7) & ~7;
}

function pushPadded(parts: Uint8Array[], a: Uint8Array): void {
  parts.push(a);
  const pad = align8(a.length) - a.length;
  if (pad > 0) parts.push(new Uint8Array(pad));
}
