/**
 * What customers buy and how they pay, written straight out as NDJSON
 * bytes: one call per transaction, no object, no string, no
 * `JSON.stringify` (see `line-writer.ts` and `tenant-tables.ts` for the
 * measurements behind that).
 *
 * Every id and code in a line is plain ASCII from our own tables, so
 * nothing needs escaping. Fields come in the order of the DOMAIN table;
 * optional ones (`discount_minor`, `card_brand`, `ref_txn_id`) only when
 * present.
 */
import { ascii, type LineWriter } from './line-writer.js';
import type { BaseRecord } from './malformed.js';
import { BRAND_ORDER, TENDER_ORDER } from './payment-mix.js';
import { Prng, pickWeighted } from './prng.js';
import { TXN_OPEN_LENGTH, type TenantTables } from './tenant-tables.js';

export const SALE = 0;
export const REFUND = 1;
export const VOID = 2;

const TYPE_FRAG = ['","type":"sale","amount_minor":', '","type":"refund","amount_minor":', '","type":"void","amount_minor":'] as const;
const TS_OPEN = ascii(',"ts":"');
const DISCOUNT = ascii(',"discount_minor":');
/** `,"tender":"…"` plus `,"card_brand":"…"` when there is one, indexed by tender × 8 + brand + 1. */
const TENDER_BRAND: readonly Buffer[] = TENDER_ORDER.flatMap((t) => [ascii(`,"tender":"${t}"`), ...BRAND_ORDER.map((b) => ascii(`,"tender":"${t}","card_brand":"${b}"`))]);
const MAX_ITEMS = 40;
/** `,"items":N}\n` and `,"items":N,"ref_txn_id":"` for the basket sizes we generate (1..40). */
const ITEMS_END: readonly Buffer[] = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => ascii(`,"items":${i}}\n`));
const ITEMS_REF: readonly Buffer[] = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => ascii(`,"items":${i},"ref_txn_id":"`));
const REF_END = ascii('"}\n');

/**
 * Distributions as 4096-entry lookup tables: one random draw and one load
 * per value instead of a log or exp per record. Basket sizes are 1 plus
 * exact quantiles of an exponential (mean 2.4 for sales, 0.6 for refunds),
 * capped at 40; price factors are lognormal (σ = 0.55), drawn once from a
 * fixed seed so every run sees the same table.
 */
const TABLE_MASK = 4095;
function basketTable(mean: number): Uint8Array {
  return Uint8Array.from({ length: TABLE_MASK + 1 }, (_, i) => Math.min(MAX_ITEMS, 1 + Math.floor(-Math.log(1 - (i + 0.5) / (TABLE_MASK + 1)) * mean)));
}
const SALE_ITEMS = basketTable(2.4);
const REFUND_ITEMS = basketTable(0.6);
const PRICE_FACTOR = ((): Float64Array => {
  const r = new Prng(0x9e1ce);
  return Float64Array.from({ length: TABLE_MASK + 1 }, () => Math.exp(0.55 * r.normal()));
})();

/** Recent sales remembered per store, for voids and refunds to reference. */
const RING = 16;
/** Fields of a remembered sale; a ring slot is free when its seq is 0. */
const F_SEQ = 0;
const F_TERM = 1;
const F_AMOUNT = 2;
const F_TAX = 3;
const F_ITEMS = 4;
const F_TENDER = 5;
const F_BRAND = 6;
const F_CAL = 7;
const F_BIZ = 8;
const FIELDS = 9;
const CARD = 0;
const WALLET = 2;
const DISCOUNT_SHARE = 0.12;
const REFUND_WITH_REF = 0.6;

/**
 * What follows the seconds of `ts` in a line, per record type:
 * `+05:30","type":"sale","amount_minor":`. Built per zone and offset.
 * @example tsTails('+05:45')[0] // +05:45","type":"sale","amount_minor":
 */
export function tsTails(offsetSuffix: string): readonly Buffer[] {
  return TYPE_FRAG.map((f) => ascii(offsetSuffix + f));
}

/** The local minute, in one zone, that a record's time stamp is written in. */
export interface LocalMinute {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** What follows the seconds, per record type (`tsTails`). */
  tails: readonly Uint8Array[];
}

/**
 * Writes transactions of one tenant. After each `transact`, the fields
 * `type`, `term`, `seq`, `refTerm`, `refSeq` and `start` describe the line
 * just written (read them before the next call).
 */
