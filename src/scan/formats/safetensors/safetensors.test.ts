import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzer } from './index.ts';
import { concat, runAnalyzer, utf8 } from '../common/testing.ts';

/** Builds a file the way the reference writer does: compact JSON padded with spaces to 8 bytes. */
function file(header: string, dataBytes: number, pad = true): Uint8Array {
  let h = utf8(header);
  if (pad && h.length % 8 !== 0) h = concat(h, utf8(' '.repeat(8 - (h.length % 8))));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(h.length), true);
  return concat(len, h, new Uint8Array(dataBytes));
}

const GOOD = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]}}';

test('a well-formed header is safe and detected', async () => {
  const bytes = file(GOOD, 22);
  assert.equal(analyzer.detect(bytes.subarray(0, 64), bytes.length), true);
  const r = await runAnalyzer(analyzer, bytes);
  assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
});

test('empty tensor set and zero-sized tensors sharing an offset are valid', async () => {
  assert.equal((await runAnalyzer(analyzer, file('{}', 0))).verdict, 'safe');
  const h = '{"z1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"z2":{"dtype":"I64","shape":[4,0],"data_offsets":[0,0]},"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
  assert.equal((await runAnalyzer(analyzer, file(h, 1))).verdict, 'safe');
});

test('sub-byte dtypes must fill whole bytes', async () => {
  assert.equal((await runAnalyzer(analyzer, file('{"q":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}', 2))).verdict, 'safe');
  const odd = await runAnalyzer(analyzer, file('{"q":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', 2));
  assert.ok(odd.has('safetensors.header.size', 'invalid'));
});

const INVALID: ReadonlyArray<readonly [string, string, number, string]> = [
  ['dtype × shape does not match the span', '{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}', 12, 'safetensors.header.size'],
  ['overlapping tensors', '{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}', 8, 'safetensors.header.overlap'],
  ['gap between tensors', '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}}', 12, 'safetensors.header.gap'],
  ['first tensor not at 0', '{"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}', 8, 'safetensors.header.gap'],
  ['trailing bytes after the last tensor', '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', 100, 'safetensors.header.trailing'],
  ['tensor past the end of the file', '{"a":{"dtype":"U8","shape":[64],"data_offsets":[0,64]}}', 8, 'safetensors.header.bounds'],
  ['unknown dtype', '{"a":{"dtype":"O","shape":[1],"data_offsets":[0,8]}}', 8, 'safetensors.header.dtype'],
  ['negative shape', '{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}', 0, 'safetensors.header.shape'],
  ['float shape', '{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}', 1, 'safetensors.header.json'],
  ['end before begin', '{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', 4, 'safetensors.header.offsets'],
  ['duplicate tensor name', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2, 'safetensors.header.json'],
  ['non-string metadata value', '{"__metadata__":{"x":1},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1, 'safetensors.header.metadata'],
  ['unknown tensor field', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"code":"x"}}', 1, 'safetensors.header.tensor'],
  ['header is an array', '[{"a":1}]', 0, 'safetensors.header.start'],
  ['trailing garbage after the JSON object', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}x', 1, 'safetensors.header.json'],
  ['overflowing element count', '{"a":{"dtype":"F64","shape":[9007199254740991,9007199254740991],"data_offsets":[0,8]}}', 8, 'safetensors.header.size'],
];

for (const [name, header, data, rule] of INVALID) {
  test(`invalid: ${name}`, async () => {
    const r = await runAnalyzer(analyzer, file(header, data));
    assert.equal(r.verdict, 'invalid', JSON.stringify(r.findings));
    assert.ok(r.has(rule, 'invalid'), `expected ${rule}, got ${r.rules().join(', ')}`);
  });
}

test('header length bounds: too small, past the end, over the limit', async () => {
  const tiny = concat(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), utf8('{"'));
  assert.ok((await runAnalyzer(analyzer, tiny)).has('safetensors.header.length', 'invalid'));
  const past = concat(new Uint8Array([0xff, 0xff, 0, 0, 0, 0, 0, 0]), utf8('{"a":1}'));
  assert.ok((await runAnalyzer(analyzer, past)).has('safetensors.header.length', 'invalid'));
  const big = file(GOOD, 22);
  const r = await runAnalyzer(analyzer, big, { limits: { maxHeaderBytes: 16 } });
  assert.ok(r.has('safetensors.header.length', 'unscannable'));
});

test('header that is not UTF-8 is invalid', async () => {
  const h = concat(utf8('{"a\xff'), new Uint8Array([0xff]), utf8('":{}}'));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(h.length), true);
  const r = await runAnalyzer(analyzer, concat(len, h));
  assert.ok(r.has('safetensors.header.utf8', 'invalid'));
});

test('reads only the header of a large file', async () => {
  const h = utf8('{"w":{"dtype":"F32","shape":[268435456],"data_offsets":[0,1073741824]}}');
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(h.length), true);
  const head = concat(len, h);
  const r = await runAnalyzer(analyzer, head, { size: head.length + 1073741824 });
  assert.equal(r.verdict, 'safe');
});

test('detection rejects other content', () => {
  assert.equal(analyzer.detect(utf8('PK\x03\x04 not safetensors'), 100), false);
  assert.equal(analyzer.detect(utf8('        {"a":1}'), 100), false);
  assert.equal(analyzer.detect(new Uint8Array([0x80, 2, 0x7d, 0x71, 0, 0x2e, 0, 0, 0, 0]), 10), false);
});
