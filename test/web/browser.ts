/**
 * Debian's Chromium driven by playwright-core, with a fresh profile per
 * run. Every page is watched: a console error, an uncaught exception or a
 * request to any origin other than the server under test is recorded, and
 * the test that owns the page fails on it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export class BrowserUnavailableError extends Error {
  override readonly name = 'BrowserUnavailableError';
  readonly code = 'browser_unavailable';
}

export interface WatchedBrowser extends AsyncDisposable {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and foreign requests seen so far. */
  problems: string[];
}

export interface WatchOptions {
  /**
   * Paths whose 404 is one of the API's answers rather than a fault (e.g.
   * `/v1/forecasts` before any forecast is stored): Chromium logs every
   * 4xx as a console error, and these are not counted as problems.
   */
  expected404?: (path: string) => boolean;
}

/**
 * Launches Chromium on `origin`'s pages only. Throws
 * `BrowserUnavailableError` when Chromium is missing or does not start.
 */
export async function launchWatched(origin: string, options: WatchOptions = {}): Promise<WatchedBrowser> {
  if (!existsSync(CHROMIUM)) throw new BrowserUnavailableError(`${CHROMIUM} is missing (scripts/ensure-system-deps.sh installs Debian's chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'tpay-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1366, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new BrowserUnavailableError(`Chromium did not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const problems: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const expected = (m: { text(): string; location(): { url: string } }): boolean => {
    if (options.expected404 === undefined || !m.text().includes('status of 404')) return false;
    const url = m.location().url;
    return url.startsWith(origin) && options.expected404(new URL(url).pathname);
  };
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected(m)) problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    context,
    page,
    problems,
    [Symbol.asyncDispose]: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns without throwing, or throws its last error after `ms`. */
export async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Launches the watched browser, or skips the test when Chromium cannot
 * start on a developer's machine (null). On CI (`CI=true`) it never skips:
 * the error fails the test.
 */
export async function launchOrSkip(origin: string, t: { skip(message?: string): void }, options: WatchOptions = {}): Promise<WatchedBrowser | null> {
  try {
    return await launchWatched(origin, options);
  } catch (err) {
    if (err instanceof BrowserUnavailableError && process.env['CI'] !== 'true') {
      t.skip(err.message);
      return null;
    }
    throw err;
  }
}
