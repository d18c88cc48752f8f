/** `tpay ingest` and `tpay run`: the long-running roles. */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { startIngestService, type IngestService } from '../platform/ingest-service.js';
import { action, configFrom, intOption, loggerFor } from './context.js';

interface ServeOptions {
  host?: string;
  tcpPort?: number;
  httpPort?: number;
  workers?: number;
  durability?: string;
}

function serveOverrides(o: ServeOptions): Record<string, string | number | undefined> {
  return {
    'ingest.host': o.host,
    'api.host': o.host,
    'ingest.tcpPort': o.tcpPort,
    'api.port': o.httpPort,
    'ingest.workers': o.workers,
    'log.durability': o.durability,
  };
}

function addServeOptions(cmd: Command): Command {
  return cmd
    .option('--host <addr>', 'address to listen on (default 127.0.0.1)')
    .option('--tcp-port <port>', 'TCP NDJSON ingest port (default 7400; 0 picks a free one)', intOption('tcp-port'))
    .option('--http-port <port>', 'HTTP port (default 7401; 0 picks a free one)', intOption('http-port'))
    .option('--workers <n>', 'decode/dedup/log worker threads (default 2)', intOption('workers'))
    .option('--durability <mode>', 'fsync (default: fdatasync per group commit) or write (survives a process crash, not power loss)');
}

/** Closes the service on SIGINT/SIGTERM: flush, checkpoint, release the data directory. */
export function closeOnSignals(logger: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The line `tpay ingest` prints once it listens; tests and scripts wait for it. */
export function listeningLine(svc: IngestService): string {
  return `${JSON.stringify({ event: 'listening', tcp_port: svc.tcpPort, http_port: svc.httpPort, pid: process.pid })}\n`;
}

export function registerIngestCommands(program: Command): void {
  addServeOptions(program.command('ingest'))
    .description('run the ingest role: TCP NDJSON and HTTP ingest into the durable log')
    .action(
      action(async (o: ServeOptions, cmd: Command) => {
        const config = configFrom(cmd, serveOverrides(o));
        const logger = loggerFor(config);
        const svc = await startIngestService(config, logger);
        svc.engine.on('fatal', () => process.exit(70));
        process.stdout.write(listeningLine(svc));
        closeOnSignals(logger, () => svc.close());
      }),
    );
}

export { addServeOptions, serveOverrides, type ServeOptions };
