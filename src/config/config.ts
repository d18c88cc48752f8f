/**
 * Configuration: defaults, then one JSON config file, then `TPAY_*`
 * environment variables, then command-line flags. Validated once at start;
 * an unknown key is an error that names it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_INTERVAL_BUDGET, MAX_INTERVAL_BUDGET } from '../domain/dedup-index.js';

const DURABILITY = ['fsync', 'write'] as const;
/**
 * `log`: ingest writes the log of `adapters.log`; `none` drops every record
 * (only for benchmarks that measure what the log costs). `segment` is what
 * earlier releases called `log`, and still means it.
 */
const LOG_SINKS = ['log', 'none', 'segment'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/**
 * The adapters of each port this build has (src/platform/adapters.ts opens
 * them). A value is accepted only when its adapter exists here.
 */
export const LOG_ADAPTERS = ['segment', 'jetstream'] as const;
export const WAREHOUSE_ADAPTERS = ['parquet', 'clickhouse'] as const;
export const SERVING_ADAPTERS = ['memory', 'clickhouse'] as const;
export type LogAdapter = (typeof LOG_ADAPTERS)[number];
export type WarehouseAdapter = (typeof WAREHOUSE_ADAPTERS)[number];
export type ServingAdapter = (typeof SERVING_ADAPTERS)[number];

const ingestSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    tcpPort: z.number().int().min(0).max(65535).default(7400),
    /** Decode/dedup/log worker threads; each owns partitions p where p mod workers = index. */
    workers: z.number().int().min(1).max(64).default(2),
    maxLineBytes: z.number().int().min(256).max(1 << 20).default(4096),
    httpBodyLimitBytes: z.number().int().min(1024).max(1 << 30).default(16 << 20),
    historyBodyLimitBytes: z.number().int().min(1024).max(1 << 30).default(256 << 20),
    /** Bytes read from clients and not yet durable, over all connections, before reads pause. */
    maxInflightBytes: z.number().int().min(1 << 16).default(8 << 20),
    /** Per connection: reading pauses past this many undecided bytes. */
    maxConnectionInflightBytes: z.number().int().min(1 << 12).default(1 << 20),
    authTimeoutMs: z.number().int().min(100).default(10_000),
    /**
     * Most intervals of accepted seqs held per terminal (16 bytes each); past
     * it the oldest are merged into a floor, and only a seq inside the floor
     * is rejected as seq_out_of_window. Bounds from domain/dedup-index.ts.
     */
    dedupIntervalBudget: z.number().int().min(1).max(MAX_INTERVAL_BUDGET).default(DEFAULT_INTERVAL_BUDGET),
    /** How often each worker snapshots its dedup state (bounds replay at start). */
    dedupSnapshotIntervalMs: z.number().int().min(100).default(30_000),
  })
  .strict();

const logSchema = z
  .object({
    partitions: z.number().int().min(1).max(1024).default(8),
    segmentBytes: z.number().int().min(1 << 16).max(1 << 30).default(64 << 20),
    durability: z.enum(DURABILITY).default('fsync'),
    sink: z
      .enum(LOG_SINKS)
      .default('log')
      .transform((v) => (v === 'segment' ? 'log' : v)),
  })
  .strict();

const apiSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(7401),
  })
  .strict();

/** Letters, digits, '_' and '-' (so `<stream>_STATE` and `<stream>_STREAM_LEASES` are valid bucket names). */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,48}$/;
/** Two minutes: JetStream's duplicate window of the log stream, inside which every retry of a publish must land. */
const DUPLICATE_WINDOW_MS = 120_000;

/**
 * The NATS server(s) of everything that talks to NATS: the JetStream log
 * (`adapters.log: jetstream`, settings as in docs/log.md, "JetStream
 * adapter") and the leases of stream workers (`stream.lease`). The log's
 * partition count is `log.partitions`.
 */
