import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentError } from './errors.ts';
import { splitLines, type Line } from './lines.ts';

async function lines(chunks: readonly (string | Uint8Array)[], max?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const l of splitLines((async function* () { yield* chunks; })(), max)) out.push(l);
  return out;
}

async function fails(chunks: readonly (string | Uint8Array)[], max: number | undefined, pattern: RegExp, line: number): Promise<void> {
  await assert.rejects(lines(chunks, max), (err: unknown) => {
    assert.ok(err instanceof SegmentError, String(err));
    assert.match(err.message, pattern);
    assert.equal(err.line, line);
    return true;
  });
}

test('lines: split across chunks, numbered from 1; a last line without a newline; CRLF read as LF', async () => {
  assert.deepEqual(await lines(['a', 'b\nc', 'd\r\n', '\n', 'e']), [
    { no: 1, text: 'ab' },
    { no: 2, text: 'cd' },
    { no: 3, text: '' },
    { no: 4, text: 'e' },
  ]);
  assert.deepEqual(await lines([]), []);
  assert.deepEqual(await lines(['x\n']), [{ no: 1, text: 'x' }], 'a final newline ends the last line, it does not start another');
});

test('lines: a character whose bytes are split between chunks is decoded whole', async () => {
  const bytes = Buffer.from('{"r":"ünïcødé ✓"}\n', 'utf8');
  const chunks = [...bytes].map((b) => Uint8Array.of(b));
  assert.deepEqual(await lines(chunks), [{ no: 1, text: '{"r":"ünïcødé ✓"}' }]);
});

test('lines: a line longer than the limit is refused, naming it, without reading it whole', async () => {
  await fails(['ok\n', 'x'.repeat(11), '\n'], 10, /^line 2 is longer than 10 bytes$/, 2);
  await fails(['ok\n', 'x'.repeat(6), 'x'.repeat(6)], 10, /^line 2 is longer than 10 bytes$/, 2);
  await fails(['ok\nxxxxxxxxxxxxxxx\n'], 10, /^line 2 is longer/, 2);
  assert.deepEqual(await lines(['x'.repeat(10), '\n'], 10), [{ no: 1, text: 'x'.repeat(10) }], 'exactly the limit is allowed');
});

test('lines: bytes that are not UTF-8 are refused, naming the line', async () => {
  await fails(['{}\n', Uint8Array.of(0x7b, 0xff, 0x7d, 0x0a)], undefined, /^line 2 is not UTF-8 text$/, 2);
});
