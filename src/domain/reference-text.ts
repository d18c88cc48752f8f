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
