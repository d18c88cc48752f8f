/**
 * `tpay run`: the embedded platform in one process. With `--demo` it also
 * creates demo tenants (first time only) with weeks of history, and streams
 * live generated sales into its own ingest, printing the counts as they move.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendTenants } from '../firehose/multi-tenant-sender.js';
import type { LineSource } from '../firehose/line-chunk.js';
import { salesPerStoreDayForSpeed } from '../firehose/record-options.js';
import { pacedLineChunks } from '../firehose/records.js';
import { smoothChunks } from '../firehose/smooth.js';
import { generateWorld } from '../firehose/world.js';
import { startPlatform } from '../platform/platform.js';
import { TenantStore } from '../tenants/tenant-store.js';
import { action, configFrom, intOption, loggerFor } from './context.js';
import { importDemoHistory } from './demo-history.js';
import { feedDemoStatements } from './demo-statements.js';
import { provisionWorld } from './firehose-commands.js';
import { addServeOptions, closeOnSignals, listeningLine, serveOverrides, type ServeOptions } from './ingest-commands.js';

/** Sales of generated demo history at most (about a minute of import on two cores). */
const MAX_DEMO_HISTORY_SALES = 3_000_000;

interface RunOptions extends ServeOptions {
  demo?: boolean;
  rate?: number;
  salesPerStoreDay: number;
  historyDays: number;
  stores: number;
}

