import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countLines, linesToChunk, offsetAfterLines, splitChunk } from '../../src/firehose/line-chunk.js';
import { LineWriter, ascii } from '../../src/firehose/line-writer.js';

function text(w: LineWriter): string {
  return w.take().data.toString('latin1');
}

describe('LineWriter', () => {
  it('writes integers in decimal, from 0 to 2^53 − 1', () => {
    const w = new LineWriter(16);
    const values = [0, 7, 10, 99, 100, 101, 999, 1000, 65_535, 2_147_483_647, 2_147_483_648, 123_456_789_012, 2 ** 53 - 1];
    for (const v of values) {
      w.reserve(32);
      w.int(v);
      w.byte(0x0a);
      w.endLine();
    }
    assert.equal(text(w), values.map((v) => `${v}\n`).join(''));
  });

  it('pads two, three and four digits', () => {
    const w = new LineWriter(64);
    w.int4(2026);
    w.int2(3);
    w.int3(7);
    w.int4(987);
    assert.equal(Buffer.from(w.buf.subarray(0, w.pos)).toString(), '2026030070987');
  });

  it('copies from its arena, grows past its first size, and hands out exact chunks', () => {
    const w = new LineWriter(8, ascii('HEAD|TAIL'));
    for (let i = 0; i < 100; i++) {
      w.reserve();
      w.arena(0, 4);
      w.int(i);
      w.arena(4, 9);
      w.byte(0x0a);
      w.endLine();
    }
    const chunk = w.take();
    assert.equal(chunk.lines, 100);
    assert.equal(chunk.data.toString(), Array.from({ length: 100 }, (_, i) => `HEAD${i}|TAIL\n`).join(''));
    assert.equal(w.take().data.length, 0, 'the arena itself never leaves');
  });

  it('moves the last line out with cut, and writes whole lines and text', () => {
    const w = new LineWriter(64);
    w.line(ascii('one\n'));
    const start = w.pos;
    w.line(ascii('two\n'));
    assert.equal(w.cut(start).toString(), 'two\n');
    w.text('{"ü":1}');
    const c = w.take();
    assert.equal(c.lines, 2);
    assert.equal(c.data.toString('utf8'), 'one\n{"ü":1}\n');
  });
});

describe('line chunks', () => {
  it('counts, finds and splits lines without copying', () => {
    const c = linesToChunk(['a', 'bb', '', 'ccc']);
    assert.equal(c.lines, 4);
    assert.equal(countLines(c.data), 4);
    assert.equal(offsetAfterLines(c.data, 2), 5);
    assert.equal(offsetAfterLines(c.data, 5), -1);
    const [head, tail] = splitChunk(c, 3);
    assert.deepEqual([head.data.toString(), head.lines, tail.data.toString(), tail.lines], ['a\nbb\n\n', 3, 'ccc\n', 1]);
    assert.equal(head.data.buffer, c.data.buffer, 'a view, not a copy');
    assert.throws(() => splitChunk(c, 4), RangeError);
  });
});
