/**
 * The treasury benchmark's bank: books a year of expected payouts and cash
 * deposits the way banks and stores really do, breaks included, and writes
 * one statement per account and booking day. Seeded, so every run books the
 * same entries. Of the items (rates per item):
 *
 * - 1 % never arrive (missing), 3 % arrive 1–5 days late (timing),
 *   1 % arrive short or over by a little (amount mismatch, by reference);
 * - deposits: 12 % are lodged in two or three bags (a split; a third of
 *   those finish the next day), 1.5 % are lodged together with the next
 *   store's cash of the same day (a cash-in-transit lodgement naming both
 *   references: many-to-one by reference), 20 % carry no reference (the
 *   amount pass finds them);
 * - 1 % are booked twice (a repeat: a day later, another bank reference),
 *   0.5 % appear again in the next day's statement (the same bank line);
 * - references are written as banks write them: whole, lower case with
 *   spaces, inside remittance text, `/ROC/…/`, `EREF+…`;
 * - per account, bank charges on about one day in seven and interest each
 *   month (unexpected: nothing expects them).
 *
 * Accounts alternate between camt.053 and MT940 banks, as a retailer's
 * accounts in several countries do.
 */
import { dayText, dayNumber } from '../src/domain/business-calendar.js';
import type { ExpectedItem } from '../src/domain/reconciliation.js';
import type { BankStatement, StatementEntry, StatementFormat } from '../src/domain/statement.js';
import { Prng } from '../src/firehose/prng.js';

interface Booking {
  day: number;
  amountMinor: number;
  reference: string | null;
  remittance: string | null;
  bankReference: string;
  counterparty: string | null;
}

export interface BankBooks {
  /** Statements per booking day (ascending), each of one account. */
  byDay: Map<number, BankStatement[]>;
  entries: number;
  accounts: number;
}

const COUNTERPARTIES = ['CASH CENTRE', 'G4S CASH SOLUTIONS', 'LOOMIS', 'BRINKS', 'PROSEGUR'] as const;

/** How the bank writes a reference: into which field, in which form. */
function referenceFields(rng: Prng, ref: string): Pick<Booking, 'reference' | 'remittance'> {
  const r = rng.int(10);
  if (r < 4) return { reference: ref, remittance: null };
  if (r < 5) return { reference: ref.toLowerCase().replaceAll('-', ' '), remittance: null };
  if (r < 7) return { reference: null, remittance: `PAYMENT ${ref} THANK YOU` };
  if (r < 8) return { reference: 'NOTPROVIDED', remittance: `/ROC/${ref}/` };
  return { reference: null, remittance: `EREF+${ref.toLowerCase()} SVWZ+SETTLEMENT` };
}

/**
 * Books `items` (one tenant's expected payouts and deposits) into
 * statements of booking days up to `lastDay` (days since 1970-01-01).
 */
