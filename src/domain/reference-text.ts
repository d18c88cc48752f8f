/**
 * How the matcher compares payment references (docs/reconciliation.md,
 * "References"). Banks, acquirers and people write the same reference with
 * other case, spaces and punctuation (`PO-2026/0001`, `po 2026 0001`), so
 * only the letters A–Z and digits 0–9 count. Remittance text is scanned in
 * one pass, without regular expressions, so a long or hostile text costs
 * time linear in its length.
 */

function isDigitOrUpper(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/**
 * A reference as the matcher compares it: upper-cased, everything but
 * A–Z and 0–9 dropped; null when nothing is left.
 * @example normaliseReference(' po-2026/0001 ') // 'PO20260001'
 */
export function normaliseReference(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  let out = '';
  let runStart = 0;
  let dropped = false;
  let lower = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigitOrUpper(c)) continue;
    if (isLower(c)) {
      lower = true;
      continue;
    }
    // Whole runs are sliced rather than appended a character at a time: most references have few separators.
    if (i > runStart) out += text.slice(runStart, i);
    runStart = i + 1;
    dropped = true;
  }
  if (dropped) {
    if (runStart < text.length) out += text.slice(runStart);
  } else {
    out = text;
  }
  if (out.length === 0) return null;
  return lower ? out.toUpperCase() : out;
}

/** Characters that end a token: whitespace (any code ≤ space, and NBSP), `,` and `;`. */
function endsToken(c: number): boolean {
  return c <= 32 || c === 44 || c === 59 || c === 0xa0;
}

/**
 * Characters that split a token into parts: the field marks of SWIFT and
 * SEPA remittance lines (`/ROC/PO1/`, `EREF+PO1`, `REF:PO1`) and brackets.
 */
function splitsToken(c: number): boolean {
  return c === 47 || c === 43 || c === 58 || c === 61 || c === 40 || c === 41 || c === 91 || c === 93 || c === 124 || c === 35;
}

/**
 * Calls `visit` with every candidate reference in `text`, normalised: each
 * whitespace/`,`/`;`-separated token whole, and, when the token contains
 * `/ + : = ( ) [ ] | #`, each part between those too. A candidate may be
 * visited more than once (`PO1 PO1`); empty ones are skipped.
 * @example
 * const seen: string[] = [];
 * forEachReferenceCandidate('Payout /ROC/po-1/ ref:PO2', (r) => seen.push(r));
 * // seen: ['PAYOUT', 'ROCPO1', 'ROC', 'PO1', 'REFPO2', 'REF', 'PO2']
 */
export function forEachReferenceCandidate(text: string, visit: (candidate: string) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && endsToken(text.charCodeAt(i))) i++;
    const start = i;
    let split = false;
    while (i < n && !endsToken(text.charCodeAt(i))) {
      if (splitsToken(text.charCodeAt(i))) split = true;
      i++;
    }
    if (i === start) break;
    const whole = normaliseReference(text.slice(start, i));
    if (whole !== null) visit(whole);
    if (!split) continue;
    let partStart = start;
    for (let k = start; k <= i; k++) {
      if (k < i && !splitsToken(text.charCodeAt(k))) continue;
      if (k > partStart) {
        const part = normaliseReference(text.slice(partStart, k));
        if (part !== null) visit(part);
      }
      partStart = k + 1;
    }
  }
}

/*
 * The same candidates without building strings: the matcher looks up
 * millions of candidates, nearly all of which name nothing, and a string
 * (plus its normalised copy and its hash) per candidate was most of its
 * time. A candidate is a range of the text and a 32-bit hash of its
 * normalised characters; a hit is confirmed by comparing characters.
 */

/** FNV-1a offset basis: the hash of an empty reference. */
const HASH_START = 0x811c9dc5 | 0;

/** The normalised form of character `c` (A–Z, 0–9; a–z upper-cased), or −1 when normalising drops it. */
function normalisedCode(c: number): number {
  if (isDigitOrUpper(c)) return c;
  return isLower(c) ? c - 32 : -1;
}

