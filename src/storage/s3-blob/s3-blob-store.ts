import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { AirlockError, digestHex, isAirlockError, parseSha256Digest, sha256DigestFromHex } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';
import { checkedStream, matchesDigest, withCondition } from '../common/index.ts';
import { currentProcessIdentity } from '../fs-blob/process-identity.ts';
import { beginStagedUpload } from '../fs-blob/staged-upload.ts';
import { cleanStaging, stagingFolderName, type StagingCleanupReport } from '../fs-blob/staging.ts';
import { BlobCorruptError, type BlobInfo, type BlobListing, type BlobStore, type BlobUpload, type BlobUploadOptions, type ByteRange } from '../ports/index.ts';
import { resolveS3Settings, type ResolvedS3Options, type S3BlobStoreOptions } from './options.ts';
import { S3Client, type S3Call } from './s3-client.ts';
import { networkError } from './s3-errors.ts';
import { S3Publisher } from './s3-publisher.ts';
import { startupError } from './startup.ts';

/** Below the prefix: `sha256/<2 hex>/<64 hex>`, the filesystem layout's shape. */
const LAYOUT = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

/**
 * Content-addressed blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2 …), so that
 * several gateway nodes share them. Uploads stage in a local folder exactly as the filesystem
 * store's do (hashed while streaming, verified at commit) and go up only once verified. Open it
 * with `openS3BlobStore`, which checks that the bucket answers to the credentials.
 */
export class S3BlobStore implements BlobStore {
  readonly #o: ResolvedS3Options;
  readonly #client: S3Client;
  readonly #publisher: S3Publisher;
  readonly #stagingDir: string;
  /** What start-up removed from the local staging folder (for logs and tests). */
  readonly startupCleanup: StagingCleanupReport;