export class SaleWriter {
  type = SALE;
  /** Terminal number and seq of the line. */
  term = 0;
  seq = 0;
  /** Terminal number and seq of the referenced sale; `refTerm` is -1 when there is none. */
  refTerm = -1;
  refSeq = 0;
  /** Where the line starts in the writer. */
  start = 0;
  private readonly ring: Float64Array;
  private readonly ringNext: Int32Array;

  constructor(
    private readonly tb: TenantTables,
    private readonly w: LineWriter,
  ) {
    this.ring = new Float64Array(tb.stores * RING * FIELDS);
    this.ringNext = new Int32Array(tb.stores);
  }

  /** Tax included in a gross amount: amount × rate / (1 + rate), rounded half up to the minor unit. */
  private taxOf(store: number, amount: number): number {
    const bp = this.tb.taxBp[store]!;
    return Math.round((amount * bp) / (10_000 + bp));
  }

  private amountFor(rng: Prng, store: number, items: number): number {
    return Math.max(1, Math.round(items * this.tb.price[store]! * PRICE_FACTOR[rng.u32() & TABLE_MASK]!));
  }

  private brandFor(rng: Prng, store: number, tender: number): number {
    const mix = this.tb.mixes[this.tb.mixOf[store]!]!;
    if (tender === CARD) return pickWeighted(rng, mix.card);
    if (tender === WALLET && mix.wallet !== null) return pickWeighted(rng, mix.wallet);
    return -1;
  }

  private nextSeq(rng: Prng, term: number): number {
    // +1, and now and then +2 (a training receipt, a reprint): gaps are allowed.
    const seq = this.tb.termSeq[term]! + ((rng.u32() & 127) === 0 ? 2 : 1);
    this.tb.termSeq[term] = seq;
    return seq;
  }

  private write(store: number, lm: LocalMinute, ms: number, type: number, amount: number, tax: number, discount: number, tender: number, brand: number, items: number): void {
    const w = this.w;
    const tb = this.tb;
    const t = this.term;
    w.reserve();
    this.start = w.pos;
    w.arena(tb.termHead[t]!, tb.termMid[t]!);
    w.int(this.seq);
    w.arena(tb.termMid[t]!, tb.termEnd[t]!);
    w.int(this.seq);
    // ,"ts":"YYYY-MM-DDTHH:MM:SS.mmm then the offset: digits written in place, no string per record or minute.
    w.bytes(TS_OPEN);
    w.int4(lm.year);
    w.byte(0x2d);
    w.int2(lm.month);
    w.byte(0x2d);
    w.int2(lm.day);
    w.byte(0x54);
    w.int2(lm.hour);
    w.byte(0x3a);
    w.int2(lm.minute);
    w.byte(0x3a);
    const sec = Math.floor(ms / 1000);
    w.int2(sec);
    w.byte(0x2e);
    w.int3(ms - sec * 1000);
    w.bytes(lm.tails[type]!);
    w.int(amount);
    w.bytes(tb.currencyFrags[tb.curOf[store]!]!);
    w.int(tax);
    if (discount > 0) {
      w.bytes(DISCOUNT);
      w.int(discount);
    }
    w.bytes(TENDER_BRAND[tender * 8 + brand + 1]!);
    if (this.refTerm < 0) {
      w.bytes(ITEMS_END[items]!);
    } else {
      w.bytes(ITEMS_REF[items]!);
      w.arena(tb.termHead[this.refTerm]! + TXN_OPEN_LENGTH, tb.termMid[this.refTerm]!);
      w.int(this.refSeq);
      w.bytes(REF_END);
    }
    w.endLine();
  }

  /** Ring offset of the newest remembered sale of the store on the same local and business day, or -1. */
  private sameDaySale(store: number, cal: number, biz: number): number {
    const r = this.ring;
    const base = store * RING;
    const next = this.ringNext[store]!;
    for (let k = 1; k <= RING; k++) {
      const o = (base + ((next - k + RING) % RING)) * FIELDS;
      if (r[o + F_SEQ] !== 0 && r[o + F_CAL] === cal && r[o + F_BIZ] === biz) return o;
    }
    return -1;
  }

  /** Ring offset of some remembered sale of the store, or -1. */
  private anySale(rng: Prng, store: number): number {
    const start = rng.int(RING);
    for (let k = 0; k < RING; k++) {
      const o = (store * RING + ((start + k) % RING)) * FIELDS;
      if (this.ring[o + F_SEQ] !== 0) return o;
    }
    return -1;
  }

  /** References a remembered sale and forgets it: each sale is voided or refunded at most once. */
  private takeSale(o: number): void {
    this.refTerm = this.ring[o + F_TERM]!;
    this.refSeq = this.ring[o + F_SEQ]!;
    this.ring[o + F_SEQ] = 0;
  }

