/** Starts the real ingest service in this process on loopback ports chosen by the OS. */
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.js';
import { startIngestService, type IngestService } from '../../src/platform/ingest-service.js';

export interface RunningService extends AsyncDisposable {
  svc: IngestService;
  config: Config;
  http: string;
}

export async function startService(dataDir: string, overrides: Record<string, string | number | boolean> = {}): Promise<RunningService> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      logLevel: 'warn',
      'ingest.tcpPort': 0,
      'api.port': 0,
      'ingest.dedupSnapshotIntervalMs': 200,
      'log.segmentBytes': 1 << 20,
      ...overrides,
    },
  });
  const svc = await startIngestService(config, pino({ level: 'warn' }));
  return {
    svc,
    config,
    http: `http://127.0.0.1:${svc.httpPort}`,
    [Symbol.asyncDispose]: () => svc.close(),
  };
}
