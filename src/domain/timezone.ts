/**
 * IANA time zone names, as the runtime's Intl (ICU) knows them.
 *
 * Intl is the authority because every later step that turns an instant into
 * a store's local time (buckets, business days) goes through Intl too: a name
 * accepted here is a name those steps can use. That includes backward-compat
 * aliases (`Asia/Calcutta`, `US/Eastern`, `GMT`) and Intl's case-insensitive
 * matching (`asia/kolkata`).
 *
 * Not accepted: UTC offsets written as a zone (`+05:30`, `-03:00`; newer
 * runtimes let Intl take them, but an offset has no DST rules and is not a
 * place), the empty string, and anything longer than 64 characters.
 */

/** The longest IANA name today is 32 characters; 64 leaves room and caps the work per call. */
const MAX_NAME_LENGTH = 64;

/**
 * Bound on cached verdicts. Registry files repeat a few hundred names, so the
 * cache normally holds exactly those; the bound keeps a stream of distinct junk
 * (or endless case variants) from growing memory.
 */
const MAX_CACHED = 4096;

const verdicts = new Map<string, boolean>();

/**
 * Whether `name` is an IANA time zone name the runtime can use. Results are
 * cached, so calling it per row of a large registry is cheap.
 * @example isTimeZone('Asia/Kolkata')  // true
 * @example isTimeZone('Asia/Calcutta') // true (alias)
 * @example isTimeZone('+05:30')        // false (an offset, not a zone)
 * @example isTimeZone('Mars/Base')     // false
 */
export function isTimeZone(name: string): boolean {
  const cached = verdicts.get(name);
  if (cached !== undefined) return cached;
  const verdict = hasZoneShape(name) && intlAccepts(name);
  if (verdicts.size < MAX_CACHED) verdicts.set(name, verdict);
  return verdict;
}

/**
 * Zone names start with a letter and use letters, digits, `/`, `_`, `+`, `-`
 * (e.g. `America/Port-au-Prince`, `Etc/GMT+5`). Checking this first rejects
 * offsets and control characters before Intl sees them.
 */
function hasZoneShape(name: string): boolean {
  const n = name.length;
  if (n === 0 || n > MAX_NAME_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (i === 0) {
      if (!letter) return false;
      continue;
    }
    const digit = c >= 0x30 && c <= 0x39;
    if (!letter && !digit && c !== 0x2f && c !== 0x5f && c !== 0x2b && c !== 0x2d) return false;
  }
  return true;
}

function intlAccepts(name: string): boolean {
  try {
    // Constructing the formatter is the documented way to ask Intl whether it
    // knows a zone: it throws a RangeError for unknown names.
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
