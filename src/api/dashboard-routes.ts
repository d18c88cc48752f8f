/**
 * The dashboard: the static files Vite builds into `dist/dashboard`, served at `/`.
 * They are a browser app over the public API (it signs in with a read key
 * and calls `/v1/...` like any other client), not API routes: they are
 * registered with `schema.hide`, which keeps them out of `/openapi.json`
 * and out of `registeredRoutes()` (see http-server.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the dashboard, next to the compiled server (`dist/src/api` → `dist/dashboard`). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

/**
 * Everything the page may load comes from this server: a CDN, a tile server
 * or any other origin is refused by the browser, so the dashboard works
 * offline and leaks nothing. Inline `style` attributes are allowed (the
 * charts size their bars with them); inline scripts are not.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export class DashboardNotBuiltError extends Error {
  override readonly name = 'DashboardNotBuiltError';
  readonly code = 'dashboard_not_built';
  constructor(dir: string) {
    super(`the dashboard is not built: ${dir}index.html is missing (run npm run build)`);
  }
}

/**
 * Serves the built dashboard at `/` (index.html) and its hashed assets.
 * Throws `DashboardNotBuiltError` when `dir` holds no build.
 *
 * Fastify loads the plugin before the server listens.
 *
 * @example registerDashboard(app) // GET / → index.html, GET /assets/… → the bundle
 */
export function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): void {
  if (!existsSync(`${dir}index.html`)) throw new DashboardNotBuiltError(dir);
  void app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: 'index.html',
    schemaHide: true,
    // No directory listings and no dotfiles; hashed assets may be cached for ever, index.html never.
    list: false,
    dotfiles: 'deny',
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
