/** `tpay log …`: inspect the durable log. */
import type { Command } from 'commander';
import { auditLog } from '../ingest/log-audit.js';
import { openLog } from '../platform/adapters.js';
import { action, configFrom } from './context.js';

export function registerLogCommands(program: Command): void {
  const log = program.command('log').description('inspect and trim the durable log');
  log
    .command('retain')
    .description('delete the segments every registered consumer group has read past (safe while ingest runs)')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        const config = configFrom(cmd);
        const l = await openLog(config, 'tpay-log-retain');
        try {
          const r = await l.applyRetention();
          // JetStream drops whole messages where segment files drop whole segments.
          const unit = config.adapters.log === 'jetstream' ? 'message(s)' : 'segment(s)';
          process.stdout.write(`deleted ${r.deletedSegments} ${unit}, freed ${r.freedBytes} bytes\n`);
        } finally {
          await l.close();
        }
      }),
    );
  log
    .command('verify')
    .description('read every record, check checksums and that no transaction is stored twice')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }, cmd: Command) => {
        const config = configFrom(cmd);
        const l = await openLog(config, 'tpay-log-verify');
        try {
          const a = await auditLog(l);
          if (o.json === true) process.stdout.write(`${JSON.stringify(a)}\n`);
          else {
            process.stdout.write(`records: ${a.records}\nduplicates: ${a.duplicateCount}\n`);
            for (const [t, n] of Object.entries(a.perTenant)) process.stdout.write(`tenant ${t}: ${n}\n`);
            a.perPartition.forEach((n, p) => process.stdout.write(`partition ${p}: ${n}\n`));
          }
          if (a.duplicateCount > 0) process.exitCode = 2;
        } finally {
          await l.close();
        }
      }),
    );
}
