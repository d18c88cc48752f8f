/**
 * The committed data files of a Parquet warehouse as the process sees them,
 * and the rule that keeps readers safe from compaction and retention: a
 * query pins the generation it planned against, and a file removed by the
 * commit of generation g is deleted from disk only once no query pinned
 * before g is still running. So a reader never sees a row twice (it reads
 * the file list of one generation) and never misses one (nothing it planned
 * to read is deleted under it).
 */
import type { FileIndex } from './file-index.js';
import type { FilePaths } from './parquet-layout.js';

export interface DataFile {
  tenant: string;
  date: string;
  name: string;
  rows: number;
  /** Size of the Parquet file. */
  bytes: number;
  paths: FilePaths;
  index: FileIndex;
}

export class FileSet {
  /** tenant → date → files. */
  private readonly byTenant = new Map<string, Map<string, DataFile[]>>();
  private readonly pins = new Map<number, number>();
  private retired: { generation: number; files: DataFile[] }[] = [];

  constructor(public generation: number) {}

  add(f: DataFile): void {
    let days = this.byTenant.get(f.tenant);
    if (days === undefined) this.byTenant.set(f.tenant, (days = new Map()));
    const files = days.get(f.date);
    if (files === undefined) days.set(f.date, [f]);
    else files.push(f);
  }

  /** True if every one of `files` is still committed. */
  hasAll(files: readonly DataFile[]): boolean {
    return files.every((f) => this.byTenant.get(f.tenant)?.get(f.date)?.includes(f) === true);
  }

  /** Take `files` out of the set as of `generation`; they are deleted once `reapable` says so. */
  retire(files: readonly DataFile[], generation: number): void {
    for (const f of files) {
      const days = this.byTenant.get(f.tenant);
      const list = days?.get(f.date);
      if (days === undefined || list === undefined) continue;
      const rest = list.filter((x) => x !== f);
      if (rest.length === 0) days.delete(f.date);
      else days.set(f.date, rest);
      if (days.size === 0) this.byTenant.delete(f.tenant);
    }
    if (files.length > 0) this.retired.push({ generation, files: [...files] });
  }

  /** Files of `tenant` on dates `fromDate ..= toDate`. */
  filesOf(tenant: string, fromDate: string, toDate: string): DataFile[] {
    const days = this.byTenant.get(tenant);
    if (days === undefined) return [];
    const out: DataFile[] = [];
    for (const [date, files] of days) if (date >= fromDate && date <= toDate) out.push(...files);
    return out;
  }

  /** Every tenant/date with its files. */
  *days(): Generator<{ tenant: string; date: string; files: readonly DataFile[] }> {
    for (const [tenant, days] of this.byTenant) for (const [date, files] of days) yield { tenant, date, files };
  }

  all(): DataFile[] {
    const out: DataFile[] = [];
    for (const d of this.days()) out.push(...d.files);
    return out;
  }

  /** Pin the current generation for a query; pass the result to `unpin`. */
  pin(): number {
    const g = this.generation;
    this.pins.set(g, (this.pins.get(g) ?? 0) + 1);
    return g;
  }

  unpin(g: number): void {
    const n = (this.pins.get(g) ?? 0) - 1;
    if (n <= 0) this.pins.delete(g);
    else this.pins.set(g, n);
  }

  /** Retired files no running query can still read; they are forgotten here, the caller deletes them. */
  takeReapable(): DataFile[] {
    let oldestPin = Infinity;
    for (const g of this.pins.keys()) oldestPin = Math.min(oldestPin, g);
    const out: DataFile[] = [];
    this.retired = this.retired.filter((r) => {
      if (r.generation <= oldestPin) {
        out.push(...r.files);
        return false;
      }
      return true;
    });
    return out;
  }
}
