/**
 * The pieces of the official NATS clients the JetStream adapters share:
 * opening a KV bucket whether or not it exists yet, and recognising the
 * JetStream errors they branch on.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV, KvOptions } from '@nats-io/kv';

/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

/**
 * Create the bucket with `options`, or bind to it as it is when it exists
 * with other settings (the first creator settles them, as with a stream).
 * Direct gets only with one replica: followers may answer them from behind
 * the leader, and a checkpoint read must see the last save.
 */
export async function openBucket(nc: NatsConnection, name: string, options: Partial<KvOptions>): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    return await kvm.create(name, { ...options, allow_direct: (options.replicas ?? 1) === 1 });
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE) return kvm.open(name);
    throw err;
  }
}

/** A compare-and-set publish lost: the subject's last sequence was not the expected one. */
export function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
