/**
 * The demo's bank statements over days: the first feed books everything
 * due before "today"; a later feed (the next days of a demo left running,
 * or a restart) books only the days after the last statement, each chain
 * opening at its last closing balance, so nothing is booked twice and the
 * balance check flags nothing. A feed on the same day books nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dayNumber, dayText } from '../../src/domain/business-calendar.js';
import type { DayLine } from '../../src/domain/settlement.js';
import type { Store } from '../../src/domain/store.js';
import { feedDemoStatements } from '../../src/cli/demo-statements.js';
import { generatedSettlementSetup } from '../../src/firehose/settlement.js';
import { generateWorld } from '../../src/firehose/world.js';
import type { SettlementSource } from '../../src/treasury/settlement-source.js';
import { parseStatementFile } from '../../src/treasury/statement-import.js';
import { TreasuryService } from '../../src/treasury/treasury-service.js';
import { TreasuryStore } from '../../src/treasury/treasury-store.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const DAY = 86_400_000;
const FIRST = Math.floor(Date.UTC(2026, 9, 5) / DAY); // a Monday
const DAYS = 40;

/** Card and cash sales of every store on every day of the range: our own port. */
class DaysSource implements SettlementSource {
  constructor(private readonly list: Store[]) {}
  businessDayLines(_t: string, fromDay: number, toDay: number, _f: unknown, visit: (line: DayLine) => void): void {
    for (const [k, store] of this.list.entries()) {
      for (let day = Math.max(fromDay, FIRST); day < Math.min(toDay, FIRST + DAYS); day++) {
        const base = 50_000 + ((k * 7919 + day * 104_729) % 40_000);
        visit({ store, day, tender: 'card', cardBrand: 'visa', currency: store.currency, gross: base, refunds: 0, voids: 0, saleCount: 10, refundCount: 0, voidCount: 0 });
        visit({ store, day, tender: 'cash', cardBrand: null, currency: store.currency, gross: Math.round(base / 3), refunds: 0, voids: 0, saleCount: 4, refundCount: 0, voidCount: 0 });
      }
    }
  }
  businessDayRange(): { first: number; last: number } {
    return { first: FIRST, last: FIRST + DAYS - 1 };
  }
  stores(): Store[] {
    return this.list;
  }
  storesIn(): Store[] {
    return this.list;
  }
  version(): number {
    return 1;
  }
}

void describe('demo bank statements, fed day after day', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir('tpay-demo-statements-');
  });
  after(() => dir[Symbol.asyncDispose]());

  void it('goes on from the last statement: nothing twice, no balance break', async () => {
    const world = generateWorld({ seed: 3, tenants: 1, stores: 6 });
    const tenant = world.tenants[0]!.tenant.tenant_id;
    const treasury = new TreasuryService({ store: new TreasuryStore(dir.path), source: new DaysSource(world.tenants[0]!.stores), fx: () => null, parse: parseStatementFile, refreshMs: 0 });
    treasury.putSetup(tenant, generatedSettlementSetup());
    const platform = { treasury, stream: { caughtUp: async () => {} } };
    const feed = (today: number): Promise<string[]> => feedDemoStatements(platform, world, { today: dayText(today), breakRate: 0.05 });

    const first = await feed(FIRST + 20);
    assert.match(first[0]!, /fed \d+ \w+ bank statements \(\S+ to /, first[0]);
    const afterFirst = { statements: [...treasury.statements(tenant).statements] };
    assert.ok(afterFirst.statements.length > 0);
    const lastDay = (): string => afterFirst.statements.reduce((m, s) => (s.statement.closing!.date > m ? s.statement.closing!.date : m), '');
    assert.ok(lastDay() <= dayText(FIRST + 19), lastDay());
    const from = dayText(dayNumber(lastDay()) + 1);

    assert.match((await feed(FIRST + 20))[0]!, /bank statements up to date/);
    assert.equal(treasury.statements(tenant).statements.length, afterFirst.statements.length);

    const later = await feed(FIRST + 30);
    assert.match(later[0]!, new RegExp(`fed \\d+ \\w+ bank statements \\(${from} to ${dayText(FIRST + 29)}`), later[0]);
    const all = treasury.statements(tenant);
    assert.ok(all.statements.length > afterFirst.statements.length);
    assert.deepEqual(all.flags, [], 'every chain opens at its last closing balance');
    const keys = all.statements.map((s) => s.key);
    assert.equal(new Set(keys).size, keys.length);
    // Every entry of the later feed is after the first feed's days: nothing booked twice.
    const firstKeys = new Set(afterFirst.statements.map((s) => s.key));
    for (const s of all.statements) if (!firstKeys.has(s.key)) assert.ok(s.statement.closing!.date >= from, s.key);
  });
});
