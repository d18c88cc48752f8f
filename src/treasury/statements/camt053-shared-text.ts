/**
 * One string per distinct short text of a camt.053 file that came decoded
 * (an entity or CDATA in a name), the transaction code of each distinct
 * domain, family and sub-family in a row, and the last currency's
 * exponent; text read from the bytes is shared by the byte reader's pool.
 */
import { currencyExponent } from '../../domain/currency.js';

/** Longest text shared (names, codes, dates); longer text is rarely repeated. */
const MAX_SHARED_LENGTH = 70;
/** Distinct texts remembered before starting afresh: bounds memory on a file of all-different names. */
const MAX_SHARED = 4096;

/** Shared texts and the last code and currency looked up, for one file. */
export class SharedText {
  private readonly known = new Map<string, string>();
  private lastDomain = '';
  private lastFamily: string | null = null;
  private lastSub: string | null = null;
  private lastCode = '';
  private lastCurrency = '';
  private lastExponent = 0;

  /** The exponent of a currency the caller knows to be valid or checks after (-1 when unknown, which no plain amount matches). */
  exponent(currency: string): number {
    if (currency !== this.lastCurrency) {
      this.lastCurrency = currency;
      this.lastExponent = currencyExponent(currency) ?? -1;
    }
    return this.lastExponent;
  }

  get(text: string): string {
    if (text.length > MAX_SHARED_LENGTH) return text;
    const k = this.known.get(text);
    if (k !== undefined) return k;
    if (this.known.size >= MAX_SHARED) this.known.clear();
    this.known.set(text, text);
    return text;
  }

  /** `domain/family/sub` (absent parts left out), built once per distinct triple in a row. */
  code(domain: string, family: string | null, sub: string | null): string {
    if (domain !== this.lastDomain || family !== this.lastFamily || sub !== this.lastSub) {
      this.lastDomain = domain;
      this.lastFamily = family;
      this.lastSub = sub;
      this.lastCode = this.get(family === null ? (sub === null ? domain : `${domain}/${sub}`) : sub === null ? `${domain}/${family}` : `${domain}/${family}/${sub}`);
    }
    return this.lastCode;
  }
}
