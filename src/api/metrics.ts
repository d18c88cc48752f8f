/** Prometheus metrics for ingest, exposed at `/metrics`. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestEngine } from '../ingest/ingest-engine.js';
import type { DedupStats } from '../ingest/worker-protocol.js';

export class IngestMetrics {
  readonly registry = new Registry();
  private readonly accepted: Counter;
  private readonly duplicates: Counter;
  private readonly rejected: Counter<'code'>;
  private readonly batchLatency: Histogram;

  constructor(engine: IngestEngine) {
    collectDefaultMetrics({ register: this.registry });
    this.accepted = new Counter({ name: 'tpay_ingest_accepted_total', help: 'Records accepted and durable', registers: [this.registry] });
    this.duplicates = new Counter({ name: 'tpay_ingest_duplicates_total', help: 'Resent records answered as duplicate', registers: [this.registry] });
    this.rejected = new Counter({ name: 'tpay_ingest_rejected_total', help: 'Rejected lines by code', labelNames: ['code'], registers: [this.registry] });
    this.batchLatency = new Histogram({
      name: 'tpay_ingest_batch_seconds',
      help: 'Time from receiving a batch to its durable answer',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new Counter({
      name: 'tpay_ingest_thread_active_seconds_total',
      help: 'Busy time of the I/O thread (main) and of each ingest worker',
      labelNames: ['thread'],
      registers: [this.registry],
      collect() {
        const t = engine.threadActiveMs();
        this.reset();
        this.inc({ thread: 'main' }, t.main / 1000);
        t.workers.forEach((ms, i) => this.inc({ thread: `worker-${i}` }, ms / 1000));
      },
    });
    // Dedup state (docs/ingest.md, "Exactly once"): how much of the per-terminal interval budget is used.
    const dedupGauge = (name: string, help: string, pick: (d: DedupStats) => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(pick(engine.dedupStats()));
        },
      });
    };
    dedupGauge('tpay_ingest_dedup_terminals', 'Terminals with dedup state', (d) => d.terminals);
    dedupGauge('tpay_ingest_dedup_intervals', 'Intervals of accepted seqs held, all terminals (16 bytes each)', (d) => d.intervals);
    dedupGauge('tpay_ingest_dedup_terminals_at_budget', 'Terminals that reached the interval budget: their oldest intervals are merged into a floor', (d) => d.terminalsAtBudget);
    dedupGauge('tpay_ingest_dedup_intervals_peak', 'Most intervals one terminal has held since start', (d) => d.peakIntervals);
    new Gauge({
      name: 'tpay_ingest_dedup_interval_budget',
      help: 'Most intervals held per terminal (ingest.dedupIntervalBudget)',
      registers: [this.registry],
      collect() {
        this.set(engine.dedupIntervalBudget);
      },
    });
    new Counter({
      name: 'tpay_ingest_dedup_floor_merges_total',
      help: 'Intervals merged into a terminal floor because the terminal was at its budget',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(engine.dedupStats().floorMerges);
      },
    });
    new Gauge({
      name: 'tpay_ingest_inflight_bytes',
      help: 'Bytes received and not yet answered',
      registers: [this.registry],
      collect() {
        this.set(engine.inflightBytes);
      },
    });
  }

  /** Records one answered batch. */
  observe(outcome: { accepted: number; duplicates: number; rejects: readonly { code: string }[] }, seconds: number): void {
    this.accepted.inc(outcome.accepted);
    this.duplicates.inc(outcome.duplicates);
    for (const r of outcome.rejects) this.rejected.inc({ code: r.code });
    this.batchLatency.observe(seconds);
  }
}
