/** `tpay dlq …`: list and replay rejected lines. */
import { join } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { listDeadLetters } from '../dlq/dead-letter-store.js';
import { lockOwner } from '../platform/data-dir-lock.js';
import { startIngestService } from '../platform/ingest-service.js';
import { action, configFrom, intOption } from './context.js';

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('dead letters: every rejected line, kept with its reason');
  dlq
    .command('list')
    .description('list dead letters (newest last)')
    .option('--tenant <id>', 'only this tenant')
    .option('--code <code>', 'only this reject code, e.g. unknown_store')
    .option('--status <status>', 'open, replayed or all', 'open')
    .option('--limit <n>', 'at most n entries', intOption('limit'), 100)
    .option('--json', 'one JSON object per line, with the raw line')
    .action(
      action(async (o: { tenant?: string; code?: string; status: string; limit: number; json?: boolean }, cmd: Command) => {
        if (o.status !== 'open' && o.status !== 'replayed' && o.status !== 'all') throw new Error(`--status must be open, replayed or all, got '${o.status}'`);
        const items = await listDeadLetters(join(configFrom(cmd).dataDir, 'dlq'), { tenant: o.tenant, code: o.code, status: o.status, limit: o.limit });
        for (const d of items) {
          if (o.json === true) process.stdout.write(`${JSON.stringify(d)}\n`);
          else process.stdout.write(`${d.id}\t${new Date(d.received_at).toISOString()}\t${d.tenant}\t${d.code}\t${d.status}\t${d.source} line ${d.line}\t${d.message}\n`);
        }
        if (o.json !== true) process.stdout.write(`${items.length} dead letter(s)\n`);
      }),
    );
  dlq
    .command('replay')
    .description('send open dead letters through ingest again (after fixing the cause, e.g. adding the store)')
    .requiredOption('--tenant <id>', 'tenant whose dead letters to replay')
    .option('--code <code>', 'only this reject code')
    .option('--url <url>', 'a running server (http://host:port); needs --admin-key')
    .option('--admin-key <key>', 'admin key for --url (or env TPAY_ADMIN_KEY)')
    .action(
      action(async (o: { tenant: string; code?: string; url?: string; adminKey?: string }, cmd: Command) => {
        const config = configFrom(cmd);
        const owner = lockOwner(config.dataDir);
        if (o.url !== undefined || owner !== undefined) {
          const url = o.url ?? `http://${config.api.host}:${config.api.port}`;
          const key = o.adminKey ?? process.env['TPAY_ADMIN_KEY'];
          if (key === undefined) throw new Error(`the data directory is in use by process ${owner ?? '?'}: replay through it with --admin-key (create one: tpay key create --kind admin)`);
          const res = await fetch(`${url}/v1/admin/dead-letters/replay`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ tenant: o.tenant, code: o.code }),
          });
          const body = await res.text();
          if (!res.ok) throw new Error(`server answered ${res.status}: ${body}`);
          process.stdout.write(`${body}\n`);
          return;
        }
        // Nobody owns the data directory: run ingest here just for the replay.
        const svc = await startIngestService(config, pino({ level: 'warn' }, pino.destination(2)), { http: false, tcp: false });
        try {
          const summary = await svc.deadLetters.replay(o.tenant, o.code);
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } finally {
          await svc.close();
        }
      }),
    );
}
