/** What every benchmark here shares: numeric flags, medians and percentiles, a process's CPU time. */
import { readdirSync, readFileSync } from 'node:fs';

/** The number after `--name` on the command line, or `dflt`. */
export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number`);
  return v;
}

/** Median; the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The value below which `p` percent of `xs` fall (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** User + system CPU seconds of a Linux process so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * User and system CPU seconds of each thread of a Linux process so far, by
 * thread id (every thread of node is named "node", so the id is all that
 * tells them apart; the main thread's id is the process id).
 */
export function threadCpuSeconds(pid: number): Map<number, { user: number; system: number }> {
  const out = new Map<number, { user: number; system: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${String(pid)}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${String(pid)}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), { user: Number(f[11]) / 100, system: Number(f[12]) / 100 });
  }
  return out;
}
