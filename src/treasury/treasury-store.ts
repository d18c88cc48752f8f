/**
 * Treasury's durable state, per tenant, under `<dataDir>/treasury/<tenant>/`:
 *
 * - `setup.json`: the settlement set-up (replaced whole, atomically);
 * - `statements.ndjson`: every imported statement, one JSON line each,
 *   appended and fsynced before an import is answered, so an answered
 *   import survives a crash; a torn last line (a crash mid-append) is cut
 *   off on open and that import was never answered;
 * - `payout-changes.ndjson`: the history of expected items that changed
 *   after they were matched (late sales, restatements), appended the same way;
 * - `matched-amounts.json`: the amount of every matched item at the last
 *   reconciliation (replaced whole, atomically), so a change made while the
 *   server was down is still logged after a restart.
 *
 * Everything is read into memory on first use of a tenant: statements are
 * what reconciliation runs over, and they are small next to sales.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BankStatement } from '../domain/statement.js';
import { fsyncDirSync, writeFileAtomicSync } from '../util/atomic-file.js';
import { TreasuryError } from './errors.js';
import { EMPTY_SETUP, parseSettlementSetup, settlementSetupJson, type SettlementSetup } from './settlement-setup.js';

/** A statement as kept: what was read, when, from which file. */
export interface StoredStatement {
  /** Stable key: account, statement id and the dates it covers. */
  key: string;
  /** SHA-256 of the file it came in (hex). */
  fileSha256: string;
  importedAt: string;
  statement: BankStatement;
}

/** An expected item whose amount moved after it was matched. */
export interface ItemChange {
  itemId: string;
  at: string;
  /** Status before the change (usually `matched`). */
  status: string;
  fromAmount: number;
  toAmount: number;
}

interface TenantState {
  setup: SettlementSetup;
  statements: StoredStatement[];
  byKey: Map<string, StoredStatement>;
  changes: ItemChange[];
  /** Item id → amount when it was last seen matched. */
  matched: Map<string, number>;
  /** Bumped on every change of set-up or statements (for caches). */
  version: number;
  /** The files as last read or written: another process (the CLI) writing them makes the next use read them again. */
  seen: string;
}

/** Bank account identifiers compare without spaces and case (IBANs are printed in groups of four). */
export function normaliseAccount(account: string): string {
  return account.replace(/\s+/g, '').toUpperCase();
}

/** The key a statement is deduplicated by, whatever file format it came in. */
export function statementKey(s: BankStatement): string {
  return [normaliseAccount(s.account), s.statementId, s.opening?.date ?? '', s.closing?.date ?? ''].join('|');
}

export class TreasuryStore {
  private readonly root: string;
  private readonly tenants = new Map<string, TenantState>();

  constructor(dataDir: string) {
    this.root = join(dataDir, 'treasury');
    mkdirSync(this.root, { recursive: true });
  }

  private dir(tenant: string): string {
    return join(this.root, tenant);
  }

  /** Sizes and times of the tenant's files, to notice writes by another process. */
  private stamp(tenant: string): string {
    const dir = this.dir(tenant);
    return ['setup.json', 'statements.ndjson', 'payout-changes.ndjson']
      .map((f) => {
        const st = statSync(join(dir, f), { throwIfNoEntry: false });
        return st === undefined ? '-' : `${String(st.size)}@${String(st.mtimeMs)}`;
      })
      .join('/');
  }

