/**
 * The serving side of the stream: the serving store, the restatements and
 * the stream processor that feeds them from the log.
 *
 * Two modes. `owner` (the stream role, and `tpay run`): writes the serving
 * snapshot every `serving.snapshotIntervalMs`, then saves the log checkpoint
 * of group `rollups` for the offsets that snapshot made durable, and appends
 * restatements to their file. `follower` (the API role): loads the owner's
 * latest snapshot, follows the log read-only into its own copy, keeps
 * restatements of its replay in memory, and never writes a snapshot, a
 * checkpoint or the restatements file. Both are exactly once for the same
 * reason: the store holds each partition's applied offset with its data, and
 * a start replays the log from the offsets of the snapshot it loaded.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Log } from '../log/log.js';
import type { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import type { SnapshotInfo } from '../serving/serving-store.js';
import { RestatementLog } from '../stream/restatement-log.js';
import { emptyStreamStats, StreamProcessor, type StreamStats } from '../stream/stream-processor.js';
import type { TenantDirectory } from '../stream/tenant-directory.js';
import { logTarget, openServing } from './adapters.js';
import { restatementsPath } from './read-api.js';

export type RollupsMode = 'owner' | 'follower';

/** Snapshot load and log replay at start, in ms, and how many records the replay read. */
export interface StartupFigures {
  snapshotMs: number;
  replayMs: number;
  replayedRecords: number;
}

export interface RollupsService {
  readonly mode: RollupsMode;
  readonly serving: ColumnarServingStore;
  readonly restatements: RestatementLog;
  /** The processor once `start` ran. */
  readonly processor: StreamProcessor | null;
  /** Its stats (empty before `start`). */
  stats(): StreamStats;
  /** Whether the replay at start has caught up with the log. */
  readonly ready: boolean;
  /** Starts the processor at the store's offsets and waits until it has caught up with the log's end as of now. */
  start(log: Log, directory: TenantDirectory): Promise<StartupFigures>;
  /** Owner: writes a serving snapshot now and moves the log checkpoint to it. */
  snapshot(): Promise<SnapshotInfo>;
  /** Lets the processor catch up (at most `catchUpMs`), stops it, and (owner) writes a last snapshot. */
  close(catchUpMs: number): Promise<void>;
}

export async function openRollups(config: Config, logger: Logger, mode: RollupsMode): Promise<{ service: RollupsService; snapshotMs: number }> {
  const t0 = performance.now();
  const serving = await openServing(config);
  const snapshotMs = performance.now() - t0;
  const restatements = new RestatementLog(restatementsPath(config), { readOnly: mode === 'follower' });
  let processor: StreamProcessor | null = null;
  let timer: NodeJS.Timeout | null = null;
  let ready = false;
  let snapshotting: Promise<SnapshotInfo> | null = null;

  const snapshot = async (): Promise<SnapshotInfo> => {
    if (mode === 'follower') throw new Error('a follower of the log never writes the serving snapshot: the stream role owns it');
    const p = processor;
    if (p === null) throw new Error('the stream has not started');
    // One at a time: a second caller shares the snapshot in progress.
    snapshotting ??= (async () => {
      try {
        // The stream applies a batch in slices: take the snapshot between batches, never inside one.
        await p.settled();
        serving.age();
        const info = await serving.snapshot();
        await p.checkpoint(info.offsets);
        logger.info({ ms: Math.round(info.ms), bytes: info.bytes, cells: info.cells }, 'serving snapshot written');
        return info;
      } finally {
        snapshotting = null;
      }
    })();
    return snapshotting;
  };

  const service: RollupsService = {
    mode,
    serving,
    restatements,
    get processor() {
      return processor;
    },
    stats: () => processor?.stats ?? emptyStreamStats(),
    get ready() {
      return ready;
    },
    async start(log, directory) {
      const s = new StreamProcessor(log, serving, directory, restatements, logger, {
        dataDir: config.dataDir,
        segmentBytes: config.log.segmentBytes,
        logTarget: logTarget(config),
        batchRecords: config.stream.batchRecords,
        batchMs: config.stream.batchMs,
        closeGraceMs: config.stream.closeGraceHours * 3_600_000,
        follower: mode === 'follower',
      });
      processor = s;
      const t1 = performance.now();
      await s.start();
      await s.caughtUp(10 * 60_000);
      const replayMs = performance.now() - t1;
      ready = true;
      timer = setInterval(() => {
        if (mode === 'owner') snapshot().catch((err: unknown) => logger.error({ err }, 'serving snapshot failed'));
        // A follower keeps memory bounded the same way, without writing anything.
        else serving.age();
      }, config.serving.snapshotIntervalMs);
      timer.unref();
      logger.info({ mode, snapshotMs: Math.round(snapshotMs), replayMs: Math.round(replayMs), replayedRecords: s.stats.records, cells: serving.stats().cells }, 'serving ready');
      return { snapshotMs, replayMs, replayedRecords: s.stats.records };
    },
    snapshot,
    async close(catchUpMs) {
      if (timer !== null) clearInterval(timer);
      timer = null;
      const s = processor;
      if (s !== null) {
        await s.caughtUp(catchUpMs).catch((err: unknown) => logger.warn({ err }, 'stream did not catch up before shutdown'));
        await s.stop();
        if (mode === 'owner') await snapshot();
      }
      restatements.close();
    },
  };
  return { service, snapshotMs };
}