export function registerRunCommand(program: Command): void {
  addServeOptions(program.command('run'))
    .description('run the whole platform in one process (all data under --data-dir)')
    .option('--demo', 'also create demo tenants and stream live generated sales into it')
    .option('--stores <n>', 'demo: stores across the demo tenants (first run only)', intOption('stores'), 600)
    .option('--sales-per-store-day <n>', 'demo: sales a store makes a day, in the history and the live stream', intOption('sales-per-store-day'), 20)
    .option('--rate <n>', 'demo: mean live transactions per second instead (sets the sales per store-day; follows opening hours)', intOption('rate'))
    .option('--history-days <n>', 'demo: days of generated history imported when the tenants are created (0: none)', intOption('history-days'), 56)
    .action(
      action(async (o: RunOptions, cmd: Command) => {
        const config = configFrom(cmd, serveOverrides(o));
        const logger = loggerFor(config);
        // The demo's tenants and keys exist before the server starts, so its
        // first connection is never refused while the server has yet to see them.
        const demo = o.demo === true ? provisionDemo(config.dataDir, o.stores) : null;
        const platform = await startPlatform(config, logger);
        const svc = platform.ingest;
        process.stdout.write(listeningLine(svc));
        const api = `http://${config.api.host}:${svc.httpPort}`;
        process.stdout.write(`ingest: tcp://${config.ingest.host}:${svc.tcpPort}  ${api}/v1/transactions\n`);
        const st = platform.startup;
        process.stdout.write(
          `serving: ${platform.serving.stats().cells} rollup cells; start-up ${Math.round(st.snapshotMs + st.replayMs)} ms (snapshot ${Math.round(st.snapshotMs)} ms, replay of ${st.replayedRecords} records ${Math.round(st.replayMs)} ms)\n` +
            `api: ${api}/v1/series  ${api}/v1/top  ${api}/v1/stores  ${api}/v1/forecasts\n` +
            `dashboard: ${api}/\n`,
        );
        const abort = new AbortController();
        closeOnSignals(logger, async () => {
          abort.abort();
          await platform.close();
        });
        svc.engine.on('fatal', () => process.exit(70));
        if (demo === null) return;
        const { world, known, keys, read } = demo;
        const salesPerStoreDay = o.rate === undefined ? o.salesPerStoreDay : salesPerStoreDayForSpeed({ ratePerS: o.rate, speed: 1, stores: o.stores });
        const ratePerS = (salesPerStoreDay * o.stores) / 86_400;
        // Live sales start where the history ends: no gap, no overlap.
        const liveStart = Date.now() - 120_000;
        if (known.length === 0 && o.historyDays > 0) {
          const started = Date.now();
          // A busy live rate would make weeks of history take hours: past this many sales, the history is thinner than the live stream.
          const historyPerStoreDay = Math.min(salesPerStoreDay, MAX_DEMO_HISTORY_SALES / (o.stores * o.historyDays));
          process.stdout.write(`demo: importing ${o.historyDays} days of history (${Math.round(historyPerStoreDay)} sales per store-day)\n`);
          const summaries = await importDemoHistory(svc.engine, world, { days: o.historyDays, salesPerStoreDay: historyPerStoreDay, endMs: liveStart });
          const accepted = summaries.reduce((a, x) => a + x.accepted, 0);
          // The first screen shows the history whole: wait until the rollups hold every accepted record.
          while (platform.stream.stats.records < svc.engine.stats.accepted && !abort.signal.aborted) await sleep(100);
          process.stdout.write(`demo: history in: ${accepted} transactions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        }
        process.stdout.write(
          `demo: ${known.length === 0 ? 'created' : 'using'} tenants ${Object.keys(keys).join(', ')} with ${o.stores} stores; streaming ${ratePerS < 10 ? ratePerS.toFixed(2) : Math.round(ratePerS)} tx/s on average (${Math.round(salesPerStoreDay)} sales per store-day)\n` +
            `demo: read key for ${world.tenants[0]!.tenant.tenant_id}: ${read}  (sign in to the dashboard with it)\n` +
            `demo: try  curl -H 'Authorization: Bearer ${read}' '${api}/v1/series?metrics=net_sales,sale_count&granularity=hour&from=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}&to=${new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)}&group_by=country'\n`,
        );
        // Bank statements of the days already due, before the live stream starts; then, while the demo runs,
        // each new day's statements once the day has passed (as a bank sends them every morning).
        for (const line of await feedDemoStatements(platform, world, { match: config.treasury })) process.stdout.write(`demo: ${line}\n`);
        let fedOn = new Date().toISOString().slice(0, 10);
        const statementDays = setInterval(() => {
          const today = new Date().toISOString().slice(0, 10);
          if (today === fedOn || abort.signal.aborted) return;
          fedOn = today;
          feedDemoStatements(platform, world, { match: config.treasury, today }).then(
            (lines) => lines.forEach((line) => process.stdout.write(`demo: ${line}\n`)),
            (err: unknown) => logger.error({ err }, 'demo bank statements not fed'),
          );
        }, 60_000);
        statementDays.unref();
        abort.signal.addEventListener('abort', () => clearInterval(statementDays), { once: true });
        // Event time follows the wall clock (a minute behind): sales happen
        // "now" in each store's zone, so the rate follows opening hours
        // around the world. Each simulated minute trickles out over the next.
        const sources: Record<string, LineSource> = {};
        for (const t of world.tenants) {
          // seqBase: a restart numbers its sales above the last run's, so they are new, not duplicates.
          const records = { start: liveStart, durationMs: 365 * 86_400_000, salesPerStoreDay, seqBase: Date.now(), faults: { duplicates: 0.001, malformed: 0.0005 } };
          const live = pacedLineChunks(world, t.tenant.tenant_id, records, { speed: 1, chunkLines: 1, catchUp: true, signal: abort.signal });
          sources[t.tenant.tenant_id] = smoothChunks(live, { signal: abort.signal });
        }
        let last = { at: Date.now(), accepted: svc.engine.stats.accepted };
        const ticker = setInterval(() => {
          const s = svc.engine.stats;
          const now = Date.now();
          const rate = ((s.accepted - last.accepted) * 1000) / Math.max(1, now - last.at);
          last = { at: now, accepted: s.accepted };
          const seen = platform.stream.stats.visibleReceivedAt;
          const inRollups = platform.stream.stats.records;
          // Everything accepted is visible: nothing is waiting, however long ago the last sale came.
          const lag = inRollups >= s.accepted ? 'caught up' : seen === 0 ? 'freshness -' : `freshness ${Math.max(0, now - seen)} ms`;
          process.stdout.write(
            `${new Date(now).toISOString()}  accepted ${s.accepted}  duplicates ${s.duplicates}  rejected ${s.rejected}  ${rate < 10 ? rate.toFixed(1) : Math.round(rate)} tx/s  in rollups ${inRollups} (${lag})\n`,
          );
        }, 2000);
        ticker.unref();
        sendTenants({ port: svc.tcpPort, keys, sources, connections: 1, ratePerS: Math.max(50, ratePerS * 4), signal: abort.signal }).then(
          () => clearInterval(ticker),
          (err: unknown) => logger.error({ err }, 'demo firehose stopped'),
        );
      }),
    );
}

/** Creates the demo tenants, stores and keys (the same every time: one seed), plus a fresh read key. */
function provisionDemo(dataDir: string, stores: number): { world: ReturnType<typeof generateWorld>; known: string[]; keys: Record<string, string>; read: string } {
  const world = generateWorld({ seed: 1, tenants: 3, stores });
  const known = new TenantStore(dataDir).list().map((t) => t.id);
  const keys = provisionWorld(dataDir, world);
  const read = new TenantStore(dataDir).createKey(world.tenants[0]!.tenant.tenant_id, 'read').secret;
  return { world, known, keys, read };
}
