/**
 * Where a log lives, as plain data: what `adapters.log` chose, with the
 * settings to open it. Plain so that it crosses into worker threads (the
 * ingest workers write the log, the stream worker reads it), where each
 * thread opens the log itself: a `Log` holds file handles or a NATS
 * connection and cannot be sent.
 *
 * @example
 * const target: LogTarget = { adapter: 'jetstream', servers: ['nats://127.0.0.1:4222'], options: { stream: 'TPAY_LOG', partitions: 8 } };
 * const log = await openLogTarget(target, 'tpay-ingest-0'); // in any thread
 */
import type { JetStreamLogOptions } from './jetstream-log-options.js';
import type { Log } from './log.js';
import { SegmentLog } from './segment-log.js';
import type { Durability } from './segment-log-options.js';

export type LogTarget =
  | { adapter: 'segment'; dir: string; partitions: number; segmentBytes: number; durability: Durability }
  | { adapter: 'jetstream'; servers: readonly string[]; options: JetStreamLogOptions };

/**
 * Opens the log `target` names. `name` tells a NATS server who is
 * connected (`nats server report connections`); SegmentLog ignores it.
 */
export async function openLogTarget(target: LogTarget, name: string): Promise<Log> {
  switch (target.adapter) {
    case 'segment':
      return SegmentLog.open(target.dir, { partitions: target.partitions, segmentBytes: target.segmentBytes, durability: target.durability });
    case 'jetstream': {
      // Loaded only when chosen: a segment-log thread never loads the NATS clients.
      const { JetStreamLog } = await import('./jetstream-log.js');
      return JetStreamLog.connect(target.servers, target.options, name);
    }
  }
}