function mix(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

/**
 * The hash of `normaliseReference(text)`, or null when that is null.
 * @example referenceHash('po-1') === referenceHash('PO1') // true
 */
export function referenceHash(text: string | null | undefined): number | null {
  return text === null || text === undefined ? null : WHOLE.whole(text);
}

/**
 * `normaliseReference(text).length`, 0 for null.
 * @example normalisedLength('po-1') // 3
 */
export function normalisedLength(text: string | null | undefined): number {
  if (text === null || text === undefined) return 0;
  let kept = 0;
  for (let i = 0; i < text.length; i++) if (normalisedCode(text.charCodeAt(i)) >= 0) kept++;
  return kept;
}

/**
 * Whether `normaliseReference(text.slice(start, end))` equals
 * `normaliseReference(ref)`, compared character by character.
 */
export function sameReference(text: string, start: number, end: number, ref: string): boolean {
  let i = start;
  let j = 0;
  const n = ref.length;
  for (;;) {
    let a = -1;
    while (i < end && (a = normalisedCode(text.charCodeAt(i))) < 0) i++;
    let b = -1;
    while (j < n && (b = normalisedCode(ref.charCodeAt(j))) < 0) j++;
    if (i >= end || j >= n) {
      // Equal only when both ran out together (the trailing characters were all dropped).
      return (i >= end ? -1 : a) === (j >= n ? -1 : b);
    }
    if (a !== b) return false;
    i++;
    j++;
  }
}

/**
 * Appends the normalised characters of `text` to `out` from `at` (which
 * must have room for `normalisedLength(text)` more); returns the new end.
 */
export function writeNormalised(text: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) {
    const c = normalisedCode(text.charCodeAt(i));
    if (c >= 0) out[at++] = c;
  }
  return at;
}

/**
 * Whether `text.slice(start, end)` normalises to the `length` characters of
 * `norm` from `at` (written by {@link writeNormalised}).
 */
export function sameNormalised(text: string, start: number, end: number, norm: Uint8Array, at: number, length: number): boolean {
  let j = at;
  const stop = at + length;
  for (let i = start; i < end; i++) {
    const c = normalisedCode(text.charCodeAt(i));
    if (c < 0) continue;
    if (j === stop || norm[j] !== c) return false;
    j++;
  }
  return j === stop;
}

/** Receives candidates: `text.slice(start, end)` normalises to a non-empty reference of `length` characters with this hash. */
export type ReferenceRangeVisitor = (start: number, end: number, hash: number, length: number) => void;

/**
 * {@link forEachReferenceCandidate} as ranges and hashes, in the same order
 * and with the same repeats: for each token the whole, then its parts. One
 * scanner keeps its buffer between texts (a visitor must not start another
 * scan on the same scanner).
 * @example
 * const scanner = new ReferenceScanner();
 * scanner.scan('Payout /ROC/po-1/', (start, end, hash) => { … }); // PAYOUT, ROCPO1, ROC, PO1
 */
export class ReferenceScanner {
  /** Parts of the current token (start, end, hash, length), kept until the whole token has been visited. */
  private parts = new Int32Array(48);
  /** The normalised length of the text last given to `whole`. */
  length = 0;

  /** {@link referenceHash} of the whole text, its normalised length in `length`: one pass for both. */
  whole(text: string): number | null {
    let h = HASH_START;
    let kept = 0;
    for (let i = 0; i < text.length; i++) {
      const c = normalisedCode(text.charCodeAt(i));
      if (c < 0) continue;
      h = mix(h, c);
      kept++;
    }
    this.length = kept;
    return kept === 0 ? null : h;
  }

  scan(text: string, visit: ReferenceRangeVisitor): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      while (i < n && endsToken(text.charCodeAt(i))) i++;
      const start = i;
      let h = HASH_START;
      let kept = 0;
      let ph = HASH_START;
      let pkept = 0;
      let partStart = i;
      let nparts = 0;
      let split = false;
      for (; i < n; i++) {
        const raw = text.charCodeAt(i);
        if (endsToken(raw)) break;
        if (splitsToken(raw)) {
          split = true;
          if (pkept > 0) nparts = this.push(nparts, partStart, i, ph, pkept);
          ph = HASH_START;
          pkept = 0;
          partStart = i + 1;
          continue;
        }
        const c = normalisedCode(raw);
        if (c < 0) continue;
        h = mix(h, c);
        kept++;
        ph = mix(ph, c);
        pkept++;
      }
      if (i === start) break;
      if (kept > 0) visit(start, i, h, kept);
      if (!split) continue;
      if (pkept > 0) nparts = this.push(nparts, partStart, i, ph, pkept);
      const parts = this.parts;
      for (let k = 0; k < nparts * 4; k += 4) visit(parts[k]!, parts[k + 1]!, parts[k + 2]!, parts[k + 3]!);
    }
  }

  private push(nparts: number, start: number, end: number, hash: number, length: number): number {
    const p = nparts * 4;
    if (p + 4 > this.parts.length) {
      const grown = new Int32Array(this.parts.length * 2);
      grown.set(this.parts);
      this.parts = grown;
    }
    this.parts[p] = start;
    this.parts[p + 1] = end;
    this.parts[p + 2] = hash;
    this.parts[p + 3] = length;
    return nparts + 1;
  }
}

/** The scanner behind {@link referenceHash} (`whole` keeps no state between calls but the length). */
const WHOLE = new ReferenceScanner();