  /**
   * Writes one transaction of `store`, of the wanted kind, falling back to
   * a sale when a void or refund has nothing to reference. `lm` and `ms`
   * make the time stamp; `cal` and `biz` are the local calendar day and
   * business day, which a void shares with its sale.
   */
  transact(rng: Prng, store: number, want: number, lm: LocalMinute, ms: number, cal: number, biz: number): void {
    const r = this.ring;
    const tb = this.tb;
    this.refTerm = -1;
    if (want === VOID) {
      const o = this.sameDaySale(store, cal, biz);
      if (o >= 0) {
        // A void is keyed at the till that rang up the sale, for the same amount.
        this.takeSale(o);
        this.term = this.refTerm;
        this.seq = this.nextSeq(rng, this.term);
        this.type = VOID;
        this.write(store, lm, ms, VOID, r[o + F_AMOUNT]!, r[o + F_TAX]!, 0, r[o + F_TENDER]!, r[o + F_BRAND]!, r[o + F_ITEMS]!);
        return;
      }
    }
    this.term = tb.termStart[store]! + rng.int(tb.termCount[store]!);
    this.seq = this.nextSeq(rng, this.term);
    const mix = tb.mixes[tb.mixOf[store]!]!;
    if (want === REFUND) {
      this.type = REFUND;
      const o = rng.chance(REFUND_WITH_REF) ? this.anySale(rng, store) : -1;
      if (o >= 0) {
        // A return of part or all of an earlier basket, paid back the way it was paid.
        const items = r[o + F_ITEMS]!;
        const back = rng.between(1, items);
        const amount = back === items ? r[o + F_AMOUNT]! : Math.max(1, Math.round((r[o + F_AMOUNT]! * back) / items));
        this.takeSale(o);
        this.write(store, lm, ms, REFUND, amount, this.taxOf(store, amount), 0, r[o + F_TENDER]!, r[o + F_BRAND]!, back);
        return;
      }
      const items = REFUND_ITEMS[rng.u32() & TABLE_MASK]!;
      const amount = this.amountFor(rng, store, items);
      const tender = pickWeighted(rng, mix.tender);
      this.write(store, lm, ms, REFUND, amount, this.taxOf(store, amount), 0, tender, this.brandFor(rng, store, tender), items);
      return;
    }
    const items = SALE_ITEMS[rng.u32() & TABLE_MASK]!;
    let amount = this.amountFor(rng, store, items);
    let discount = 0;
    if (rng.chance(DISCOUNT_SHARE) && amount > 1) {
      discount = Math.max(1, Math.round(amount * (0.05 + 0.25 * rng.float())));
      amount = Math.max(1, amount - discount);
    }
    const tax = this.taxOf(store, amount);
    const tender = pickWeighted(rng, mix.tender);
    const brand = this.brandFor(rng, store, tender);
    const slot = this.ringNext[store]!;
    this.ringNext[store] = (slot + 1) % RING;
    const o = (store * RING + slot) * FIELDS;
    r[o + F_SEQ] = this.seq;
    r[o + F_TERM] = this.term;
    r[o + F_AMOUNT] = amount;
    r[o + F_TAX] = tax;
    r[o + F_ITEMS] = items;
    r[o + F_TENDER] = tender;
    r[o + F_BRAND] = brand;
    r[o + F_CAL] = cal;
    r[o + F_BIZ] = biz;
    this.type = SALE;
    this.write(store, lm, ms, SALE, amount, tax, discount, tender, brand, items);
  }

  /** A fresh sale's fields with a new `seq` of one of the store's terminals: the base of a malformed line. */
  baseRecord(rng: Prng, store: number, ts: string): BaseRecord {
    const tb = this.tb;
    const term = tb.termStart[store]! + rng.int(tb.termCount[store]!);
    const seq = this.nextSeq(rng, term);
    const items = SALE_ITEMS[rng.u32() & TABLE_MASK]!;
    const amount = this.amountFor(rng, store, items);
    const site = tb.site(store);
    return {
      txn_id: `${tb.termIds[term]!}-${seq}`,
      store_id: site.store.store_id,
      terminal_id: tb.termIds[term]!,
      seq,
      ts,
      type: 'sale',
      amount_minor: amount,
      currency: site.store.currency,
      tax_minor: this.taxOf(store, amount),
      tender: TENDER_ORDER[pickWeighted(rng, tb.mixes[tb.mixOf[store]!]!.tender)]!,
      items,
    };
  }
}
