/**
 * ColumnarServingStore: the embedded `ServingStore`. Rollups live in memory
 * in typed-array columns per tenant (rollup-cells.ts); a snapshot file holds
 * them with the log offsets they include, and start-up loads the snapshot,
 * then the stream replays the log from those offsets.
 *
 * Snapshot file layout (little endian):
 *   "TPSV" u32 version, u32 header bytes, header JSON,
 *   per tenant: store i32[n], quarter i32[n], dims u16[n] (padded to 8 bytes), rep f64[n·12], orig f64[n·7],
 *   u32 CRC-32 of everything before it.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { currencyExponent, CURRENCY_CODES } from '../domain/currency.js';
import { SUM_COUNT } from '../domain/metrics.js';
import type { Store } from '../domain/store.js';
import { CARD_BRANDS, TENDERS } from '../domain/transaction.js';
import { fsyncDir } from '../log/segment-file.js';
import { ORIGINAL_COUNT, packDims, RollupCells } from './rollup-cells.js';
import { runSeries, runTop, type SeriesGroup, type SeriesQuery, type TopQuery, type TopRow } from './series-query.js';
import type { RollupBatch, ServingStore, SnapshotInfo } from './serving-store.js';
import { TenantRollups, type TenantSettings } from './tenant-rollups.js';

const MAGIC = 0x56535054; // "TPSV"
const VERSION = 1;
const FILE = 'snapshot.bin';

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
  tenants: { id: string; settings: TenantSettings; stores: Store[]; cells: number }[];
}

const CURRENCY_INDEX = new Map(CURRENCY_CODES.map((c, i) => [c, i]));
const TENDER_INDEX = new Map<string, number>(TENDERS.map((t, i) => [t, i]));
const BRAND_INDEX = new Map<string, number>(CARD_BRANDS.map((b, i) => [b, i]));

export class ColumnarServingStore implements ServingStore {
  private readonly tenants = new Map<string, TenantRollups>();
  private readonly offsets = new Map<number, number>();

  private constructor(readonly dir: string) {}

  /** Opens `dir`, loading its snapshot when there is one. Reports what loading took in `loaded`. */
  static async open(dir: string): Promise<ColumnarServingStore> {
    mkdirSync(dir, { recursive: true });
    const s = new ColumnarServingStore(dir);
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
    if (buf.length < 16 || buf.readUInt32LE(0) !== MAGIC) throw new ServingSnapshotError(`${where} is not a serving snapshot`);
    if (buf.readUInt32LE(4) !== VERSION) throw new ServingSnapshotError(`${where} has version ${String(buf.readUInt32LE(4))}, this build reads ${String(VERSION)}`);
    const crc = buf.readUInt32LE(buf.length - 4);
    if (crc32(buf.subarray(0, buf.length - 4)) !== crc) throw new ServingSnapshotError(`${where} fails its checksum`);
    const hLen = buf.readUInt32LE(8);
    const header = JSON.parse(buf.toString('utf8', 12, 12 + hLen)) as Header;
    let at = align8(12 + hLen);
    // Copy each column out: typed arrays over the file buffer would need aligned offsets and keep the whole file alive.
    const take = <T>(n: number, bytesPer: number, make: (b: ArrayBuffer) => T): T => {
      const bytes = n * bytesPer;
      const copy = new ArrayBuffer(bytes);
      new Uint8Array(copy).set(buf.subarray(at, at + bytes));
      at = align8(at + bytes);
      return make(copy);
    };
    for (const [p, o] of header.offsets) this.offsets.set(p, o);
    for (const t of header.tenants) {
      const n = t.cells;
      const cols = {
        store: take(n, 4, (b) => new Int32Array(b)),
        quarter: take(n, 4, (b) => new Int32Array(b)),
        dims: take(n, 2, (b) => new Uint16Array(b)),
        rep: take(n, SUM_COUNT * 8, (b) => new Float64Array(b)),
        orig: take(n, ORIGINAL_COUNT * 8, (b) => new Float64Array(b)),
      };
      const tr = new TenantRollups(t.id, t.settings, RollupCells.fromColumns(cols));
      for (const st of t.stores) tr.upsertStore(st);
      this.tenants.set(t.id, tr);
    }
    if (at !== buf.length - 4) throw new ServingSnapshotError(`${where} has ${String(buf.length - 4 - at)} bytes left over after its columns`);
  }

  appliedOffset(partition: number): number {
    return this.offsets.get(partition) ?? 0;
  }

  setTenant(tenant: string, settings: TenantSettings): void {
    if (currencyExponent(settings.reportingCurrency) === undefined) throw new RangeError(`reporting currency '${settings.reportingCurrency}' is not an ISO 4217 code`);
    const t = this.tenants.get(tenant);
    if (t === undefined) this.tenants.set(tenant, new TenantRollups(tenant, settings));
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

  /** The tenant's rollups (for the query layer and tests). */
  rollups(tenant: string): TenantRollups {
    return this.tenant(tenant);
  }

  apply(batch: RollupBatch): void {
    const prev = this.appliedOffset(batch.partition);
    if (batch.endOffset < prev) throw new RangeError(`partition ${String(batch.partition)}: batch ends at ${String(batch.endOffset)}, before the applied offset ${String(prev)}`);
    for (const d of batch.deltas) {
      const t = this.tenant(d.tenant);
      const s = t.upsertStore(d.store);
      const dims = packDims(TENDER_INDEX.get(d.tender)!, d.cardBrand === null ? CARD_BRANDS.length : BRAND_INDEX.get(d.cardBrand)!, CURRENCY_INDEX.get(d.currency)!);
      t.cells.add(t.cells.cell(s.index, d.quarter, dims), d.rep, 0, d.orig, 0);
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

  stats(): { tenants: number; stores: number; cells: number; storeQuarters: number; bytes: number } {
    let stores = 0;
    let cells = 0;
    let storeQuarters = 0;
    let bytes = 0;
    for (const t of this.tenants.values()) {
      stores += t.stores.length;
      cells += t.cells.size;
      storeQuarters += t.cells.storeQuarters();
      bytes += t.cells.bytes();
    }
    return { tenants: this.tenants.size, stores, cells, storeQuarters, bytes };
  }

  async snapshot(): Promise<SnapshotInfo> {
    const t0 = performance.now();
    const header: Header = { offsets: [...this.offsets.entries()], tenants: [] };
    const parts: Uint8Array[] = [];
    let cells = 0;
    for (const t of this.tenants.values()) {
      const c = t.cells.columns();
      header.tenants.push({ id: t.tenant, settings: t.settings, stores: t.stores.map((s) => s.store), cells: c.store.length });
      for (const col of [c.store, c.quarter, c.dims, c.rep, c.orig]) {
        parts.push(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
        const pad = align8(col.byteLength) - col.byteLength;
        if (pad > 0) parts.push(new Uint8Array(pad));
      }
      cells += c.store.length;
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
      // writev takes at most IOV_MAX buffers per call; write in slices.
      for (let i = 0; i < parts.length; i += 512) await fh.writev(parts.slice(i, i + 512));
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
