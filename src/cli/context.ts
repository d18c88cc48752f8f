/** Shared CLI plumbing: global options → validated config and a logger. */
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../config/config.js';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  logLevel?: string;
}

/** Config from the global flags plus command-specific dotted overrides. */
export function configFrom(cmd: Command, overrides: Record<string, string | number | boolean | undefined> = {}): Config {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  return loadConfig({ file: g.config, overrides: { dataDir: g.dataDir, logLevel: g.logLevel, ...overrides } });
}

/** JSON logs on stderr, so stdout stays for the command's own output. */
export function loggerFor(config: Config): Logger {
  return pino({ level: config.logLevel }, pino.destination(2));
}

export function intOption(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${v}'`);
    return n;
  };
}

/** Runs an async action; on failure prints `error: <code>: <message>` and exits 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const e = err as Error & { code?: string };
      process.stderr.write(`error: ${e.code !== undefined ? `${e.code}: ` : ''}${e.message}\n`);
      process.exitCode = 1;
    }
  };
}
