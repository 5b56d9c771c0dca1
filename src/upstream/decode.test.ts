import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { gzipOutputChunk, isAirlockError, AirlockError, oneShotChunkSize } from '../core/index.ts';
import { decodeBody, hasContentCoding, MAX_CONTENT_CODINGS, readDecoded, type BodyFailures } from './decode.ts';

const failures: BodyFailures = {
  tooLarge: () => new AirlockError('LIMIT_EXCEEDED', 'too large'),
  broken: (err) => new AirlockError('UPSTREAM_BAD_RESPONSE', `broken: ${(err as { code?: string }).code}`, { cause: err }),
};

test('a gzip body is inflated in one chunk sized from its trailer, with no copy', async () => {
  const doc = Buffer.from(JSON.stringify({ versions: Array.from({ length: 5000 }, (_, i) => ({ v: `1.0.${i}`, readme: 'x'.repeat(40) })) }));
  const gz = gzipSync(doc);
  assert.equal(gzipOutputChunk(gz, 10_000_000, 1024), doc.length + 64);
  const out = await readDecoded(Readable.from([gz]), 'gzip', 10_000_000, failures);
  assert.deepEqual(out, doc);
  assert.equal(out.buffer.byteLength, doc.length + 64, 'the result is the one output chunk');
});

test('the trailer is only a hint: multi-member bodies, implausible or over-cap claims and non-gzip input', async () => {
  const a = Buffer.from('a'.repeat(100_000));
  const b = Buffer.from('b'.repeat(10));
  // Two members: the trailer describes only the last (10 bytes); the body still decodes whole.
  assert.deepEqual(await readDecoded(Readable.from([Buffer.concat([gzipSync(a), gzipSync(b)])]), 'gzip', 1_000_000, failures), Buffer.concat([a, b]));
  const gz = gzipSync(a);
  assert.equal(gzipOutputChunk(gz, 50_000, 4096), 4096, 'a claim over the output cap is not used');
  await assert.rejects(readDecoded(Readable.from([gz]), 'gzip', 50_000, failures), (e) => isAirlockError(e, 'LIMIT_EXCEEDED'));
  const lying = Buffer.from(gzipSync(Buffer.from('tiny')));
  lying.writeUInt32LE(0xfffffff0, lying.length - 4);
  assert.equal(gzipOutputChunk(lying, 2 ** 40, 4096), 4096, 'a ratio no deflate stream reaches is not believed');
  await assert.rejects(readDecoded(Readable.from([lying]), 'gzip', 1_000_000, failures), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && /incorrect length check/.test(String((e.cause as Error).message)));
  assert.equal(gzipOutputChunk(Buffer.from('not gzip at all, really'), 1e9, 777), 777);
  // Without a believable trailer (deflate, brotli, a lying gzip) the chunk follows the input.
  assert.equal(oneShotChunkSize(gz, 1e9), a.length + 64);
  assert.equal(oneShotChunkSize(Buffer.alloc(10), 1e9), 64 * 1024);
  assert.equal(oneShotChunkSize(Buffer.alloc(100_000), 1e9), 400_000);
  assert.equal(oneShotChunkSize(Buffer.alloc(10_000_000), 1e9), 1024 * 1024);
});

test('a body needs decoding when its Content-Encoding lists a coding other than identity', () => {
  for (const none of [undefined, '', ' ', 'identity', ' Identity ', 'identity, identity']) assert.equal(hasContentCoding(none), false, String(none));
  for (const coded of ['gzip', 'identity, gzip', 'br', 'x-gzip', 'deflate, identity']) assert.equal(hasContentCoding(coded), true, coded);
});

test('a body in more content codings than MAX_CONTENT_CODINGS is refused before any decoder is made', async () => {
  let body = Buffer.from('x');
  for (let i = 0; i < MAX_CONTENT_CODINGS; i++) body = gzipSync(body);
  const header = (n: number): string => Array.from({ length: n }, () => 'gzip').join(', ');
  assert.deepEqual(await readDecoded(Readable.from([body]), header(MAX_CONTENT_CODINGS), 1000, failures), Buffer.from('x'));
  const deeper = gzipSync(body);
  const source = Readable.from([deeper]);
  await assert.rejects(readDecoded(source, header(MAX_CONTENT_CODINGS + 1), 1000, failures), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && /6 content codings; at most 5/.test(e.message));
  assert.equal(source.destroyed, true, 'the body is dropped');
  // A header of thousands (one costs hundreds of MB of decoders) is refused as one of six.
  const streamed = Readable.from([deeper]);
  assert.throws(() => decodeBody(streamed, header(3000), 1000, failures), (e) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && /3000 content codings/.test(e.message));
  assert.equal(streamed.destroyed, true);
});

/** Everything a stream yields, or the error it ends with. */
async function drain(stream: Readable): Promise<{ bytes: number; error: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
    return { bytes, error: null };
  } catch (error) {
    return { bytes, error };
  }
}

test('a corrupt or truncated coded body fails with the caller\'s typed error, streamed or read whole, never a zlib error', async () => {
  const doc = Buffer.from(JSON.stringify({ name: 'left-pad', readme: 'x'.repeat(200_000) }));
  const cases: readonly (readonly [string, Buffer, string])[] = [
    ['gzip', gzipSync(doc).subarray(0, 60), 'Z_BUF_ERROR'],
    ['gzip', Buffer.from('not gzip at all'), 'Z_DATA_ERROR'],
    ['deflate', deflateSync(doc).subarray(0, 40), 'Z_BUF_ERROR'],
    ['br', brotliCompressSync(doc).subarray(0, 30), 'Z_BUF_ERROR'],
    ['br', Buffer.from('garbage!garbage'), 'ERR__ERROR_FORMAT_PADDING_1'],
    ['gzip, br', brotliCompressSync(gzipSync(doc).subarray(0, 60)), 'Z_BUF_ERROR'],
  ];
  for (const [coding, body, code] of cases) {
    const broken = (e: unknown): boolean => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && e.message === `broken: ${code}`;
    await assert.rejects(readDecoded(Readable.from([body]), coding, 1 << 20, failures), broken, `${coding} read whole`);
    const streamed = await drain(decodeBody(Readable.from([body]), coding, 1 << 20, failures));
    assert.ok(broken(streamed.error), `${coding} streamed: ${String(streamed.error)}`);
  }
  // A body whose connection fails mid-way is the caller's typed error too, plain or coded.
  for (const coding of [undefined, 'gzip']) {
    const reset = new Readable({ read() {} });
    const out = decodeBody(reset, coding, 1 << 20, failures);
    reset.push(coding === undefined ? doc.subarray(0, 100) : gzipSync(doc).subarray(0, 100));
    setImmediate(() => reset.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    const { error } = await drain(out);
    assert.ok(isAirlockError(error, 'UPSTREAM_BAD_RESPONSE') && error.message === 'broken: ECONNRESET', `${String(coding)}: ${String(error)}`);
    assert.equal(reset.destroyed, true);
  }
});

test('a bomb streamed through decodeBody fails at the cap with the caller\'s error and stops the decoders', async () => {
  const body = Readable.from([gzipSync(Buffer.alloc(50 << 20))]);
  const { bytes, error } = await drain(decodeBody(body, 'gzip', 1 << 20, failures));
  assert.ok(isAirlockError(error, 'LIMIT_EXCEEDED'), String(error));
  assert.ok(bytes <= 1 << 20, `${bytes} bytes handed over`);
  assert.equal(body.destroyed, true);
});
