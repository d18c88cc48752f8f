/**
 * Builds the dashboard into dist/dashboard (dist/web holds the web sources tsc compiles for unit tests), which `tpay run` serves at `/`.
 * Everything (map boundaries included) is bundled: the page loads nothing
 * from any other origin.
 */
import { defineConfig } from 'vite';

const here = (p: string): string => decodeURIComponent(new URL(p, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/dashboard'),
    emptyOutDir: true,
    // Countries and H3 make one ~1 MB bundle; splitting it would only add round trips on a local server.
    chunkSizeWarningLimit: 2048,
    sourcemap: true,
  },
});
