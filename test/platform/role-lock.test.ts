/**
 * One process per role per data directory: a second one fails at once with
 * `role_running`, `tpay run` holds the locks of ingest, stream and api, and
 * a lock dies with its process (kill -9 frees it for the restart).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { lockRoles, RoleRunningError } from '../../src/platform/role-lock.js';
import { tempDir } from '../support/temp-dir.js';

describe('role locks', () => {
  it('a role is held once per data directory; other roles and other directories are free', async () => {
    await using dir = tempDir();
    await using other = tempDir();
    const release = await lockRoles(dir.path, ['stream']);
    await assert.rejects(lockRoles(dir.path, ['stream']), (e: unknown) => e instanceof RoleRunningError && e.code === 'role_running' && e.message.includes(`'stream'`) && e.message.includes(dir.path));
    const api = await lockRoles(dir.path, ['api']);
    const elsewhere = await lockRoles(other.path, ['stream']);
    // All or none: the free 'ingest' is not kept when 'api' is taken.
    await assert.rejects(lockRoles(dir.path, ['ingest', 'api']), RoleRunningError);
    const ingest = await lockRoles(dir.path, ['ingest']);
    await Promise.all([release(), api(), elsewhere(), ingest()]);
    const again = await lockRoles(dir.path, ['stream', 'api', 'ingest']);
    await again();
  });

  it('a process killed with SIGKILL leaves no stale lock', async () => {
    await using dir = tempDir();
    const url = new URL('../../src/platform/role-lock.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `const { lockRoles } = await import(${JSON.stringify(url)}); await lockRoles(${JSON.stringify(dir.path)}, ['api']); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`child exited with ${String(code)}`)));
      });
      await assert.rejects(lockRoles(dir.path, ['api']), RoleRunningError);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const release = await lockRoles(dir.path, ['api']);
    await release();
  });
});
