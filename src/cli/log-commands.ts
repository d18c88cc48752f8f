/** `tpay log …`: inspect the durable log. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { auditLog } from '../ingest/log-audit.js';
import { SegmentLog } from '../log/segment-log.js';
import { action, configFrom } from './context.js';

export function registerLogCommands(program: Command): void {
  const log = program.command('log').description('inspect and trim the durable log');
  log
    .command('retain')
    .description('delete the segments every registered consumer group has read past (safe while ingest runs)')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        const config = configFrom(cmd);
        const l = await SegmentLog.open(join(config.dataDir, 'log'), { partitions: config.log.partitions, segmentBytes: config.log.segmentBytes });
        try {
          const r = await l.applyRetention();
          process.stdout.write(`deleted ${r.deletedSegments} segment(s), freed ${r.freedBytes} bytes\n`);
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
        const l = await SegmentLog.open(join(config.dataDir, 'log'), {
          partitions: config.log.partitions,
          segmentBytes: config.log.segmentBytes,
          durability: config.log.durability,
        });
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
