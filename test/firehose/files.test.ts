import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { STORE_FIELDS } from '../../src/domain/store.js';
import { FirehoseReadError } from '../../src/firehose/errors.js';
import { csvField, storesToCsv, writeFirehoseFiles, type WrittenFiles } from '../../src/firehose/files.js';
import type { LineChunk } from '../../src/firehose/line-chunk.js';
import { tenantLineChunks } from '../../src/firehose/records.js';
import type { RecordOptions } from '../../src/firehose/record-options.js';
import { preloadLineChunks, readLineChunks, repeatChunks } from '../../src/firehose/replay.js';
import { generateWorld } from '../../src/firehose/world.js';

async function collect(src: AsyncIterable<LineChunk>): Promise<{ data: Buffer; lines: number; chunks: number }> {
  const parts: Buffer[] = [];
  let lines = 0;
  for await (const c of src) {
    parts.push(c.data);
    lines += c.lines;
    assert.equal(c.data[c.data.length - 1], 0x0a, 'a chunk ends on a line boundary');
  }
  return { data: Buffer.concat(parts), lines, chunks: parts.length };
}

describe('files', () => {
  const world = generateWorld({ seed: 31, stores: 200 });
  const records: RecordOptions = { start: '2026-07-01T00:00:00Z', records: 3000, faults: { malformed: 0.01, duplicates: 0.01 } };
  let dir = '';
  let out: WrittenFiles;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firehose-files-'));
    out = await writeFirehoseFiles({ dir, world, records, chunkLines: 500 });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes tenants.json with every tenant', async () => {
    const t = JSON.parse(await readFile(join(dir, 'tenants.json'), 'utf8')) as { tenants: { tenant_id: string }[] };
    assert.deepEqual(t.tenants, world.tenants.map((x) => x.tenant));
  });

  it('writes each registry as {"stores":[…]} and as RFC 4180 CSV with the STORE_FIELDS header', async () => {
    for (const tw of world.tenants) {
      const id = tw.tenant.tenant_id;
      const json = JSON.parse(await readFile(join(dir, id, 'stores.json'), 'utf8')) as { stores: Record<string, unknown>[] };
      assert.deepEqual(json.stores, tw.stores);
      assert.deepEqual(Object.keys(json.stores[0]!), [...STORE_FIELDS]);
      const text = await readFile(join(dir, id, 'stores.csv'), 'utf8');
      assert.equal(text.split('\r\n')[0], STORE_FIELDS.join(','));
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, tw.stores.length);
      rows.forEach((row, i) => {
        const s = tw.stores[i]!;
        for (const f of STORE_FIELDS) assert.equal(row[f], String(s[f]), `${s.store_id}.${f}`);
      });
    }
    // Names with commas and quotes survive the round trip.
    assert.ok(world.tenants.some((t) => t.stores.some((s) => s.name.includes(',') || s.name.includes('"'))));
  });

  it('writes the transactions byte for byte as the generator streams them, with the ground truth', async () => {
    for (const t of out.tenants) {
      const file = await readFile(t.transactions);
      const streamed = Buffer.concat([...tenantLineChunks(world, t.tenant_id, records)].map((c) => c.data));
      assert.ok(file.equals(streamed));
      assert.equal(file.length, t.bytes);
      assert.equal(file.toString('latin1').split('\n').length - 1, t.truth.lines);
      assert.equal(t.truth.valid, 3000);
    }
    const truth = JSON.parse(await readFile(out.truthJson, 'utf8')) as { seed: number; tenants: { valid: number }[] };
    assert.equal(truth.seed, 31);
    assert.deepEqual(truth.tenants.map((x) => x.valid), [3000, 3000, 3000]);
  });

  it('replays a file in chunks cut at line boundaries, whatever the chunk size', async () => {
    const path = out.tenants[0]!.transactions;
    const file = await readFile(path);
    for (const chunkBytes of [4096, 65_536, 1 << 20]) {
      const r = await collect(readLineChunks(path, { chunkBytes }));
      assert.ok(r.data.equals(file), `chunkBytes ${chunkBytes}`);
      assert.equal(r.lines, out.tenants[0]!.truth.lines);
      if (chunkBytes === 4096) assert.ok(r.chunks > 100, 'really streamed in small chunks');
    }
  });

  it('replays anyone\'s NDJSON: a missing last newline, CRLF, blank lines and lines longer than a chunk', async () => {
    const path = join(dir, 'foreign.ndjson');
    const long = `{"note":"${'y'.repeat(10_000)}"}`;
    await writeFile(path, `{"a":1}\r\n\n${long}\n{"b":2}`);
    const r = await collect(readLineChunks(path, { chunkBytes: 4096 }));
    assert.equal(r.data.toString(), `{"a":1}\r\n\n${long}\n{"b":2}\n`);
    assert.equal(r.lines, 4);
    await assert.rejects(collect(readLineChunks(path, { chunkBytes: 4096, maxLineBytes: 5000 })), FirehoseReadError);
  });

  it('preloads a file into memory and repeats it for benchmarks', async () => {
    const chunks = await preloadLineChunks(readLineChunks(out.tenants[1]!.transactions, { chunkBytes: 65_536 }));
    const lines = chunks.reduce((n, c) => n + c.lines, 0);
    assert.equal(lines, out.tenants[1]!.truth.lines);
    assert.equal([...repeatChunks(chunks, 3)].reduce((n, c) => n + c.lines, 0), 3 * lines);
  });

  it('quotes CSV fields only when RFC 4180 requires it', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    const csv = storesToCsv([{ ...world.tenants[0]!.stores[0]!, name: 'Acme "Flagship", Berlin' }]);
    assert.ok(csv.includes(',"Acme ""Flagship"", Berlin",'));
    assert.ok(csv.endsWith('\r\n'));
  });
});
