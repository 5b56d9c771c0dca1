import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { boundaryOf, readMultipart, type MultipartLimits } from './multipart.ts';

const LIMITS: MultipartLimits = { maxParts: 8, maxHeaderBytes: 256, maxFieldBytes: 64, maxFieldsBytes: 128, maxFileBytes: 1024 };
const B = 'xYzBoundary';

function form(parts: readonly string[], boundary = B): Buffer {
  return Buffer.from(`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`, 'latin1');
}

const field = (name: string, value: string): string => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;
const file = (name: string, filename: string, bytes: string): string => `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${bytes}`;

/** The body in chunks of `size` bytes (1: every byte its own chunk, the delimiter split everywhere). */
function* chunks(body: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

async function read(body: Buffer, size = 7, limits = LIMITS): Promise<{ fields: Record<string, readonly string[]>; files: Record<string, Buffer> }> {
  const files: Record<string, Buffer[]> = {};
  const parsed = await readMultipart(chunks(body, size), B, limits, (part) => {
    const got: Buffer[] = (files[part.filename] = []);
    return { write: async (c) => void got.push(Buffer.from(c)) };
  });
  return { fields: Object.fromEntries(parsed.fields), files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.concat(v)])) };
}

const code = (c: string, pattern: RegExp) => (err: unknown) => isAirlockError(err) && err.code === c && pattern.test(err.message);

test('multipart: fields (repeated ones in order) and a file whose bytes hold CRLFs and boundary look-alikes, whatever the chunking', async () => {
  const bytes = `\r\n--${B.slice(0, 5)}\r\n--xY\u00ff\u0000end`;
  const body = form([field(':action', 'file_upload'), field('classifiers', 'A'), field('classifiers', 'B'), file('content', 'a-1.0.tar.gz', bytes), field('name', 'caf\u00c3\u00a9')]);
  for (const size of [1, 2, 7, 64, body.length]) {
    const r = await read(body, size);
    assert.deepEqual(r.fields, { ':action': ['file_upload'], classifiers: ['A', 'B'], name: ['café'] }, `chunks of ${size}`);
    assert.deepEqual(r.files['a-1.0.tar.gz'], Buffer.from(bytes, 'latin1'), `chunks of ${size}`);
  }
});

test('multipart: a preamble and an epilogue are skipped; an empty field is a field', async () => {
  const body = Buffer.concat([Buffer.from('ignored preamble\r\n'), form([field('comment', '')])]);
  assert.deepEqual((await read(body)).fields, { comment: [''] });
});

test('multipart: limits are refused as LIMIT_EXCEEDED, before more is read', async () => {
  await assert.rejects(read(form([field('description', 'x'.repeat(65))])), code('LIMIT_EXCEEDED', /the field "description" is larger than 64 bytes/));
  await assert.rejects(read(form([field('a', 'x'.repeat(60)), field('b', 'x'.repeat(60)), field('c', 'x'.repeat(60))])), code('LIMIT_EXCEEDED', /fields are larger than 128 bytes together/));
  await assert.rejects(read(form([file('content', 'a.whl', 'x'.repeat(1025))])), code('LIMIT_EXCEEDED', /the file is larger than 1024 bytes/));
  await assert.rejects(read(form(Array.from({ length: 9 }, (_, i) => field(`f${i}`, 'v')))), code('LIMIT_EXCEEDED', /more than 8 parts/));
  await assert.rejects(read(form([`X-Padding: ${'p'.repeat(300)}\r\n${field('a', 'v')}`])), code('LIMIT_EXCEEDED', /headers are larger than 256 bytes/));
  // An endless header block is refused once past the limit, not buffered.
  await assert.rejects(read(Buffer.from(`--${B}\r\nX: ${'p'.repeat(10_000)}`)), code('LIMIT_EXCEEDED', /headers are larger/));
});

test('multipart: malformed bodies are refused as BAD_REQUEST', async () => {
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.from(`--${B}\r\n${field('a', 'v')}`), /ends before the closing boundary/],
    [Buffer.from('no boundary at all '.repeat(30)), /no boundary where the form should begin/],
    [Buffer.from(`--${B}X\r\n`), /boundary line does not end in CRLF/],
    [form(['Content-Type: text/plain\r\n\r\nv']), /has no Content-Disposition/],
    [form(['Content-Disposition: attachment; name="a"\r\n\r\nv']), /not form-data/],
    [form(['Content-Disposition: form-data; filename="a"\r\n\r\nv']), /a part has no name/],
    [form(['Content-Disposition: form-data; name="a"; name="b"\r\n\r\nv']), /gives name twice/],
    [form(['Content-Disposition: form-data; name="a"; filename*=UTF-8\'\'x.whl\r\n\r\nv']), /uses filename\*/],
    [form(['Content-Disposition: form-data; name="a\\"b"\r\n\r\nv']), /quoted string in a part header is not closed/],
    [form(['Content-Disposition: form-data; name="a\\b"\r\n\r\nv']), /not a plain quoted string/],
    [form(['no colon here\r\n\r\nv']), /malformed header line/],
    [form([field('a', '\u00ff')]), /is not UTF-8 text/],
    [Buffer.concat([form([field('a', 'v')]), Buffer.alloc(300, 0x41)]), /more than the epilogue/],
  ];
  for (const [body, pattern] of cases) await assert.rejects(read(body), code('BAD_REQUEST', pattern), pattern.source);
});

test('multipart: a sink that refuses a file part ends the read with its error', async () => {
  const body = form([file('gpg_signature', 'a.asc', 'sig')]);
  await assert.rejects(
    readMultipart(chunks(body, 16), B, LIMITS, () => {
      throw new Error('no signatures');
    }),
    /no signatures/,
  );
});

test('multipart: the boundary comes from the content type, checked', () => {
  assert.equal(boundaryOf('multipart/form-data; boundary=abc123'), 'abc123');
  assert.equal(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
  for (const [ct, pattern] of [
    [undefined, /no Content-Type/],
    ['application/json', /must be multipart\/form-data/],
    ['multipart/form-data', /no valid boundary/],
    ['multipart/form-data; boundary=', /no valid boundary/],
    [`multipart/form-data; boundary=${'a'.repeat(71)}`, /no valid boundary/],
    ['multipart/form-data; boundary=a; boundary=b', /boundary twice/],
  ] as const) {
    assert.throws(() => boundaryOf(ct), code('BAD_REQUEST', pattern), String(ct));
  }
});