export function bookItems(items: readonly ExpectedItem[], lastDay: number, seed = 20260301): BankBooks {
  const rng = new Prng(seed);
  const accounts = [...new Set(items.map((i) => i.account))].sort();
  const accountNo = new Map(accounts.map((a, k) => [a, k]));
  const currencyOf = new Map(items.map((i) => [i.account, i.currency]));
  // Account → booking day → bookings.
  const books = accounts.map(() => new Map<number, Booking[]>());
  const lines = new Int32Array(accounts.length);
  // `again`: the same bank line once more, in the statement of `statementDay`.
  const book = (account: string, b: Omit<Booking, 'bankReference'>, again: Booking | null = null, statementDay = b.day): Booking => {
    const k = accountNo.get(account)!;
    const bk: Booking = again ?? { ...b, bankReference: `B${String(k)}-${String(++lines[k]!).padStart(8, '0')}` };
    if (statementDay > lastDay) return bk;
    let list = books[k]!.get(statementDay);
    if (list === undefined) books[k]!.set(statementDay, (list = []));
    list.push(bk);
    return bk;
  };
  // Deposits of one account and day in item order: the lodgement break pairs a deposit with the next.
  const sorted = [...items].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : a.expectedDate < b.expectedDate ? -1 : a.expectedDate > b.expectedDate ? 1 : a.id < b.id ? -1 : 1));
  const lodgedWith = new Set<ExpectedItem>();
  for (let n = 0; n < sorted.length; n++) {
    const it = sorted[n]!;
    if (lodgedWith.has(it)) continue;
    const due = dayNumber(it.expectedDate);
    const deposit = it.kind === 'deposit';
    const ref = it.reference;
    const counterparty = deposit ? rng.pick(COUNTERPARTIES) : it.group ?? null;
    const named = (): Pick<Booking, 'reference' | 'remittance'> =>
      ref === null || (deposit && rng.chance(0.2)) ? { reference: null, remittance: deposit ? `CASH LODGEMENT BRANCH ${String(rng.int(900) + 100)}` : 'CARD SETTLEMENT' } : referenceFields(rng, ref);
    const r = rng.float();
    if (r < 0.01) continue; // never arrives
    if (r < 0.04) {
      book(it.account, { day: due + rng.between(1, 5), amountMinor: it.amountMinor, counterparty, ...named() });
      continue;
    }
    if (r < 0.05 && ref !== null) {
      const off = rng.between(1, Math.max(1, Math.floor(Math.abs(it.amountMinor) / 50)));
      book(it.account, { day: due, amountMinor: it.amountMinor + (rng.chance(0.5) ? off : -off), counterparty, ...referenceFields(rng, ref) });
      continue;
    }
    if (deposit && ref !== null && r < 0.17 && Math.abs(it.amountMinor) >= 3) {
      const bags = rng.chance(0.7) ? 2 : 3;
      const late = rng.chance(1 / 3);
      let left = it.amountMinor;
      for (let b = 0; b < bags; b++) {
        const part = b === bags - 1 ? left : Math.max(1, Math.floor(left * (0.3 + rng.float() * 0.4)));
        left -= part;
        book(it.account, { day: due + (late && b === bags - 1 ? 1 : 0), amountMinor: part, counterparty, ...referenceFields(rng, ref) });
      }
      continue;
    }
    const next = sorted[n + 1];
    if (deposit && ref !== null && r < 0.185 && next !== undefined && next.kind === 'deposit' && next.reference !== null && next.account === it.account && next.expectedDate === it.expectedDate) {
      lodgedWith.add(next);
      book(it.account, { day: due, amountMinor: it.amountMinor + next.amountMinor, counterparty, reference: null, remittance: `CIT LODGEMENT ${ref} ${next.reference}` });
      continue;
    }
    const first = book(it.account, { day: due, amountMinor: it.amountMinor, counterparty, ...named() });
    if (r < 0.195) book(it.account, { ...first, day: due + 1 }); // booked again: a new bank line
    else if (r < 0.2) book(it.account, first, first, due + 1); // the same line in the next statement
  }
  // Charges and interest: nothing expects them.
  let firstDay = lastDay;
  for (const it of items) firstDay = Math.min(firstDay, dayNumber(it.expectedDate));
  for (const account of accounts) {
    for (let d = firstDay; d <= lastDay; d++) {
      if (rng.chance(1 / 7)) book(account, { day: d, amountMinor: -rng.between(500, 25_000), counterparty: null, reference: null, remittance: 'ACCOUNT CHARGES' });
      if (dayText(d).endsWith('-01')) book(account, { day: d, amountMinor: rng.between(10_000, 900_000), counterparty: null, reference: null, remittance: 'INTEREST' });
    }
  }
  const byDay = new Map<number, BankStatement[]>();
  let entries = 0;
  accounts.forEach((account, k) => {
    const format: StatementFormat = k % 2 === 0 ? 'camt053' : 'mt940';
    const currency = currencyOf.get(account)!;
    let balance = 0;
    let number = 0;
    for (const day of [...books[k]!.keys()].sort((a, b) => a - b)) {
      const date = dayText(day);
      const opening = { amountMinor: balance, date };
      const list: StatementEntry[] = books[k]!.get(day)!.map((b, i) => {
        balance += b.amountMinor;
        const credit = b.amountMinor >= 0;
        const booked = dayText(b.day);
        return {
          index: i + 1,
          amountMinor: Math.abs(b.amountMinor),
          direction: credit ? 'credit' : 'debit',
          currency,
          bookingDate: booked,
          valueDate: booked,
          reference: b.reference,
          bankReference: b.bankReference,
          remittance: b.remittance,
          counterparty: b.counterparty,
          reversal: false,
          transactionCode: format === 'camt053' ? (credit ? 'PMNT/RCDT/DMCT' : 'ACMT/MDOP/CHRG') : credit ? 'NTRF' : 'NCHG',
        };
      });
      entries += list.length;
      number++;
      const statement: BankStatement = {
        format,
        statementId: `S${date.replaceAll('-', '')}/${String(number)}`,
        statementNumber: String(number),
        account,
        currency,
        opening,
        closing: { amountMinor: balance, date },
        createdAt: format === 'camt053' ? `${date}T23:00:00+00:00` : null,
        entries: list,
      };
      let day0 = byDay.get(day);
      if (day0 === undefined) byDay.set(day, (day0 = []));
      day0.push(statement);
    }
  });
  return { byDay: new Map([...byDay.entries()].sort((a, b) => a[0] - b[0])), entries, accounts: accounts.length };
}