const natsSchema = z
  .object({
    /** Server URL(s), e.g. `nats://10.0.0.5:4222`; comma-separated for several servers of one cluster. */
    servers: z.string().regex(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, 'expected nats://host:port, comma-separated for several').default('nats://127.0.0.1:4222'),
    /** The log's stream; its KV buckets are `<stream>_STATE`, `<stream>_LEASES` (writers) and `<stream>_STREAM_LEASES` (stream workers). */
    stream: z.string().regex(STREAM_NAME, 'expected 1–48 of [A-Za-z0-9_-]').default('TPAY_LOG'),
    /** Partition n is subject `<subjectPrefix>.p.<n>`; fixed when the stream is created. */
    subjectPrefix: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'expected dot-separated tokens of [A-Za-z0-9_-]')
      .default('tpay.log'),
    /** Replicas of the stream and buckets when they are created (1, 3 or 5). */
    replicas: z
      .number()
      .int()
      .refine((v) => v === 1 || v === 3 || v === 5, 'expected 1, 3 or 5')
      .default(1),
    /** Target size of one message: a commit packs a partition's records into messages up to this many bytes. */
    messageBytes: z.number().int().min(1024).max(8 << 20).default(128 * 1024),
    /** How long one publish waits for JetStream's ack before it is sent again (same message id). */
    ackTimeoutMs: z.number().int().min(10).max(600_000).default(5000),
    /** Publish attempts per message before the commit, and the ingest worker with it, fails. */
    publishAttempts: z.number().int().min(1).max(100).default(5),
    /** An ingest process killed without closing holds its partitions this long (fixed when `<stream>_LEASES` is created). */
    writerLeaseTtlMs: z.number().int().min(500).max(3_600_000).default(10_000),
  })
  .strict();

/**
 * Stream workers that own log partitions by lease (docs/scale-out.md,
 * "Stream workers by lease"). Null: one stream process owns every partition.
 * The log and the lease bucket are on the servers of `nats`.
 */
const leaseSchema = z
  .object({
    /** A worker that stops renewing loses its partitions this long after its last renewal (renewed every ttlMs/3). */
    ttlMs: z.number().int().min(1000).max(600_000).default(6000),
    /** How often a worker looks for free or expired partitions and re-balances (default: ttlMs/3). */
    scanIntervalMs: z.number().int().min(100).max(600_000).nullable().default(null),
    /** Records read from one partition per batch (one ClickHouse insert and commit each). */
    batchRecords: z.number().int().min(1).max(1 << 20).default(20_000),
    /** Longest a partition's records wait to fill a batch before it is written (ms). */
    batchMs: z.number().int().min(1).max(60_000).default(500),
  })
  .strict();

const streamSchema = z
  .object({
    /** Records read from one log partition per batch. */
    batchRecords: z.number().int().min(1).max(1 << 20).default(8192),
    /** How long a batch collects records from every partition before it reaches the serving store (freshness ≈ this + the apply). */
    batchMs: z.number().int().min(1).max(10_000).default(100),
    /** A business day counts as closed this many hours after it ends (restatements after that). */
    closeGraceHours: z.number().int().min(0).max(24 * 366).default(48),
    /** `tpay stream`: port of its `/healthz` and `/readyz` (on `api.host`; 0 picks a free one). */
    healthPort: z.number().int().min(0).max(65535).default(7402),
    lease: leaseSchema.nullable().default(null),
  })
  .strict();

const batchSchema = z
  .object({
    /** `tpay batch <job>`: port of its `/healthz` and `/readyz` while it runs (on `api.host`; 0 picks a free one; null: none). */
    healthPort: z.number().int().min(0).max(65535).nullable().default(null),
  })
  .strict();

const adaptersSchema = z
  .object({
    /** The Log port: `segment` (files under <dataDir>/log). */
    log: z.enum(LOG_ADAPTERS).default('segment'),
    /** The Warehouse port: `parquet` (files under <dataDir>/warehouse, one writer) or `clickhouse` (settings in `clickhouse`). */
    warehouse: z.enum(WAREHOUSE_ADAPTERS).default('parquet'),
    /** The serving store: `memory` (columnar rollups in the process, snapshot under <dataDir>/serving) or `clickhouse` (shared by every process). */
    serving: z.enum(SERVING_ADAPTERS).default('memory'),
  })
  .strict();

const servingSchema = z
  .object({
    /** How often the rollups are written to disk (bounds the log replayed at start). */
    snapshotIntervalMs: z.number().int().min(1000).default(60_000),
    /** Days of quarter-hour breakdowns (by tender, card brand, currency) kept in memory. */
    hotDays: z.number().int().min(1).max(3660).default(35),
  })
  .strict();

