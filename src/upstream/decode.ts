import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { brotliDecompress, createBrotliDecompress, createGunzip, createInflate, gunzip, inflate, type ZlibOptions, type BrotliOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { AirlockError, oneShotChunkSize, releaseBytes } from '../core/index.ts';

/** A pass-through that fails with the given error once more than `maxBytes` went through. */
export class ByteCap extends Transform {
  readonly #max: number;
  readonly #onExceed: () => Error;
  #seen = 0;

  constructor(maxBytes: number, onExceed: () => Error) {
    super();
    this.#max = maxBytes;
    this.#onExceed = onExceed;
  }

  get bytes(): number {
    return this.#seen;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#max) {
      done(this.#onExceed());
      return;
    }
    done(null, chunk);
  }
}

/**
 * Output chunk size for decoders. Node's default (16 KiB) costs a thread-pool round trip per
 * chunk; 64 KiB cuts the CPU spent on a large body by more than half.
 */
export const DECODE_CHUNK_BYTES = 64 * 1024;

/** A content coding: undone as a stream (big bodies) or in one thread-pool job (documents). */
interface Coding {
  readonly stream: (options: ZlibOptions) => Transform;
  readonly once: (data: Buffer, options: ZlibOptions) => Promise<Buffer>;
}

const GZIP: Coding = { stream: createGunzip, once: promisify<Buffer, ZlibOptions, Buffer>(gunzip) };
const CODINGS: ReadonlyMap<string, Coding> = new Map<string, Coding>([
  ['gzip', GZIP],
  ['x-gzip', GZIP],
  ['deflate', { stream: createInflate, once: promisify<Buffer, ZlibOptions, Buffer>(inflate) }],
  ['br', { stream: createBrotliDecompress, once: promisify<Buffer, BrotliOptions, Buffer>(brotliDecompress) }],
]);

/** The coding names of a Content-Encoding header, in the order to undo them. */
function codingNames(contentEncoding: string | undefined): string[] {
  return (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
}

/** Whether a body with this Content-Encoding must be decoded (its length then differs). */
export function hasContentCoding(contentEncoding: string | undefined): boolean {
  return codingNames(contentEncoding).length > 0;
}

/**
 * Most content codings a body may be wrapped in. Servers apply one; each layer undone costs a
 * decoder (its window and a 64 KiB output chunk) and a pass over the body, so a header listing
 * thousands (`gzip,gzip,…` fits 3,000 in Node's 16 KiB of headers) would cost hundreds of MB and
 * seconds of CPU for one small body. curl stops at 5 for the same reason (CVE-2022-32206).
 */
export const MAX_CONTENT_CODINGS = 5;

/** The codings of a Content-Encoding header, in the order to undo them; throws on an unknown one or too many. */
function codingsOf(contentEncoding: string | undefined): Coding[] {
  const names = codingNames(contentEncoding);
  if (names.length > MAX_CONTENT_CODINGS) {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', `a body in ${names.length} content codings; at most ${MAX_CONTENT_CODINGS} are undone`);
  }
  return names.map((name) => {
    const coding = CODINGS.get(name);
    if (coding === undefined) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `unsupported content-encoding ${JSON.stringify(name.slice(0, 40))}`);
    return coding;
  });
}

/** One coding undone in one thread-pool job, its output capped (`ERR_BUFFER_TOO_LARGE` past the cap). */
function decodeOnce(coding: Coding, data: Buffer, maxBytes: number): Promise<Buffer> {
  const maxOutputLength = Math.max(1, maxBytes);
  return coding.once(data, { maxOutputLength, chunkSize: oneShotChunkSize(data, maxOutputLength) });
}

/** Bytes a coded body may take before decoding: codings barely grow incompressible data. */
function codedCap(maxBytes: number): number {
  return maxBytes + 64 * 1024 + Math.ceil(maxBytes / 100);
}

/**
 * What a body's failures become: past the cap (`tooLarge`), and a body that fails while read or
 * does not decode (`broken`: a corrupt or truncated coding, a reset connection), given the raw
 * error. Errors already typed (AirlockError) pass as they are.
 */
export interface BodyFailures {
  readonly tooLarge: () => Error;
  readonly broken: (err: unknown) => Error;
}

function typed(err: unknown, failures: BodyFailures): Error {
  return err instanceof AirlockError ? err : failures.broken(err);
}

/**
 * A whole body read into memory and decoded: the coded bytes first (capped), then each coding
 * undone in one piece, the decoded size capped at `maxBytes` (a compression bomb fails at the
 * cap). For documents: one decompression job per body instead of a thread-pool round trip and
 * a chunk per 64 KiB, and no copy of the decoded chunks into one buffer at the end.
 */
export async function readDecoded(body: Readable, contentEncoding: string | undefined, maxBytes: number, failures: BodyFailures): Promise<Buffer> {
  let codings: Coding[];
  try {
    codings = codingsOf(contentEncoding);
  } catch (err) {
    body.destroy();
    throw err;
  }
  let data: Buffer;
  try {
    data = await readCapped(body, codings.length === 0 ? maxBytes : codedCap(maxBytes), failures.tooLarge);
  } catch (err) {
    throw typed(err, failures);
  }
  for (const coding of codings) {
    const coded = data;
    try {
      data = await decodeOnce(coding, coded, maxBytes);
      // The coded bytes are this function's own (the body's chunks, or one buffer of them, or
      // the previous stage's output): free them now rather than at V8's next full collection.
      if (data !== coded) releaseBytes(coded);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw failures.tooLarge();
      throw typed(err, failures);
    }
  }
  return data;
}

/**
 * The decoded, byte-capped body: content codings are undone in reverse order of application,
 * and the cap applies to the decoded bytes (a compression bomb fails at the cap). An error of
 * the body or a decoder destroys the returned stream with what `failures` makes of it: the
 * consumer (a store writing the body) sees the upstream's fault, typed, never a zlib error.
 */
export function decodeBody(body: Readable, contentEncoding: string | undefined, maxBytes: number, failures: BodyFailures): Readable {
  let decoders: Transform[];
  try {
    decoders = codingsOf(contentEncoding).map((c) => c.stream({ chunkSize: DECODE_CHUNK_BYTES }));
  } catch (err) {
    body.destroy();
    throw err;
  }
  const cap = new ByteCap(maxBytes, failures.tooLarge);
  // Plain bodies (tarballs) are piped, without the per-call abort machinery of pipeline(); coded
  // ones go through pipeline() to their last decoder, which destroys every stage on a failure.
  const source: Readable = decoders.length === 0 ? body : (decoders.at(-1) as Transform);
  if (decoders.length > 0) {
    pipeline([body, ...decoders], () => {
      // A stage's error destroys the last decoder with it, which reaches the consumer below.
    });
  }
  source.on('error', (err) => cap.destroy(typed(err, failures)));
  cap.on('close', () => source.destroy());
  source.pipe(cap);
  return cap;
}

/** Read a whole stream into one buffer, failing once it exceeds `maxBytes`. */
export async function readCapped(stream: Readable, maxBytes: number, onExceed: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw onExceed();
      chunks.push(chunk);
    }
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}
