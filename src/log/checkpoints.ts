/**
 * Consumer-group checkpoints: `<dir>/checkpoints/<group>/p<NN>` holds the
 * group's next offset to read as decimal text, so an operator can `cat` it.
 *
 * A save is atomic and durable: write a temporary file, fdatasync, rename over
 * the old one, fsync the directory. A crash leaves the old or the new value,
 * never a mix. A group's directory existing is what registers it.
 */
import { mkdir, open, readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { LogCorruptError, LogInvalidArgumentError, isErrno } from './errors.js';
import { partitionDirName } from './segment-file.js';
import { fsyncDir } from '../util/atomic-file.js';

const DIR = 'checkpoints';
/** Letters, digits, '.', '_', '-'; starts with a letter or digit (so never '.' or '..'); at most 64. */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const OFFSET_TEXT = /^[0-9]{1,16}\n?$/;

export function checkGroupName(group: string): void {
  if (!GROUP_NAME.test(group)) {
    throw new LogInvalidArgumentError(
      `checkpoint group ${JSON.stringify(group)} must be 1–64 of [A-Za-z0-9._-], starting with a letter or digit`,
    );
  }
}

export class CheckpointStore {
  private readonly dir: string;
  /** Makes temporary file names unique within this thread. */
  private saves = 0;

  constructor(private readonly root: string) {
    this.dir = join(root, DIR);
  }

  async register(group: string): Promise<void> {
    checkGroupName(group);
    const created = await mkdir(join(this.dir, group), { recursive: true });
    if (created === undefined) return;
    // Make the new directories (checkpoints/ and/or checkpoints/<group>/) survive power loss.
    await fsyncDir(this.dir);
    if (created === this.dir) await fsyncDir(this.root);
  }

  async load(group: string, partition: number): Promise<number> {
    checkGroupName(group);
    const path = join(this.dir, group, partitionDirName(partition));
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return 0;
      throw err;
    }
    const offset = OFFSET_TEXT.test(text) ? Number.parseInt(text, 10) : Number.NaN;
    if (!Number.isSafeInteger(offset)) throw new LogCorruptError(`checkpoint is not an offset: ${JSON.stringify(text.slice(0, 40))}`, path);
    return offset;
  }

  async save(group: string, partition: number, offset: number): Promise<void> {
    await this.register(group);
    const groupDir = join(this.dir, group);
    const name = partitionDirName(partition);
    const tmp = join(groupDir, `${name}.${String(process.pid)}-${String(threadId)}-${String(++this.saves)}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(`${String(offset)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(groupDir, name));
    await fsyncDir(groupDir);
  }

  /** Every registered group. */
  async groups(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
    return entries.filter((e) => e.isDirectory() && GROUP_NAME.test(e.name)).map((e) => e.name);
  }
}