const warehouseSchema = z
  .object({
    /** Longest a record waits in the feeder before it is written to Parquet (drill-down freshness). */
    maxDelayMs: z.number().int().min(0).max(3_600_000).default(2000),
    /** How often small Parquet files are merged and retention applied. */
    compactIntervalMs: z.number().int().min(1000).default(600_000),
    /** Days of raw transactions kept (0: for ever). */
    retentionDays: z.number().int().min(0).max(36_600).default(0),
  })
  .strict();

/** The ClickHouse server of `adapters.warehouse: clickhouse` and `adapters.serving: clickhouse`. */
const clickhouseSchema = z
  .object({
    /** Base URL of its HTTP interface. */
    url: z.string().regex(/^http:\/\/[^\s/]+(:\d+)?\/?$/, 'expected http://host:port').default('http://127.0.0.1:8123'),
    /** Database of the warehouse tables. */
    database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected 1-63 of [A-Za-z0-9_], not starting with a digit').default('tpay'),
    /** Database of the serving (rollup) tables; may be the same as `database`. */
    servingDatabase: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected 1-63 of [A-Za-z0-9_], not starting with a digit').default('tpay_serving'),
    user: z.string().min(1).nullable().default(null),
    /** Better given as TPAY_CLICKHOUSE__PASSWORD from a secret than in a file. */
    password: z.string().nullable().default(null),
    /** Timeout of one request (ms). */
    timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
  })
  .strict();

const treasurySchema = z
  .object({
    /** Expected money is recomputed from the rollups at most this often while sales stream in. */
    refreshMs: z.number().int().min(0).max(3_600_000).default(5000),
    /** Amount difference (minor units) still matched by amount when no reference matches. */
    amountToleranceMinor: z.number().int().min(0).default(0),
    /** Days either side of the due date searched when matching by amount. */
    dateWindowDays: z.number().int().min(0).max(60).default(3),
    /** Days after the due date before an unarrived payout or deposit is missing. */
    missingAfterDays: z.number().int().min(0).max(60).default(2),
  })
  .strict();

const forecastSchema = z
  .object({
    /** How often the platform looks for a tenant's newly closed business day to forecast (0: never; `tpay batch forecast` only). */
    checkIntervalMs: z.number().int().min(0).max(86_400_000).default(60_000),
    /** Worker threads of the forecast pool (0: one per core). */
    workers: z.number().int().min(0).max(64).default(0),
  })
  .strict();

export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./tpay-data'),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    adapters: adaptersSchema.default(() => adaptersSchema.parse({})),
    ingest: ingestSchema.default(() => ingestSchema.parse({})),
    log: logSchema.default(() => logSchema.parse({})),
    api: apiSchema.default(() => apiSchema.parse({})),
    stream: streamSchema.default(() => streamSchema.parse({})),
    serving: servingSchema.default(() => servingSchema.parse({})),
    warehouse: warehouseSchema.default(() => warehouseSchema.parse({})),
    clickhouse: clickhouseSchema.default(() => clickhouseSchema.parse({})),
    treasury: treasurySchema.default(() => treasurySchema.parse({})),
    forecast: forecastSchema.default(() => forecastSchema.parse({})),
    batch: batchSchema.default(() => batchSchema.parse({})),
    nats: natsSchema.default(() => natsSchema.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Stream workers by lease split the partitions of a log that every process can reach.
    if (c.stream.lease !== null && c.adapters.log !== 'jetstream') {
      ctx.addIssue({ code: 'custom', path: ['adapters', 'log'], message: `stream.lease needs adapters.log 'jetstream', the log every worker reads` });
    }
    // A retry after the duplicate window would store a message twice.
    if (c.nats.ackTimeoutMs * c.nats.publishAttempts > DUPLICATE_WINDOW_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'publishAttempts'],
        message: `nats.ackTimeoutMs × nats.publishAttempts is ${String(c.nats.ackTimeoutMs * c.nats.publishAttempts)} ms; every retry must fit in the ${String(DUPLICATE_WINDOW_MS)} ms duplicate window`,
      });
    }
    // Lease-mode workers write one shared store: each process's own memory cannot be it.
    if (c.stream.lease !== null && c.adapters.serving !== 'clickhouse') {
      ctx.addIssue({ code: 'custom', path: ['adapters', 'serving'], message: `stream.lease needs adapters.serving 'clickhouse', the store every worker writes` });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** A configuration problem: names the key and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config_invalid';
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `b` over `a` (objects only; other values replace). */
function merge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isObject(cur) && isObject(v) ? merge(cur, v) : v;
  }
  return out;
}

