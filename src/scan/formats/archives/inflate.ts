/**
 * Bounded decompression with Node's zlib (raw deflate, zlib, gzip): input is streamed from the
 * source in chunks, output is collected only up to the member limit. A bomb ends with a limit
 * finding, corrupt data with a format error; nothing is ever partially trusted.
 */
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError } from '../../engine/errors.ts';

export type ZlibKind = 'raw' | 'zlib' | 'gzip';

const CHUNK = 1 << 20;

export interface InflateOptions {
  readonly cap: number;
  readonly signal: AbortSignal;
  /** Rule prefix of format errors, e.g. `zip.member` or `gzip`. */
  readonly rule: string;
}

export async function inflateToMemory(
  source: ByteSource,
  offset: number,
  length: number,
  kind: ZlibKind,
  opts: InflateOptions,
): Promise<Uint8Array> {
  const z = kind === 'raw' ? createInflateRaw() : kind === 'zlib' ? createInflate() : createGunzip();
  const chunks: Buffer[] = [];
  let total = 0;
  const end = Math.min(source.size, offset + length);
  async function* input(): AsyncGenerator<Uint8Array> {
    for (let p = offset; p < end; p += CHUNK) yield await source.read(p, Math.min(CHUNK, end - p));
  }
  async function sink(stream: AsyncIterable<Buffer>): Promise<void> {
    for await (const c of stream) {
      total += c.length;
      if (total > opts.cap) {
        throw new ScanLimitError('maxMemberBytes', `decompressed data exceeds ${opts.cap} bytes`, 'local');
      }
      chunks.push(c);
    }
  }
  try {
    await pipeline(input, z, sink, { signal: opts.signal });
  } catch (err) {
    if (err instanceof ScanLimitError || err instanceof ScanAbortedError) throw err;
    if (opts.signal.aborted) throw new ScanAbortedError('timeout');
    if (isZlibError(err)) throw new ScanFormatError(`${opts.rule}.corrupt`, `${kind} data is corrupt: ${err.message}`, offset);
    throw err;
  }
  return Buffer.concat(chunks, total);
}

function isZlibError(err: unknown): err is Error {
  const code = (err as { code?: unknown }).code;
  return err instanceof Error && typeof code === 'string' && /^(Z_|ERR_ZLIB|ERR_BUFFER)/.test(code);
}
