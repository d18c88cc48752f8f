/**
 * The HTTP side every role process has: `/healthz`, `/readyz` and
 * `/metrics` (Kubernetes probes and Prometheus), on the role's port.
 */
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { buildApp } from '../api/http-server.js';
import type { TenantStore } from '../tenants/tenant-store.js';

export interface RoleApp {
  app: FastifyInstance;
  metrics: Registry;
  /** Listens on host:port (0 picks a free port); resolves to the port. */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/** A role's app: ready when `notReady` says null, alive while `notLive` says null. */
export function roleApp(logger: Logger, bodyLimit: number, health: { notReady(): string | null; notLive?(): string | null }): RoleApp {
  const metrics = new Registry();
  const app = buildApp({ logger, bodyLimit, metrics, ...health });
  let listening = false;
  return {
    app,
    metrics,
    async listen(host, port) {
      await app.listen({ host, port });
      listening = true;
      const addr = app.server.address();
      const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
      logger.info({ host, port: bound }, 'http listening');
      return bound;
    },
    async close() {
      if (listening) await app.close();
    },
  };
}

/** The line a role prints once it listens; tests and scripts wait for it. */
export function roleListeningLine(role: string, httpPort: number, tcpPort = 0): string {
  return `${JSON.stringify({ event: 'listening', role, tcp_port: tcpPort, http_port: httpPort, pid: process.pid })}\n`;
}

/**
 * Reloads the tenants file every second, so keys, tenants and registries
 * that other processes (the API, the CLI) write take effect within a
 * second. Returns what stops it.
 */
export function watchTenantFiles(tenants: TenantStore, logger: Logger): () => Promise<void> {
  const watch = setInterval(() => {
    try {
      tenants.reloadIfChanged();
    } catch (err) {
      logger.error({ err }, 'reloading tenants failed; keeping the previous ones');
    }
  }, 1000);
  watch.unref();
  return async () => clearInterval(watch);
}

/**
 * What a role process has opened, closed in reverse order when it stops (or
 * when its start fails half-way). `close` runs them once; a second call
 * waits for the first.
 */
export class Closers {
  private readonly list: (() => Promise<void>)[];
  private closing: Promise<void> | null = null;

  constructor(...first: (() => Promise<void>)[]) {
    this.list = first;
  }

  push(close: () => Promise<void>): void {
    this.list.push(close);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const c of this.list.splice(0).reverse()) await c();
    })();
    return this.closing;
  }
}
