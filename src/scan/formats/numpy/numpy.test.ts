import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzer } from './index.ts';
import { concat, runAnalyzer, utf8 } from '../common/testing.ts';
import { parsePyLiteral, PyTuple } from './py-literal.ts';
import { dtypeInfo, splitSubarray } from './dtype.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/scan/numpy');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

function npy(header: string, payload: Uint8Array, version = 1): Uint8Array {
  let h = header;
  const pre = version === 1 ? 10 : 12;
  while ((pre + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const hb = utf8(h);
  const len = new Uint8Array(version === 1 ? 2 : 4);
  if (version === 1) new DataView(len.buffer).setUint16(0, hb.length, true);
  else new DataView(len.buffer).setUint32(0, hb.length, true);
  return concat(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]), len, hb, payload);
}

for (const name of ['float32-matrix.npy', 'structured.npy', 'v2-big-endian.npy', 'v3-unicode.npy']) {
  test(`numpy writer output is safe: ${name}`, async () => {
    const bytes = fixture(name);
    assert.equal(analyzer.detect(bytes.subarray(0, 64), bytes.length), true);
    const r = await runAnalyzer(analyzer, bytes);
    assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
    assert.equal(r.nested.length, 0);
  });
}

test('object arrays: the pickle payload is scanned as nested content and allow_pickle is reported', async () => {
  for (const name of ['object-array-benign.npy', 'object-array-malicious.npy']) {
    const bytes = fixture(name);
    const r = await runAnalyzer(analyzer, bytes);
    assert.ok(r.has('numpy.object-array', 'info'), name);
    assert.equal(r.nested.length, 1);
    const payload = r.nested[0]?.bytes ?? new Uint8Array();
    assert.equal(payload[0], 0x80, 'payload starts with the pickle PROTO opcode');
    assert.equal(r.nested[0]?.options?.unknownFormat, 'suspicious');
  }
  const evil = await runAnalyzer(analyzer, fixture('object-array-malicious.npy'));
  assert.ok(new TextDecoder('latin1').decode(evil.nested[0]?.bytes).includes('system'));
});

test('object dtype hidden in a structured or comma-spec descr is still found', async () => {
  for (const descr of ["[('a', '<i4'), ('b', '|O')]", "'i4, O'", "[('a', [('x', 'O')])]", "('O', (2,))", "'(3,)O8'", "'object'"]) {
    const r = await runAnalyzer(analyzer, npy(`{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`, new Uint8Array([0x80, 3, 0x4e, 0x2e])));
    assert.ok(r.has('numpy.object-array'), descr);
    assert.equal(r.nested.length, 1, descr);
  }
});

test('a descr named like what every object has (constructor, __proto__) is a dtype not understood, not a scanner error', async () => {
  for (const descr of ["'constructor'", "'<__proto__'", "[('a', '<i4'), ('b', 'toString')]"]) {
    const r = await runAnalyzer(analyzer, npy(`{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8)));
    assert.equal(r.verdict, 'unscannable', descr);
    assert.ok(r.has('numpy.dtype.unknown', 'unscannable'), descr);
  }
});

test('payload size is checked against dtype × shape', async () => {
  const r = await runAnalyzer(analyzer, fixture('truncated.npy'));
  assert.ok(r.has('numpy.payload.truncated', 'invalid'));
  const extra = await runAnalyzer(analyzer, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", concat(new Uint8Array(8), new Uint8Array([0x80, 4, 0x2e]))));
  assert.ok(extra.has('numpy.payload.trailing', 'suspicious'));
  assert.equal(extra.nested.length, 1);
  assert.deepEqual([...(extra.nested[0]?.bytes ?? [])], [0x80, 4, 0x2e]);
});

test('malformed headers are invalid, never evaluated', async () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), '__class__': 1}", 'numpy.header.fields'],
    ["__import__('os').system('true')", 'numpy.header.syntax'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 'numpy.header.shape'],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 'numpy.header.fields'],
  ];
  for (const [header, rule] of cases) {
    const r = await runAnalyzer(analyzer, npy(header, new Uint8Array(8)));
    assert.ok(r.has(rule, 'invalid'), `${header}: ${r.rules().join(', ')}`);
  }
  const badVersion = fixture('float32-matrix.npy').slice();
  badVersion[6] = 9;
  assert.ok((await runAnalyzer(analyzer, badVersion)).has('numpy.version', 'invalid'));
});

test('a repeated header key is suspicious and the last value counts, as in numpy', async () => {
  const r = await runAnalyzer(analyzer, npy("{'descr': '<f4', 'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)));
  assert.ok(r.has('numpy.header.duplicate-key', 'suspicious'), r.rules().join(', '));
  assert.ok(r.has('numpy.object-array', 'info'), r.rules().join(', '));
});

test('unknown dtype specs are unscannable, not guessed', async () => {
  const r = await runAnalyzer(analyzer, npy("{'descr': 'mystery', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)));
  assert.ok(r.has('numpy.dtype.unknown', 'unscannable'));
});

test('python literal parser handles numpy header forms', () => {
  const v = parsePyLiteral("{'descr': [('a', '<i4', (2, 3)), ('', '|V4')], 'fortran_order': True, 'shape': (10L, 3), }");
  assert.ok(v instanceof Map);
  const shape = v.get('shape');
  assert.ok(shape instanceof PyTuple);
  assert.deepEqual(shape.items, [10n, 3n]);
  const info = dtypeInfo(v.get('descr') ?? null);
  assert.equal(info.itemsize, 28n);
  assert.equal(info.hasObject, false);
  assert.equal(dtypeInfo('<M8[ns]').itemsize, 8n);
  assert.equal(dtypeInfo('<U10').itemsize, 40n);
});

test('a sub-array prefix is read with or without blanks and a trailing comma; one that does not close is no prefix', () => {
  assert.equal(dtypeInfo('(2,3)<f4').itemsize, 24n);
  assert.equal(dtypeInfo('(2, 3)<f4').itemsize, 24n);
  assert.equal(dtypeInfo('( 3 , )i2').itemsize, 6n);
  assert.equal(dtypeInfo('()f8').itemsize, 8n);
  assert.deepEqual(splitSubarray('(2,\n3) >f4'), { shape: ['2', '3'], body: 'f4' });
  assert.deepEqual(splitSubarray('(2,,3)f4'), { shape: undefined, body: '(2,,3)f4' });
  assert.deepEqual(splitSubarray('(2)f4\n'), { shape: undefined, body: '(2)f4\n' });
  // Read in one pass (the patterns before backtracked: a prefix of 40 digits that does not close
  // held the thread for hours, 10,000 blanks after a number 108 s).
  const digits = `(${'1'.repeat(200_000)}x`;
  assert.deepEqual(dtypeInfo(digits).unknown, [digits]);
  const blanks = `(0,0${'\t'.repeat(100_000)})${'\t'.repeat(100_000)},\n)`;
  assert.deepEqual(splitSubarray(blanks), { shape: undefined, body: blanks });
});
