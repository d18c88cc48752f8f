/**
 * The long-lived fallocate(1) shell: answers in order, reports a failure
 * without losing its place, and does not keep a process alive when idle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fallocateFile } from '../../src/log/fallocate-helper.js';
import { tempDir } from './temp-dir.js';

const HELPER = fileURLToPath(new URL('../../src/log/fallocate-helper.js', import.meta.url));

describe('fallocate helper', () => {
  it('reserves each file at its own size, answering requests in order', async () => {
    await using dir = await tempDir();
    const sizes = [1 << 16, 3 << 20, 1 << 20, 5 << 16];
    const paths = sizes.map((_, i) => join(dir.path, `f${String(i)}`));
    const answers = await Promise.all(sizes.map((n, i) => fallocateFile(paths[i]!, n)));
    assert.deepEqual(answers, [true, true, true, true]);
    for (let i = 0; i < sizes.length; i++) {
      const s = await stat(paths[i]!);
      assert.equal(s.size, sizes[i]);
      // Reserved, not sparse: the blocks are allocated.
      assert.ok(s.blocks * 512 >= sizes[i]!, `${paths[i]!}: ${String(s.blocks * 512)} bytes allocated of ${String(sizes[i])}`);
    }
  });

  it('answers false for a path it cannot create, and the next request still succeeds', async () => {
    await using dir = await tempDir();
    const [bad, good] = await Promise.all([fallocateFile(join(dir.path, 'missing', 'f'), 1 << 16), fallocateFile(join(dir.path, 'g'), 1 << 16)]);
    assert.equal(bad, false);
    assert.equal(good, true);
    assert.equal((await stat(join(dir.path, 'g'))).size, 1 << 16);
    assert.equal(await fallocateFile(join(dir.path, 'bad\nname'), 1 << 16), false);
  });

  it('an idle helper does not keep the process running', async () => {
    await using dir = await tempDir();
    const script = `import { fallocateFile } from ${JSON.stringify(HELPER)}; console.log(await fallocateFile(${JSON.stringify(join(dir.path, 'h'))}, 65536));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.signal, null, 'the process did not exit by itself');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'true');
  });
});
