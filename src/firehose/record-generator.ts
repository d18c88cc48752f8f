/**
 * The records generator of one tenant: walks simulated event time forward a
 * minute at a time and draws each minute's transactions from the demand
 * curves of the stores open at that local minute. Fault injection happens
 * here too, on the way out.
 *
 * Stepping by whole UTC minutes is what keeps it cheap and exact: every
 * real zone offset is a whole number of minutes, so all records of a step
 * share one local minute per zone (one offset lookup and one time stamp
 * prefix per zone and step).
 */
import type { RejectCode } from '../domain/reject-codes.js';
import { FaultRouter } from './fault-router.js';
import type { LineChunk } from './line-chunk.js';
import { LineWriter } from './line-writer.js';
import { malformedLine } from './malformed.js';
import { isOpen } from './opening-hours.js';
import { Prng } from './prng.js';
import { resolveRecordOptions, type RecordOptions, type ResolvedRecordOptions, type TenantTruth } from './record-options.js';
import { MONTHLY_DEMAND } from './seasonality.js';
import { REFUND, SALE, SaleWriter, VOID, tsTails, type LocalMinute } from './sale-writer.js';
import { TenantTables, WEEK_SLOTS } from './tenant-tables.js';
import { DAY_MS, PAD2, PAD3, ZoneClock, civilFromDays, isoDate, offsetSuffix, weekdayOfDays } from './zone-clock.js';
import { tenantOf, type World } from './world.js';

const MINUTE_MS = 60_000;
const QUARTER_MS = 15 * MINUTE_MS;
/** Store indexes packed below the millisecond in a sort key (2^20 > the 1M-store limit). */
const STORE_SLOTS = 2 ** 20;

/** Local-time facts of one zone for the current step. */
interface ZoneState extends LocalMinute {
  clock: ZoneClock;
  /** The step (UTC ms) these facts are for. */
  stamp: number;
  offsetMin: number;
  offStr: string;
  calDay: number;
  bizDay: number;
  weekday: number;
  minuteOfDay: number;
  hour: number;
  monthFactor: number;
  /** `YYYY-MM-DDT` of the local date. */
  dateT: string;
}