  private constructor(o: ResolvedS3Options, client: S3Client, stagingDir: string, cleanup: StagingCleanupReport) {
    this.#o = o;
    this.#client = client;
    this.#stagingDir = stagingDir;
    this.startupCleanup = cleanup;
    this.#publisher = new S3Publisher({ client, partSize: o.partSize, keyOf: (digest) => this.#keyOf(digest) });
  }

  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const o = resolveS3Settings(options);
    const client = new S3Client(o);
    try {
      // The bucket is there and the credentials may list it (a sweep needs that, as every node
      // needs to read and write): one key is enough to know.
      await client.listPage(`${o.prefix}sha256/`, null, 1);
    } catch (err) {
      client.close();
      throw startupError(o, err);
    }
    try {
      const self = currentProcessIdentity();
      const cleanup = await cleanStaging(options.stagingDir, { self, foreignStaleMs: o.foreignStagingStaleMs, now: Date.now() });
      const stagingDir = join(options.stagingDir, stagingFolderName(self));
      await mkdir(stagingDir);
      return new S3BlobStore(o, client, stagingDir, cleanup);
    } catch (err) {
      client.close();
      throw new AirlockError('STORAGE_ERROR', withCondition('cannot prepare the local staging folder for S3 uploads', err), { cause: err });
    }
  }

  begin(options: BlobUploadOptions): Promise<BlobUpload> {
    return beginStagedUpload(this.#stagingDir, options, { partSize: this.#o.partSize, publisher: this.#publisher });
  }

  async stat(digest: Sha256Digest): Promise<BlobInfo | null> {
    const found = await this.#client.head(this.#keyOf(digest));
    return found === null ? null : { digest, size: found.size };
  }

  async open(digest: Sha256Digest, range?: ByteRange): Promise<Readable | null> {
    const got = await this.#fetch(digest, range);
    if (got === null) return null;
    const body = this.#body(got.call, got.res, got.length);
    return range === undefined ? checkedStream(body, digest, () => this.#corrupt(digest)) : body;
  }

  async read(digest: Sha256Digest, options: { readonly maxBytes: number; readonly range?: ByteRange }): Promise<Buffer | null> {
    const got = await this.#fetch(digest, options.range);
    if (got === null) return null;
    const { res, length, call } = got;
    if (length > options.maxBytes) {
      res.destroy();
      throw new AirlockError('LIMIT_EXCEEDED', `blob read of ${length} bytes exceeds the limit of ${options.maxBytes}`, { details: { length, limit: options.maxBytes } });
    }
    // Not from the shared pool: callers may keep the buffer (caches). Never more than announced.
    const out = Buffer.allocUnsafeSlow(length);
    let filled = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        if (filled + chunk.length > length) throw this.#client.malformed(call, `more than the ${length} bytes it announced`);
        chunk.copy(out, filled);
        filled += chunk.length;
      }
    } catch (err) {
      res.destroy();
      throw isAirlockError(err) ? err : networkError(this.#client.subject(call), this.#o.endpoint, err, 1, true);
    }
    if (filled < length) throw this.#client.malformed(call, `${filled} of the ${length} bytes it announced`);
    if (options.range === undefined && !matchesDigest(out, digest)) throw await this.#corrupt(digest);
    return out;
  }

  async delete(digest: Sha256Digest): Promise<boolean> {
    const key = this.#keyOf(digest);
    // DELETE answers the same whether or not the object was there.
    if ((await this.#client.head(key)) === null) return false;
    await this.#client.deleteObject(key);
    return true;
  }

  async *list(): AsyncGenerator<BlobListing> {
    const prefix = `${this.#o.prefix}sha256/`;
    // Every token followed (by digest: a token may be long). A page naming one again leads back
    // to a page already listed, the same one or one of a cycle, and from there round forever.
    const followed = new Set<string>();
    let token: string | null = null;
    do {
      const page = await this.#client.listPage(prefix, token, this.#o.listPageSize);
      if (page.next !== null) {
        const seen = createHash('sha256').update(page.next).digest('base64');
        if (followed.has(seen)) throw this.#client.malformed({ operation: 'listing', key: null, about: `"${prefix}"` }, 'a continuation token it gave before');
        followed.add(seen);
      }
      for (const object of page.objects) {
        const m = object.key.startsWith(this.#o.prefix) ? LAYOUT.exec(object.key.slice(this.#o.prefix.length)) : null;
        // Anything else under the prefix is not the store's (or is not a committed blob).
        if (m === null || !(m[2] as string).startsWith(m[1] as string)) continue;
        yield { digest: sha256DigestFromHex(m[2] as string), size: object.size, committedAt: object.lastModified };
      }
      token = page.next;
    } while (token !== null);
  }

  /** Close the connections and remove this instance's staging folder. Uploads still open fail when they commit. */
  async close(): Promise<void> {
    this.#client.close();
    await rm(this.#stagingDir, { recursive: true, force: true });
  }

  /** The object key of a digest. Re-validates the digest (no key games). */
  #keyOf(digest: Sha256Digest): string {
    const hex = digestHex(parseSha256Digest(digest));
    return `${this.#o.prefix}sha256/${hex.slice(0, 2)}/${hex}`;
  }

  /**
   * The object (or a range of it) with the length its body carries (headers read, body not);
   * null when absent. A range that is no byte range, or that S3 cannot satisfy, is BAD_REQUEST.
   */
  async #fetch(digest: Sha256Digest, range: ByteRange | undefined): Promise<{ res: IncomingMessage; length: number; call: S3Call } | null> {
    const key = this.#keyOf(digest);
    if (range !== undefined) checkRange(range);
    const res = await this.#get(key, range);
    if (res === null) return null;
    const call: S3Call = { operation: 'GET', method: 'GET', key, retry: false };
    try {
      return { res, length: range === undefined ? this.#client.contentLength(call, res) : this.#span(call, res, range), call };
    } catch (err) {
      res.destroy();
      throw err;
    }
  }

  /** The object (or a range of it), null when absent; an unsatisfiable range is BAD_REQUEST. */
  async #get(key: string, range: ByteRange | undefined): Promise<IncomingMessage | null> {
    const res = await this.#client.get(key, range ?? null);
    const status = res.statusCode ?? 0;
    if (status === 404) {
      res.resume();
      return null;
    }
    if (status === 416) {
      res.resume();
      const size = /^bytes \*\/(\d+)$/.exec(res.headers['content-range'] ?? '')?.[1];
      throw unsatisfiable(range as ByteRange, size === undefined ? null : Number(size));
    }
    if (status !== (range === undefined ? 200 : 206)) {
      res.destroy();
      throw this.#client.malformed({ operation: 'GET', key }, `${status} to a ${range === undefined ? 'whole' : 'range'} GET`);
    }
    return res;
  }

  /** The length of a 206's span, checked against the range asked for (S3 clamps the end to the last byte). */
  #span(call: S3Call, res: IncomingMessage, range: ByteRange): number {
    const header = res.headers['content-range'] ?? '';
    const m = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/.exec(header);
    const start = Number(m?.[1]);
    const end = Number(m?.[2]);
    const size = m?.[3] === '*' ? null : Number(m?.[3]);
    if (m !== null && size !== null && range.start >= size) throw unsatisfiable(range, size);
    const clamped = size === null || end === Math.min(range.end, size - 1);
    if (m === null || start !== range.start || end < start || end > range.end || !clamped) {
      throw this.#client.malformed(call, `Content-Range "${header.slice(0, 60)}" to a request for bytes ${range.start}-${range.end}`);
    }
    const length = end - start + 1;
    if (this.#client.contentLength(call, res) !== length) throw this.#client.malformed(call, `a Content-Length that is not the length of Content-Range "${header.slice(0, 60)}"`);
    return length;
  }

  /**
   * The response body as a stream of exactly `length` bytes; a failure mid-body is a
   * STORAGE_ERROR naming the endpoint. Node's HTTP parser copies each body chunk into an
   * allocation of its own, which is what the port promises readers (the conformance suite checks it).
   */
  #body(call: S3Call, res: IncomingMessage, length: number): Readable {
    const failed = (err: unknown): Error => (isAirlockError(err) ? err : networkError(this.#client.subject(call), this.#o.endpoint, err, 1, true));
    const malformed = (what: string): Error => this.#client.malformed(call, what);
    let seen = 0;
    const out = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(seen > length ? malformed(`more than the ${length} bytes it announced`) : null, chunk);
      },
      flush(done) {
        done(seen === length ? null : malformed(`${seen} of the ${length} bytes it announced`));
      },
    });
    res.on('error', (err) => out.destroy(failed(err)));
    out.on('close', () => {
      if (!res.complete) res.destroy();
    });
    return res.pipe(out);
  }

  /** Removes an object whose bytes no longer hash to its digest; the error to raise. */
  async #corrupt(digest: Sha256Digest): Promise<BlobCorruptError> {
    await this.#client.deleteObject(this.#keyOf(digest));
    return new BlobCorruptError(digest);
  }
}

export function openS3BlobStore(options: S3BlobStoreOptions): Promise<S3BlobStore> {
  return S3BlobStore.open(options);
}

/** A range's shape (ByteRange): whole offsets, `end >= start >= 0`. Whether it fits the blob, S3 says. */
function checkRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new AirlockError('BAD_REQUEST', `range ${start}-${end} is not a byte range`, { details: { start, end } });
  }
}

function unsatisfiable(range: ByteRange, size: number | null): AirlockError {
  const of = size === null ? 'the blob' : `a blob of ${size} bytes`;
  return new AirlockError('BAD_REQUEST', `range ${range.start}-${range.end} is not satisfiable for ${of}`, {
    details: { start: range.start, end: range.end, ...(size === null ? {} : { size }) },
  });
}
