/**
 * Pax records as CPython's tarfile reads them. Each expectation was read by hand from
 * `tarfile.open(...).getmembers()[0].pax_headers` on an archive holding the data as a local pax
 * header, with CPython 3.11.7 (the records, 3.12.1 alike) and 3.13.0 (whether it refuses it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarfilePax, pythonInt } from './pax-tarfile.ts';

/** The data as tarfile reads it: padded with NULs to the end of its last block. */
const block = (text: string): Buffer => {
  const b = Buffer.from(text, 'latin1');
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
};
const parse = (text: string) => parseTarfilePax(block(text), (k) => k === 'path' || k === 'k');

test('well-formed records are read alike by the lenient and the strict parser; NULs end them', () => {
  for (const [text, records] of [
    ['12 path=abc\n7 k=ab\n', { path: 'abc', k: 'ab' }],
    ['12 path=abc\n12 path=def\n', { path: 'def' }],
    ['12 path=abc\n\0\0garbage', { path: 'abc' }],
  ] as const) {
    const r = parse(text);
    assert.deepEqual(Object.fromEntries(r.records), records, JSON.stringify(text));
    assert.equal(r.malformed, null, JSON.stringify(text));
    assert.equal(r.refused, false);
  }
});

test('records 3.13 refuses are read as 3.11 and 3.12 read them, and said to be malformed', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['15 path=pickleX', { path: 'pickle' }, /does not end with a newline/],
    ['14 path=pickle\n', { path: 'pickl' }, /does not end with a newline/],
    ['3 path=pickle\n', { path: '' }, /malformed/],
    // A length past the record: the value runs on into the padding.
    ['99 path=pickle\n', { path: `pickle\n${'\0'.repeat(83)}` }, /does not end with a newline/],
    ['12 path=abc\ngarbage', { path: 'abc' }, /the bytes at 12 are not a pax record/],
    // The key runs to the next `=`, across the newline: no `path` or `k` is set.
    ['10 a\nb=c=d\n', {}, /does not end with a newline/],
    ['7 abcd\n7 k=ab\n', { k: 'ab' }, /no key=value/],
    ['000000000000000000012 path=abc\n', { path: '' }, /malformed/], // 21 digits
    ['4 k=\n', { k: '' }, /malformed/], // shorter than 3.13's 5 bytes
    // 4,000 leading zeros: a length of 1 over and over, each time the same key (linear here).
    [`${'0'.repeat(4000)}1 k=v\n`, { k: '' }, /malformed/],
  ];
  for (const [text, records, why] of cases) {
    const r = parse(text);
    assert.deepEqual(Object.fromEntries(r.records), records, JSON.stringify(text.slice(0, 40)));
    assert.match(r.malformed ?? '', why, JSON.stringify(text.slice(0, 40)));
    assert.equal(r.refused, false);
  }
});

test('a length of 0, or of more digits than int() reads, is refused; the records before it are kept', () => {
  const zero = parse('7 k=ab\n0 path=x\n');
  assert.deepEqual([zero.refused, Object.fromEntries(zero.records)], [true, { k: 'ab' }]);
  assert.match(zero.malformed ?? '', /the pax record at 7 has a length of 0/);
  const long = parse(`${'0'.repeat(4301)}1 k=v\n`);
  assert.deepEqual([long.refused, long.records.size], [true, 0]);
});

test('a hostile header that makes 3.11 quadratic is read once through: 4 MiB of "2 " before the key', () => {
  const r = parseTarfilePax(Buffer.from(`${'2 '.repeat(2 << 20)}k=`), (k) => k === 'k');
  // The last "2 k=": a record of length 2 whose value ends before it starts.
  assert.deepEqual([...r.records], [['k', '']]);
});

test('pax numbers as Python int() reads them; what it reads by rules not followed here is refused', () => {
  // Checked with CPython 3.11.7: int(...) of each, ValueError as null.
  for (const [value, n] of [['12', 12], [' \t12\n', 12], ['+3', 3], ['-0', 0], ['1_000', 1000], ['007', 7], ['abc', null], ['0x10', null], ['1__0', null], ['_1', null], ['\x1c3', null], ['', null]] as const) {
    assert.equal(pythonInt(value, 'size', 0), n, JSON.stringify(value));
  }
  for (const bad of ['-1', '3\u0663', '\u00a03', '9007199254740992', '1'.repeat(4301)]) {
    assert.throws(() => pythonInt(bad, 'size', 1024), /^TarHeaderError: tar header at byte 1024: the pax size /, JSON.stringify(bad.slice(0, 20)));
  }
});
