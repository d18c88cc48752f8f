/** Prometheus metrics of the stream and the serving store, next to ingest's at `/metrics`. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ColumnarServingStore } from '../serving/columnar-serving-store.js';
import type { StreamStats } from '../stream/stream-processor.js';

export function registerPlatformMetrics(registry: Registry, stream: () => StreamStats, serving: ColumnarServingStore): void {
  new Counter({
    name: 'tpay_stream_records_total',
    help: 'Log records the stream has applied to the serving store (since start)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stream().records);
    },
  });
  new Counter({
    name: 'tpay_stream_skipped_total',
    help: 'Log records left out of the rollups, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(stream().skipped)) this.inc({ reason }, n);
    },
  });
  new Counter({
    name: 'tpay_stream_restatements_total',
    help: 'Restatements written (records that changed a closed business day)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stream().restatements);
    },
  });
  new Gauge({
    name: 'tpay_stream_freshness_seconds',
    help: 'Wall clock minus the ingest time of the newest record visible in the API',
    registers: [registry],
    collect() {
      const at = stream().visibleReceivedAt;
      this.set(at === 0 ? 0 : Math.max(0, Date.now() - at) / 1000);
    },
  });
  new Gauge({
    name: 'tpay_serving_bytes',
    help: 'Bytes held by the serving store',
    registers: [registry],
    collect() {
      this.set(serving.stats().bytes);
    },
  });
  new Gauge({
    name: 'tpay_serving_store_quarter_hours',
    help: 'Store-quarter-hours with data in the serving store',
    registers: [registry],
    collect() {
      this.set(serving.stats().storeQuarters);
    },
  });
}
