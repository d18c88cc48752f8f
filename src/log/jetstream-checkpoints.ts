/**
 * Consumer-group checkpoints and the log's settings in one JetStream KV
 * bucket (`<stream>_STATE`, file storage, history 1, no TTL):
 *
 *   meta                  {"format":1,"partitions":8,"subjectPrefix":"tpay.log"}
 *   group.<group>         "1": the group is registered (retention waits for it)
 *   offset.<group>.<p>    "182900": the group's next offset to read in partition p
 *
 * A '.' in a group name is stored as '=' (which group names cannot hold),
 * so every group stays one key token. Each put is acked once JetStream has
 * stored it, so a saved checkpoint survives a restart of the server.
 */
import type { KV } from '@nats-io/kv';
import { checkGroupName } from './checkpoints.js';
import { LogConfigMismatchError, LogCorruptError } from './errors.js';
import { isWrongLastSequence } from './jetstream-kv.js';

const META_KEY = 'meta';
const META_FORMAT = 1;
const OFFSET_TEXT = /^[0-9]{1,16}$/;

export interface JetStreamLogMeta {
  partitions: number;
  subjectPrefix: string;
}

const groupToken = (group: string): string => group.replaceAll('.', '=');
const tokenGroup = (token: string): string => token.replaceAll('=', '.');

export class JetStreamCheckpoints {
  /** Groups this instance has registered already, so a save costs one put. */
  private readonly registered = new Set<string>();

  constructor(
    private readonly kv: KV,
    private readonly bucket: string,
  ) {}

  async register(group: string): Promise<void> {
    checkGroupName(group);
    if (this.registered.has(group)) return;
    await this.kv.put(`group.${groupToken(group)}`, '1');
    this.registered.add(group);
  }

  async load(group: string, partition: number): Promise<number> {
    checkGroupName(group);
    const key = `offset.${groupToken(group)}.${String(partition)}`;
    const entry = await this.kv.get(key);
    if (entry === null || entry.operation !== 'PUT') return 0;
    const text = entry.string();
    const offset = OFFSET_TEXT.test(text) ? Number.parseInt(text, 10) : Number.NaN;
    if (!Number.isSafeInteger(offset)) throw new LogCorruptError(`checkpoint is not an offset: ${JSON.stringify(text.slice(0, 40))}`, `${this.bucket}/${key}`);
    return offset;
  }

  async save(group: string, partition: number, offset: number): Promise<void> {
    await this.register(group);
    await this.kv.put(`offset.${groupToken(group)}.${String(partition)}`, String(offset));
  }

  /** Every registered group. */
  async groups(): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys('group.*')) out.push(tokenGroup(key.slice('group.'.length)));
    return out.sort();
  }

  /**
   * The log's settings: read them, or store `wanted` when there are none.
   * The store is a create (compare-and-set on "no value"), so when several
   * instances open a new log at once exactly one settles them.
   */
  async settleMeta(wanted: JetStreamLogMeta): Promise<JetStreamLogMeta> {
    let entry = await this.kv.get(META_KEY);
    if (entry === null || entry.operation !== 'PUT') {
      try {
        await this.kv.create(META_KEY, JSON.stringify({ format: META_FORMAT, ...wanted }));
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
      }
      entry = await this.kv.get(META_KEY);
    }
    if (entry === null) throw new LogCorruptError('log settings vanished right after they were stored', `${this.bucket}/${META_KEY}`);
    let value: unknown;
    try {
      value = JSON.parse(entry.string());
    } catch (err) {
      throw new LogCorruptError('log settings are not JSON', `${this.bucket}/${META_KEY}`, { cause: err });
    }
    const { format, partitions, subjectPrefix } = (value ?? {}) as Record<string, unknown>;
    if (format !== META_FORMAT) throw new LogConfigMismatchError(`${this.bucket}/${META_KEY}: log format ${String(format)} is not ${String(META_FORMAT)}`);
    if (typeof partitions !== 'number' || !Number.isSafeInteger(partitions) || partitions < 1 || typeof subjectPrefix !== 'string') {
      throw new LogCorruptError(`log settings are malformed: ${entry.string().slice(0, 100)}`, `${this.bucket}/${META_KEY}`);
    }
    return { partitions, subjectPrefix };
  }
}