  private state(tenant: string): TenantState {
    let s = this.tenants.get(tenant);
    if (s !== undefined && s.seen === this.stamp(tenant)) return s;
    const version = (s?.version ?? 0) + 1;
    const dir = this.dir(tenant);
    mkdirSync(dir, { recursive: true });
    const setupPath = join(dir, 'setup.json');
    let setup = EMPTY_SETUP;
    if (existsSync(setupPath)) {
      try {
        setup = parseSettlementSetup(JSON.parse(readFileSync(setupPath, 'utf8')));
      } catch (err) {
        throw new TreasuryError('treasury_store_corrupt', `${setupPath} cannot be read: ${(err as Error).message}`, [], { cause: err });
      }
    }
    const statements = readLines<StoredStatement>(join(dir, 'statements.ndjson'));
    const changes = readLines<ItemChange>(join(dir, 'payout-changes.ndjson'));
    const matched = new Map<string, number>(readJson<[string, number][]>(join(dir, 'matched-amounts.json')) ?? []);
    s = { setup, statements, byKey: new Map(statements.map((x) => [x.key, x])), changes, matched, version, seen: this.stamp(tenant) };
    this.tenants.set(tenant, s);
    return s;
  }

  /** Tenants with treasury state on disk. */
  tenantIds(): string[] {
    return readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  }

  setup(tenant: string): SettlementSetup {
    return this.state(tenant).setup;
  }

  putSetup(tenant: string, setup: SettlementSetup): void {
    const s = this.state(tenant);
    writeFileAtomicSync(join(this.dir(tenant), 'setup.json'), `${JSON.stringify(settlementSetupJson(setup), null, 2)}\n`);
    s.setup = setup;
    s.version++;
    s.seen = this.stamp(tenant);
  }

  version(tenant: string): number {
    return this.state(tenant).version;
  }

  statements(tenant: string): readonly StoredStatement[] {
    return this.state(tenant).statements;
  }

  findStatement(tenant: string, key: string): StoredStatement | undefined {
    return this.state(tenant).byKey.get(key);
  }

  /** Appends statements durably (one write and one fsync for all of them): all are kept or, after a crash, none. */
  addStatements(tenant: string, list: readonly StoredStatement[]): void {
    if (list.length === 0) return;
    const s = this.state(tenant);
    appendLines(join(this.dir(tenant), 'statements.ndjson'), list);
    for (const x of list) {
      s.statements.push(x);
      s.byKey.set(x.key, x);
    }
    s.version++;
    s.seen = this.stamp(tenant);
  }

  changes(tenant: string): readonly ItemChange[] {
    return this.state(tenant).changes;
  }

  /** The amount of every item that was matched at the last reconciliation. */
  matchedAmounts(tenant: string): ReadonlyMap<string, number> {
    return this.state(tenant).matched;
  }

  putMatchedAmounts(tenant: string, amounts: ReadonlyMap<string, number>): void {
    const s = this.state(tenant);
    writeFileAtomicSync(join(this.dir(tenant), 'matched-amounts.json'), JSON.stringify([...amounts]));
    s.matched = new Map(amounts);
  }

  addChanges(tenant: string, list: readonly ItemChange[]): void {
    if (list.length === 0) return;
    const s = this.state(tenant);
    appendLines(join(this.dir(tenant), 'payout-changes.ndjson'), list);
    s.changes.push(...list);
    s.seen = this.stamp(tenant);
  }
}

function readJson<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new TreasuryError('treasury_store_corrupt', `${path} cannot be read: ${(err as Error).message}`, [], { cause: err });
  }
}

/** Reads an NDJSON file of records, cutting off a torn last line (written by a crash mid-append). */
function readLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const buf = readFileSync(path);
  const out: T[] = [];
  let start = 0;
  for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
    const text = buf.subarray(start, nl).toString('utf8');
    try {
      out.push(JSON.parse(text) as T);
    } catch (err) {
      throw new TreasuryError('treasury_store_corrupt', `${path}: line at byte ${String(start)} is not JSON: ${(err as Error).message}`, [], { cause: err });
    }
    start = nl + 1;
  }
  if (start < buf.length) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, start);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

function appendLines(path: string, list: readonly unknown[]): void {
  const text = list.map((x) => `${JSON.stringify(x)}\n`).join('');
  const created = !existsSync(path);
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // A new file's directory entry must be durable too.
  if (created) fsyncDirSync(dirname(path));
}
