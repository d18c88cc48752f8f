/**
 * The SWIFT "X" character set an MT940 may carry: a–z A–Z 0–9, space and
 * `/ - ? : ( ) . , ' +`. The writer transliterates everything else: German
 * umlauts and ß the way German banks spell them (ä → ae, ß → ss), other
 * accented letters to their base letter (é → e, ł → l), and anything left
 * (`&`, `*`, `;`, `@`, `_`, emoji, …) to `.`, the convention mt940 tools use.
 */

const X_CHARSET = /^[A-Za-z0-9 /\-?:().,'+]*$/;

const SPELLED: Readonly<Record<string, string>> = {
  ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss', ẞ: 'SS',
  æ: 'ae', Æ: 'AE', ø: 'o', Ø: 'O', œ: 'oe', Œ: 'OE', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', þ: 'th', Þ: 'TH',
};

export function isSwiftX(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (X_ASCII[text.charCodeAt(i)] !== 1) return false;
  return true;
}

/** Per ASCII code: 1 if in the X set (a table, not a regex per character: the writer calls this for every text field). */
const X_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) X_ASCII[c] = X_CHARSET.test(String.fromCharCode(c)) ? 1 : 0;

/** `text` in the SWIFT X set; line breaks become spaces (the writer does its own wrapping). */
export function toSwiftX(text: string): string {
  let i = 0;
  while (i < text.length && X_ASCII[text.charCodeAt(i)] === 1) i++;
  if (i === text.length) return text;
  const known = CACHE.get(text);
  if (known !== undefined) return known;
  const out = transliterate(text, i);
  // Names and texts repeat (the same acquirer on every payout): remember the recent ones.
  if (CACHE.size >= CACHE_SIZE) CACHE.clear();
  CACHE.set(text, out);
  return out;
}

const CACHE_SIZE = 4096;
const CACHE = new Map<string, string>();

function transliterate(text: string, i: number): string {
  let out = text.slice(0, i);
  for (const ch of text.slice(i)) {
    const c = ch.charCodeAt(0);
    if (c < 128 && X_ASCII[c] === 1) {
      out += ch;
      continue;
    }
    if (ch === '\n' || ch === '\r' || ch === '\t') {
      out += ' ';
      continue;
    }
    const spelled = SPELLED[ch];
    if (spelled !== undefined) {
      out += spelled;
      continue;
    }
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += X_CHARSET.test(base) && base !== '' ? base : '.';
  }
  return out;
}
