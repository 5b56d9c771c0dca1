/**
 * Fuzz target of upstream body decoding (`src/upstream/decode.ts`) as the upstream client uses
 * it: a local server answers every request with the input's body under the input's
 * Content-Encoding, and the body is read the three ways the client reads one — a document
 * (`fetchDocument`), a stream (`openStream`, read to its end as the stores read it) and a
 * forwarded POST's answer (`forward`). A corrupt or truncated gzip, deflate or brotli body, one
 * that decodes past the cap (a bomb), an unknown or repeated coding: each must fail with an
 * AirlockError UPSTREAM_BAD_RESPONSE (a 502 to the client), never a zlib error (a 500), and what
 * the client hands over must be the whole decoded body — never the part decoded before the
 * failure (a store would keep it) — as zlib decoding it in one piece says.
 *
 * Input: byte 0 picks the Content-Encoding, byte 1 the decoded-byte cap, the rest is the body.
 * Not checked here: time-outs and resets of the connection (the transport's tests), and that a
 * store aborts its upload on a failed stream (each service's tests).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { AirlockError, isAirlockError } from '../../../src/core/errors.ts';
import { UpstreamClient } from '../../../src/upstream/client.ts';
import { ownError, type FuzzTarget } from '../../support/fuzz/target.ts';

const ENCODINGS = ['gzip', 'deflate', 'br', 'x-gzip', 'gzip, br', 'br, gzip', 'identity', 'identity, gzip', ' GZIP ', 'zstd', 'gzip, gzip, gzip, gzip, gzip, gzip', 'compress', 'deflate, deflate', 'gzip,', ''] as const;
const CAPS = [1 << 20, 4096, 100, 1, 64 * 1024] as const;

type Decoded = Buffer | 'broken' | 'too-large' | 'refused';
const SYNC: Readonly<Record<string, (b: Buffer, o: ZlibOptions) => Buffer>> = { gzip: gunzipSync, 'x-gzip': gunzipSync, deflate: inflateSync, br: brotliDecompressSync };

/** What the body decodes to, undone in one piece with zlib, each layer capped as the client caps it. */
function expected(encoding: string, body: Buffer, cap: number): Decoded {
  const names = encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity').reverse();
  if (names.length > 5 || names.some((n) => SYNC[n] === undefined)) return 'refused';
  let data = body;
  for (const n of names) {
    try {
      data = (SYNC[n] as (b: Buffer, o: ZlibOptions) => Buffer)(data, { maxOutputLength: cap + 1 });
    } catch (err) {
      return (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'broken';
    }
    if (data.length > cap) return 'too-large';
  }
  return data.length > cap ? 'too-large' : data;
}

let server: Server | null = null;
let client: UpstreamClient | null = null;
let current: { encoding: string; body: Buffer } = { encoding: '', body: Buffer.alloc(0) };

async function upstream(): Promise<UpstreamClient> {
  if (client !== null) return client;
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': current.encoding }).end(current.body));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  server = s;
  client = new UpstreamClient({ name: 'fuzz', url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, retries: 0, breakerFailureThreshold: 1_000_000 });
  return client;
}

/** Reads the body one way; the bytes, or the error it failed with. */
async function outcome(read: () => Promise<Buffer>): Promise<Buffer | unknown> {
  try {
    return await read();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

async function readAll(c: UpstreamClient, cap: number): Promise<Buffer> {
  const res = await c.openStream('blob', { maxBytes: cap });
  const chunks: Buffer[] = [];
  for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function judge(how: string, got: unknown, want: Decoded): string | undefined {
  if (Buffer.isBuffer(got)) {
    if (!Buffer.isBuffer(want)) return `${how} returned ${got.length} bytes of a body zlib says is ${want}`;
    return got.equals(want) ? undefined : `${how} returned ${got.length} bytes, not the ${want.length} the body decodes to`;
  }
  const err = got as Error;
  if (!isAirlockError(err, 'UPSTREAM_BAD_RESPONSE')) return `${how} failed with ${err.constructor.name} ${String((err as { code?: unknown }).code)}: ${err.message}`;
  if (Buffer.isBuffer(want)) return `${how} refused a body that decodes to ${want.length} bytes: ${err.message}`;
  return undefined;
}

const body = (encoding: number, cap: number, bytes: Buffer): Uint8Array => new Uint8Array(Buffer.concat([Buffer.from([encoding, cap]), bytes]));
const DOC = Buffer.from(JSON.stringify({ name: 'left-pad', versions: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`1.0.${i}`, { dist: { shasum: 'a'.repeat(40) } }])) }));

const decode: FuzzTarget = {
  seeds: () => [body(0, 0, gzipSync(DOC)), body(1, 0, deflateSync(DOC)), body(2, 0, brotliCompressSync(DOC)), body(4, 0, gzipSync(brotliCompressSync(DOC))), body(6, 1, DOC), body(0, 4, Buffer.concat([gzipSync(DOC), gzipSync(Buffer.from('x'))]))],
  extra: () => [
    body(0, 0, gzipSync(Buffer.alloc(20 << 20))),
    body(2, 0, brotliCompressSync(Buffer.alloc(20 << 20))),
    body(1, 0, deflateSync(Buffer.alloc(20 << 20))),
    body(0, 0, gzipSync(DOC).subarray(0, 30)),
    body(2, 0, brotliCompressSync(DOC).subarray(0, 20)),
    body(1, 0, deflateSync(DOC).subarray(0, 20)),
    body(0, 0, Buffer.concat([gzipSync(DOC), Buffer.from('trailing')])),
    body(9, 0, DOC),
    body(10, 0, DOC),
    body(0, 0, Buffer.alloc(0)),
  ],
  run: async (input) => {
    const encoding = ENCODINGS[(input[0] ?? 0) % ENCODINGS.length] as string;
    const cap = CAPS[(input[1] ?? 0) % CAPS.length] as number;
    current = { encoding, body: Buffer.from(input.subarray(2)) };
    const want = expected(encoding, current.body, cap);
    const c = await upstream();
    const doc = await outcome(async () => {
      const r = await c.fetchDocument('doc', { maxBytes: cap });
      return r.kind === 'fresh' ? r.body : Buffer.alloc(0);
    });
    const stream = await outcome(() => readAll(c, cap));
    const forwarded = await outcome(async () => (await c.forward('post', 'POST', Buffer.from('{}'), { maxBytes: cap })).body);
    return judge('fetchDocument', doc, want) ?? judge('openStream', stream, want) ?? judge('forward', forwarded, want);
  },
  accepts: ownError(AirlockError),
  done: async () => {
    await client?.close();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server === null ? r() : server.close(() => r())));
  },
};

export const targets: Record<string, FuzzTarget> = { 'upstream-decode': decode };
