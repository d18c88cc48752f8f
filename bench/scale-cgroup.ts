/**
 * CPU quotas for a benchmark's worker processes, with cgroup v1's CFS
 * bandwidth control: one child group per worker, under the cpu cgroup this
 * process runs in (read from /proc/self/cgroup), so whatever priority
 * `bench-run` gave that group still applies to everything below it.
 *
 * @example
 * const g = createCpuGroup('tpay-scale-w0', 0.5);
 * await startIngestProcess(dir, args, env, 'stream', g.wrap); // node starts inside the group
 * g.throttling(); g.remove();
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CPU_ROOT = '/sys/fs/cgroup/cpu';
/** CFS period of every group (the kernel's default, 100 ms). */
const PERIOD_US = 100_000;
/**
 * Weight of each worker's group against the other tasks of the parent group
 * (nats-server, clickhouse-server, the bench): high, so a worker gets its
 * whole quota when the machine is busy; the quota caps it.
 */
const WORKER_SHARES = 8192;

export class CgroupError extends Error {
  override readonly name = 'CgroupError';
  readonly code = 'cgroup_unavailable';
}

export interface CpuGroup {
  readonly dir: string;
  readonly cores: number;
  /** A command prefix that moves the shell into the group and execs the rest (same pid). */
  readonly wrap: readonly string[];
  /** CFS periods run and throttled, and the time throttled, since the group was made. */
  throttling(): { periods: number; throttled: number; throttledMs: number };
  /** Removes the group (its processes must have exited). */
  remove(): void;
}

/** The path of this process's cpu cgroup under the v1 hierarchy, e.g. `/tpaybench`. */
export function ownCpuCgroup(): string {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controllers !== undefined && path !== undefined && controllers.split(',').includes('cpu')) return path;
  }
  throw new CgroupError('no cgroup v1 cpu controller in /proc/self/cgroup (the quota needs /sys/fs/cgroup/cpu)');
}

/** Creates (or resets) the child group `name` of this process's cpu cgroup, held to `cores` CPUs. */
export function createCpuGroup(name: string, cores: number): CpuGroup {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new CgroupError(`cgroup name ${JSON.stringify(name)}: expected 1-64 of [A-Za-z0-9_-]`);
  if (!Number.isFinite(cores) || cores < 0.01 || cores > 64) throw new CgroupError(`--quota is ${String(cores)}; expected cores from 0.01 to 64`);
  const parent = join(CPU_ROOT, ownCpuCgroup());
  if (!existsSync(join(parent, 'cpu.cfs_quota_us'))) throw new CgroupError(`${parent} has no cpu.cfs_quota_us (cgroup v1 cpu controller with CFS bandwidth needed)`);
  const dir = join(parent, name);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)));
    writeFileSync(join(dir, 'cpu.shares'), String(WORKER_SHARES));
  } catch (err) {
    throw new CgroupError(`setting up ${dir}: ${err instanceof Error ? err.message : String(err)} (needs root)`, { cause: err });
  }
  const base = readStat(dir);
  return {
    dir,
    cores,
    // $0 is the procs file, "$@" the command: the shell joins the group, then becomes the command.
    wrap: ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', join(dir, 'cgroup.procs')],
    throttling: () => {
      const now = readStat(dir);
      return { periods: now.nr_periods - base.nr_periods, throttled: now.nr_throttled - base.nr_throttled, throttledMs: (now.throttled_time - base.throttled_time) / 1e6 };
    },
    remove: () => {
      rmdirSync(dir);
    },
  };
}

function readStat(dir: string): { nr_periods: number; nr_throttled: number; throttled_time: number } {
  const out = { nr_periods: 0, nr_throttled: 0, throttled_time: 0 };
  for (const line of readFileSync(join(dir, 'cpu.stat'), 'utf8').split('\n')) {
    const [k, v] = line.split(' ');
    if (k === 'nr_periods' || k === 'nr_throttled' || k === 'throttled_time') out[k] = Number(v);
  }
  return out;
}
