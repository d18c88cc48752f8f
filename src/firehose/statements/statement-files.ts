/**
 * Generated statements → files, one per day (every account's statement of
 * that day, as a bank's daily delivery), in camt.053, MT940 or the
 * statement CSV, through the product's own writers, plus `answer-key.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BankStatement, StatementFormat } from '../../domain/statement.js';
import { writeCamt053 } from '../../treasury/statements/camt053-writer.js';
import { writeMt940 } from '../../treasury/statements/mt940-writer.js';
import { writeStatementCsv } from '../../treasury/statements/statement-csv-writer.js';
import type { AnswerKey } from './statement-breaks.js';
import type { DatedStatement } from './statement-chains.js';

export const STATEMENT_FILE_EXTENSIONS: Readonly<Record<StatementFormat, string>> = { camt053: 'xml', mt940: 'sta', csv: 'csv' };

export interface StatementFile {
  /** File name (no directory): `<YYYY-MM-DD>.<xml|sta|csv>`. */
  name: string;
  day: string;
  text: string;
  statements: number;
  entries: number;
}

/** The day files of `statements` in `format`, in day order; sets `file` on the key's entries. */
export function statementFiles(statements: readonly DatedStatement[], key: AnswerKey, format: StatementFormat): StatementFile[] {
  const byDay = new Map<string, BankStatement[]>();
  for (const s of statements) {
    let list = byDay.get(s.day);
    if (list === undefined) byDay.set(s.day, (list = []));
    list.push({ ...s.statement, format });
  }
  const files: StatementFile[] = [];
  const fileOf = new Map<string, string>();
  for (const [day, list] of byDay) {
    const name = `${day}.${STATEMENT_FILE_EXTENSIONS[format]}`;
    const text = format === 'camt053' ? writeCamt053(list, { messageId: `TPAY-${day.replaceAll('-', '')}` }) : format === 'mt940' ? writeMt940(list) : writeStatementCsv(list);
    files.push({ name, day, text, statements: list.length, entries: list.reduce((n, s) => n + s.entries.length, 0) });
    for (const s of list) fileOf.set(`${s.account}\u0000${s.statementId}`, name);
  }
  for (const e of key.entries) e.file = fileOf.get(`${e.account}\u0000${e.statement_id}`) ?? null;
  return files;
}

/** Writes the day files and `answer-key.json` into `dir` (created if missing); returns the files. */
export function writeStatementFiles(dir: string, statements: readonly DatedStatement[], key: AnswerKey, format: StatementFormat): StatementFile[] {
  mkdirSync(dir, { recursive: true });
  const files = statementFiles(statements, key, format);
  for (const f of files) writeFileSync(join(dir, f.name), f.text);
  writeFileSync(join(dir, 'answer-key.json'), `${JSON.stringify(key, null, 1)}\n`);
  return files;
}