function parseCutoff(hhmm: string): number {
  return (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * MINUTE_MS;
}

/**
 * Generates one tenant's NDJSON lines in batches.
 * @example
 * const gen = new TenantRecordGenerator(world, 'acme', { start: '2026-03-28T00:00:00Z', durationMs: 86_400_000 });
 * for (let c = gen.nextChunk(); c !== null; c = gen.nextChunk()) file.write(c.data);
 * gen.truth.valid; // unique valid records written
 */
export class TenantRecordGenerator {
  readonly truth: TenantTruth;
  private readonly o: ResolvedRecordOptions;
  private readonly rng: Prng;
  private readonly faultRng: Prng;
  private readonly zones: ZoneState[];
  private readonly tb: TenantTables;
  private readonly sales: SaleWriter;
  private readonly cutoffMs: number;
  private readonly malformed: Partial<Record<RejectCode, number>> = {};
  private readonly w: LineWriter;
  private t: number;
  private readonly faults: FaultRouter;
  private done = false;
  private keys = new Float64Array(1024);
  private readonly cumRates: Float64Array;
  private totalRate = 0;
  private quarter = NaN;

  constructor(
    world: World,
    readonly tenantId: string,
    opts: RecordOptions,
  ) {
    this.o = resolveRecordOptions(opts);
    const tw = tenantOf(world, tenantId);
    const index = world.tenants.indexOf(tw);
    this.rng = new Prng(world.seed, 0x1000 + index);
    this.faultRng = new Prng(world.seed, 0x2000 + index);
    this.cutoffMs = parseCutoff(tw.tenant.business_day_cutoff);
    this.tb = new TenantTables(tw, this.o.salesPerStoreDay, this.rng, this.o.seqBase);
    this.w = new LineWriter(1 << 20, this.tb.arena);
    this.sales = new SaleWriter(this.tb, this.w);
    this.zones = this.tb.zoneNames.map((name) => ({
      clock: new ZoneClock(name), stamp: NaN, offsetMin: NaN, offStr: '', calDay: NaN, bizDay: 0, weekday: 0,
      minuteOfDay: 0, hour: 0, monthFactor: 1, dateT: '', year: 0, month: 0, day: 0, minute: 0, tails: [],
    }));
    this.cumRates = new Float64Array(this.tb.stores);
    this.t = this.o.startMs;
    this.truth = {
      tenant_id: tenantId, lines: 0, valid: 0, sales: 0, refunds: 0, voids: 0, duplicates: 0, late: 0, outOfOrder: 0,
      malformed: this.malformed, firstEventMs: NaN, lastEventMs: NaN,
    };
    this.faults = new FaultRouter(this.w, this.o.faults, this.faultRng, this.tb.terminals, this.truth);
  }

  /** Simulated time reached so far (the start of the next simulated minute), epoch ms. */
  get simulatedTimeMs(): number {
    return this.t;
  }

  /**
   * The next batch as bytes: at least `minLines` whole lines (unless the
   * stream ends), each ending in `\n`; `null` once the stream is exhausted.
   */
  nextChunk(minLines = 4096): LineChunk | null {
    while (!this.done && this.w.lines < minLines) this.step();
    if (this.w.lines === 0) return null;
    this.truth.lines += this.w.lines;
    this.faults.beforeTake();
    return this.w.take();
  }

  /**
   * The next batch as strings (without their `\n`), or `null` once the
   * stream is exhausted. Slower than `nextChunk`: for tests and small tools.
   */
  next(minLines = 4096): string[] | null {
    const c = this.nextChunk(minLines);
    return c === null ? null : c.data.toString('latin1', 0, c.data.length - 1).split('\n');
  }

  private updateZone(z: ZoneState, t: number): void {
    z.stamp = t;
    const off = z.clock.offsetAt(t);
    if (off !== z.offsetMin) {
      z.offsetMin = off;
      z.offStr = offsetSuffix(off);
      z.tails = tsTails(z.offStr);
    }
    const local = t + off * MINUTE_MS;
    const day = Math.floor(local / DAY_MS);
    if (day !== z.calDay) {
      z.calDay = day;
      z.dateT = isoDate(day) + 'T';
      z.weekday = weekdayOfDays(day);
      [z.year, z.month, z.day] = civilFromDays(day);
      z.monthFactor = MONTHLY_DEMAND[z.month - 1]!;
    }
    const minute = (local - day * DAY_MS) / MINUTE_MS;
    z.minuteOfDay = minute;
    z.hour = Math.floor(minute / 60);
    z.bizDay = Math.floor((local - this.cutoffMs) / DAY_MS);
    z.minute = minute % 60;
  }

  /**
   * Expected sales per minute of every store for the current UTC quarter
   * hour, as a cumulative table, and their total. Opening hours, local hour,
   * weekday, month and DST changes all fall on quarter-hour boundaries
   * (offsets and opening times are multiples of 15 minutes), so the table
   * holds for the whole quarter.
   */
  private rebuildRates(t: number): void {
    for (const z of this.zones) this.updateZone(z, t);
    let sum = 0;
    const cum = this.cumRates;
    const tb = this.tb;
    for (let i = 0; i < tb.stores; i++) {
      const z = this.zones[tb.zoneOf[i]!]!;
      if (isOpen(tb.site(i).hours, z.weekday, z.minuteOfDay)) sum += tb.rates[i * WEEK_SLOTS + z.weekday * 24 + z.hour]! * z.monthFactor;
      cum[i] = sum;
    }
    this.totalRate = sum;
  }

  /** Store index whose cumulative-rate interval contains `x` (binary search). */
  private storeAt(x: number): number {
    const cum = this.cumRates;
    let lo = 0;
    let hi = this.tb.stores - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * One simulated minute. The tenant's sales in it are Poisson with the sum
   * of its open stores' rates, each assigned to a store in proportion to
   * its rate: the same distribution as one Poisson draw per store, at a cost
   * per record instead of per store. Records go out in time order.
   */
  private step(): void {
    const t = this.t;
    if (t >= this.o.endMs || this.truth.valid >= this.o.records) {
      this.finish();
      return;
    }
    const quarter = Math.floor(t / QUARTER_MS);
    if (quarter !== this.quarter) {
      this.quarter = quarter;
      this.rebuildRates(t);
    }
    this.faults.tick(t);
    const rng = this.rng;
    const k = rng.poisson(this.totalRate);
    if (this.keys.length < k) this.keys = new Float64Array(Math.max(k, this.keys.length * 2));
    // Sort key: millisecond in the minute, then store index, packed in one
    // float64 so a native typed-array sort orders them.
    const keys = this.keys.subarray(0, k);
    for (let j = 0; j < k; j++) keys[j] = rng.int(MINUTE_MS) * STORE_SLOTS + this.storeAt(rng.float() * this.totalRate);
    keys.sort();
    const { voidRate, refundRate } = this.o;
    const malformed = this.o.faults.malformed;
    const sales = this.sales;
    for (let j = 0; j < k; j++) {
      if (this.truth.valid >= this.o.records) break;
      const key = keys[j]!;
      const ms = Math.floor(key / STORE_SLOTS);
      const store = key - ms * STORE_SLOTS;
      const z = this.zones[this.tb.zoneOf[store]!]!;
      if (z.stamp !== t) this.updateZone(z, t);
      const u = rng.float();
      sales.transact(rng, store, u < voidRate ? VOID : u < voidRate + refundRate ? REFUND : SALE, z, ms, z.calDay, z.bizDay);
      this.count(sales.type, t + ms);
      this.faults.route(sales);
      if (malformed > 0 && this.faultRng.chance(malformed)) {
        const sec = Math.floor(ms / 1000);
        this.emitMalformed(store, `${z.dateT}${PAD2[z.hour]!}:${PAD2[z.minute]!}:${PAD2[sec]!}.${PAD3[ms - sec * 1000]!}${z.offStr}`);
      }
    }
    this.t = t + MINUTE_MS;
  }

  private count(type: number, eventMs: number): void {
    const tr = this.truth;
    tr.valid++;
    if (type === SALE) tr.sales++;
    else if (type === REFUND) tr.refunds++;
    else tr.voids++;
    if (!(eventMs >= tr.firstEventMs)) tr.firstEventMs = eventMs;
    if (!(eventMs <= tr.lastEventMs)) tr.lastEventMs = eventMs;
  }

  private emitMalformed(store: number, ts: string): void {
    const kind = this.faultRng.pick(this.o.faults.malformedKinds);
    this.w.text(malformedLine(kind, this.faultRng, this.sales.baseRecord(this.faultRng, store, ts), this.tenantId));
    this.malformed[kind] = (this.malformed[kind] ?? 0) + 1;
  }

  /** End of the stream: held-back records go out, offline terminals come back. */
  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.faults.finish();
  }
}
