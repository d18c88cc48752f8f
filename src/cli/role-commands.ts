/**
 * `tpay stream` and `tpay api`: the stream and API roles as processes of
 * their own, on the same config as `tpay run` (docs/scale-out.md). Each
 * prints one JSON `listening` line once its HTTP port is up, and exits 70
 * when its stream fails, so a supervisor restarts it (a restart resumes
 * exactly where the durable state says).
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { startApiRole } from '../platform/api-role.js';
import { roleListeningLine } from '../platform/role-app.js';
import { startLeasedStreamRole } from '../platform/leased-stream-role.js';
import { startSharedApiRole } from '../platform/shared-api-role.js';
import { startStreamRole } from '../platform/stream-role.js';
import { action, configFrom, intOption, loggerFor } from './context.js';
import { closeOnSignals } from './ingest-commands.js';

/** Exit 70 once `failed` reports an error: the process cannot go on, a restart can. */
function exitOnFailure(logger: Logger, failed: () => Error | null): void {
  const t = setInterval(() => {
    const err = failed();
    if (err === null) return;
    logger.fatal({ err }, 'stopping: the stream failed; a restart resumes from the durable state');
    process.exit(70);
  }, 1000);
  t.unref();
}

export function registerRoleCommands(program: Command): void {
  program
    .command('stream')
    .description('run the stream role: log → serving snapshot, restatements and warehouse; health on --health-port')
    .option('--host <addr>', 'address of the health port (default: api.host, 127.0.0.1)')
    .option('--health-port <port>', 'port of /healthz, /readyz and /metrics (default 7402; 0 picks a free one)', intOption('health-port'))
    .action(
      action(async (o: { host?: string; healthPort?: number }, cmd: Command) => {
        const config = configFrom(cmd, { 'api.host': o.host, 'stream.healthPort': o.healthPort });
        const logger = loggerFor(config);
        // With stream.lease, one of many workers that split the partitions; else the one stream process.
        const role = config.stream.lease === null ? await startStreamRole(config, logger) : await startLeasedStreamRole(config, logger);
        process.stdout.write(roleListeningLine('stream', role.healthPort));
        exitOnFailure(logger, role.failed);
        closeOnSignals(logger, () => role.close());
      }),
    );
  program
    .command('api')
    .description('run the API role: queries, admin, treasury, forecasts and the dashboard, from its own copy of the serving store (or from the shared ClickHouse store)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1)')
    .option('--http-port <port>', 'HTTP port (default 7401; 0 picks a free one)', intOption('http-port'))
    .action(
      action(async (o: { host?: string; httpPort?: number }, cmd: Command) => {
        const config = configFrom(cmd, { 'api.host': o.host, 'api.port': o.httpPort });
        const logger = loggerFor(config);
        // On a shared store (ClickHouse) the API reads the server; on memory it keeps its own copy.
        const role = config.adapters.serving === 'clickhouse' ? await startSharedApiRole(config, logger) : await startApiRole(config, logger);
        process.stdout.write(roleListeningLine('api', role.httpPort));
        exitOnFailure(logger, role.failed);
        closeOnSignals(logger, () => role.close());
      }),
    );
}
