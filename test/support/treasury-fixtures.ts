/**
 * Fixtures for treasury tests over a real platform: a sales day whose T+1
 * payout date is the next calendar day, and MT940 statements built from
 * signed minor-unit entries.
 */
import Holidays from 'date-holidays';

export const DAY = 86_400_000;

/** Day number (days since 1970-01-01) → `YYYY-MM-DD`. */
export const ymd = (d: number): string => new Date(d * DAY).toISOString().slice(0, 10);
const yymmdd = (d: number): string => ymd(d).slice(2).replaceAll('-', '');

/** A Tuesday–Thursday at least 9 days ago, neither it nor the next day a German public holiday: T+1 is then the next day. */
export function pastWeekday(): number {
  const holidays = new Holidays('DE');
  const closed = (d: number): boolean => holidays.getHolidays(new Date(d * DAY).getUTCFullYear()).some((h) => (h.type === 'public' || h.type === 'bank') && h.date.startsWith(ymd(d)));
  let d = Math.floor(Date.now() / DAY) - 9;
  while (![2, 3, 4].includes(new Date(d * DAY).getUTCDay()) || closed(d) || closed(d + 1)) d--;
  return d;
}

/** An MT940 statement in EUR of one account and day (day number), from signed minor-unit entries. */
export function mt940(account: string, day: number, opening: number, entries: { amount: number; ref: string; text: string }[]): string {
  const amt = (m: number): string => `${String(Math.floor(Math.abs(m) / 100))},${String(Math.abs(m) % 100).padStart(2, '0')}`;
  const dc = (m: number): string => (m < 0 ? 'D' : 'C');
  let bal = opening;
  const lines = [':20:STMT' + yymmdd(day), `:25:${account}`, ':28C:1/1', `:60F:${dc(opening)}${yymmdd(day)}EUR${amt(opening)}`];
  for (const e of entries) {
    lines.push(`:61:${yymmdd(day)}${yymmdd(day).slice(2)}${dc(e.amount)}${amt(e.amount)}NTRF${e.ref}//B${String(lines.length)}`, `:86:${e.text}`);
    bal += e.amount;
  }
  lines.push(`:62F:${dc(bal)}${yymmdd(day)}EUR${amt(bal)}`);
  return `${lines.join('\r\n')}\r\n-`;
}
