import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteSink } from './byte-sink.ts';

test('a byte sink grows past its first capacity and keeps every byte in order', () => {
  const src = Buffer.from('0123456789abcdef'.repeat(100));
  const sink = new ByteSink(1);
  const expected: Buffer[] = [];
  for (let i = 0; i < 200; i++) {
    sink.bytes(src, i, i + 700);
    expected.push(src.subarray(i, i + 700));
    sink.text(`é${i}`);
    expected.push(Buffer.from(`é${i}`, 'utf8'));
    sink.byte(0x2c);
    expected.push(Buffer.from(','));
  }
  sink.bytes(src, 5, 5);
  assert.deepEqual(sink.result(), Buffer.concat(expected));
  assert.equal(sink.length, Buffer.concat(expected).length);
});