/** Sets a dotted path such as `ingest.tcpPort`. */
function setPath(obj: JsonObject, path: string, value: Json): void {
  const parts = path.split('.');
  let cur: JsonObject = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = cur[k];
    if (isObject(next)) cur = next;
    else {
      const fresh: JsonObject = {};
      cur[k] = fresh;
      cur = fresh;
    }
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Environment variable names: TPAY_DATA_DIR, TPAY_INGEST__TCP_PORT (double underscore separates levels). */
function envOverrides(env: NodeJS.ProcessEnv): JsonObject {
  const out: JsonObject = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('TPAY_') || raw === undefined || name === 'TPAY_CONFIG') continue;
    const path = name
      .slice(5)
      .split('__')
      .map((seg) => seg.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()))
      .join('.');
    setPath(out, path, parseScalar(raw));
  }
  return out;
}

function parseScalar(raw: string): Json {
  if (/^-?\d+$/.test(raw)) return Number(raw);
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return raw;
}

/** Keys earlier releases took, with what replaced them: an old config file fails with a pointer, not a shrug. */
const RETIRED_KEYS: Readonly<Record<string, string>> = {
  'ingest.dedupWindow':
    "configuration key 'ingest.dedupWindow' was removed: dedup now keeps every accepted seq exactly, bounded by 'ingest.dedupIntervalBudget' (intervals per terminal, default 1024; see docs/ingest.md)",
  'stream.lease.servers': "configuration key 'stream.lease.servers' moved to 'nats.servers' (one NATS section for the JetStream log and the leases; see docs/scale-out.md)",
  'stream.lease.logStream': "configuration key 'stream.lease.logStream' moved to 'nats.stream' (one NATS section for the JetStream log and the leases; see docs/scale-out.md)",
};

function describeIssue(issue: z.core.$ZodIssue, input: JsonObject): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    const retired = keys.map((k) => RETIRED_KEYS[k]).filter((m) => m !== undefined);
    const unknown = keys.filter((k) => RETIRED_KEYS[k] === undefined);
    if (unknown.length > 0) retired.push(`unknown configuration key ${unknown.map((k) => `'${k}'`).join(', ')}`);
    return retired.join('; ');
  }
  let value: unknown = input;
  for (const p of issue.path) value = isObject(value) ? value[String(p)] : undefined;
  // A cross-key check can name a key left at its default.
  if (value === undefined) return `configuration key '${path}' (not set, so its default): ${issue.message}`;
  return `configuration key '${path}' = ${JSON.stringify(value)}: ${issue.message}`;
}

export interface LoadConfigOptions {
  /** Path of a JSON config file (or env TPAY_CONFIG). */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Dotted-path overrides from flags, e.g. `{ 'ingest.tcpPort': 7500 }`. */
  overrides?: Record<string, Json | undefined>;
}

/**
 * Loads and validates the configuration.
 * @example loadConfig({ overrides: { dataDir: '/var/lib/tpay' } }).ingest.tcpPort // 7400
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  let merged: JsonObject = {};
  const file = opts.file ?? env['TPAY_CONFIG'];
  if (file !== undefined && file !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file '${file}': ${(err as Error).message}`, { cause: err });
    }
    if (!isObject(parsed)) throw new ConfigError(`config file '${file}' must hold a JSON object`);
    merged = parsed;
  }
  merged = merge(merged, envOverrides(env));
  const flags: JsonObject = {};
  for (const [k, v] of Object.entries(opts.overrides ?? {})) if (v !== undefined) setPath(flags, k, v);
  merged = merge(merged, flags);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, merged)).join('; '));
  }
  return result.data;
}
