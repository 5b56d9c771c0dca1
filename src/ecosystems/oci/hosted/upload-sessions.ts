/**
 * Blob upload sessions of a hosted oci repository (distribution-spec: POST starts one, PATCH
 * appends a chunk, PUT `?digest=` closes it). Each is one writer session of the blob store: the
 * bytes stream into its staging file, hashed as they go, and become a blob only when the digest
 * the client names at the end is the digest of what it sent — a partial or wrong blob is never
 * visible. Sessions live in this process (a client keeps to the gateway that gave it the
 * `Location`), bounded in number, in size (`maxArtifactSize`) and in age: an abandoned one is
 * aborted by the sweep, and every one when the server stops.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AirlockError, isAirlockError } from '../../../core/index.ts';
import { writeStreamToUpload, type BlobUpload, type BlobWriter, type CommittedBlob } from '../../../storage/ports/index.ts';

export interface UploadLimits {
  /** Bytes one blob may have (`maxArtifactSize`). */
  readonly maxBlobBytes: number;
  /** Sessions open at once in this process. */
  readonly maxSessions: number;
  /** A session no request has touched for this long is aborted. */
  readonly idleMs: number;
  /** A session is aborted this long after it started, whatever it is doing. */
  readonly maxAgeMs: number;
}

export const DEFAULT_UPLOAD_LIMITS: Omit<UploadLimits, 'maxBlobBytes'> = { maxSessions: 256, idleMs: 15 * 60_000, maxAgeMs: 6 * 3600_000 };

export interface UploadSession {
  readonly id: string;
  /** The image repository it uploads to. */
  readonly name: string;
  /** Bytes received so far. */
  readonly offset: number;
}

interface Session extends UploadSession {
  readonly upload: BlobUpload;
  readonly startedAt: number;
  touchedAt: number;
  /** A request is writing to it: another is refused rather than interleaved. */
  busy: boolean;
}

const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uploadUnknown(id: string): AirlockError {
  return new AirlockError('NOT_FOUND', `there is no upload ${id.slice(0, 40)} in progress here (it finished, was cancelled, ran out of time, or was started on another gateway); start the upload again`, { details: { ociCode: 'BLOB_UPLOAD_UNKNOWN' } });
}

export class UploadSessions {
  readonly #blobs: BlobWriter;
  readonly #limits: UploadLimits;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Session>();

  constructor(blobs: BlobWriter, limits: UploadLimits, now: () => number = Date.now) {
    this.#blobs = blobs;
    this.#limits = limits;
    this.#now = now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  async start(name: string): Promise<UploadSession> {
    await this.sweep();
    if (this.#sessions.size >= this.#limits.maxSessions) {
      throw new AirlockError('LIMIT_EXCEEDED', `${this.#limits.maxSessions} uploads are in progress on this gateway, the most it takes at once; try again shortly`, { details: { ociCode: 'TOOMANYREQUESTS', ociStatus: 429 } });
    }
    const upload = await this.#blobs.begin({ maxBytes: this.#limits.maxBlobBytes, digests: 'address' });
    const now = this.#now();
    const session: Session = { id: randomUUID(), name, upload, startedAt: now, touchedAt: now, busy: false, get offset() { return upload.bytesWritten; } };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The session `id` of the image repository `name`. */
  get(name: string, id: string): UploadSession {
    return this.#session(name, id);
  }

  /**
   * Appends a chunk. `start` is where the client says it begins (`Content-Range`), checked against
   * what was received (416 when they differ: the client reads the status and resumes); `length`,
   * when the client said it, must be what the body held. A failed write ends the session.
   */
  async append(name: string, id: string, body: Readable, range: { readonly start: number; readonly length: number | null } | null): Promise<UploadSession> {
    const s = this.#session(name, id);
    if (range !== null && range.start !== s.offset) {
      body.resume();
      throw new AirlockError('BAD_REQUEST', `the chunk starts at byte ${range.start}, but ${s.offset} bytes have been received; resume from there`, { details: { ociCode: 'BLOB_UPLOAD_INVALID', ociStatus: 416, received: s.offset } });
    }
    return this.#exclusive(s, async () => {
      const before = s.offset;
      await this.#write(s, body);
      if (range?.length != null && s.offset - before !== range.length) {
        await this.#end(s);
        throw new AirlockError('BAD_REQUEST', `the chunk's Content-Range says ${range.length} bytes, the body had ${s.offset - before}; the upload is cancelled`, { details: { ociCode: 'BLOB_UPLOAD_INVALID' } });
      }
      return s;
    });
  }

  /** Closes the session with its last chunk (if any): the blob committed if it is `digest`; the session ends either way. */
  async finish(name: string, id: string, digest: string, body: Readable | null): Promise<CommittedBlob> {
    const s = this.#session(name, id);
    return this.#exclusive(s, async () => {
      try {
        if (body !== null) await this.#write(s, body);
        return await s.upload.commit({ sha256: digest.slice('sha256:'.length) });
      } catch (err) {
        if (isAirlockError(err, 'DIGEST_MISMATCH')) {
          throw new AirlockError('BAD_REQUEST', `the ${s.offset} bytes uploaded do not hash to ${digest}; nothing was stored`, { cause: err, details: { ociCode: 'DIGEST_INVALID' } });
        }
        throw err;
      } finally {
        await this.#end(s);
      }
    });
  }

  async cancel(name: string, id: string): Promise<void> {
    await this.#end(this.#session(name, id));
  }

  /** Aborts the sessions past their idle time or age. */
  async sweep(): Promise<number> {
    const now = this.#now();
    const stale = [...this.#sessions.values()].filter((s) => !s.busy && (now - s.touchedAt > this.#limits.idleMs || now - s.startedAt > this.#limits.maxAgeMs));
    for (const s of stale) await this.#end(s);
    return stale.length;
  }

  async close(): Promise<void> {
    for (const s of [...this.#sessions.values()]) await this.#end(s);
  }

  #session(name: string, id: string): Session {
    const s = ID_RE.test(id) ? this.#sessions.get(id) : undefined;
    if (s === undefined || s.name !== name) throw uploadUnknown(id);
    const now = this.#now();
    if (now - s.startedAt > this.#limits.maxAgeMs) {
      void this.#end(s);
      throw uploadUnknown(id);
    }
    s.touchedAt = now;
    return s;
  }

  async #exclusive<T>(s: Session, fn: () => Promise<T>): Promise<T> {
    if (s.busy) throw new AirlockError('CONFLICT', `the upload ${s.id} is receiving another request; send its chunks one after the other`, { details: { ociCode: 'BLOB_UPLOAD_INVALID' } });
    s.busy = true;
    try {
      return await fn();
    } finally {
      s.busy = false;
      s.touchedAt = this.#now();
    }
  }

  /** Streams a body into the session; any failure (the client gone, the size limit) ends it. */
  async #write(s: Session, body: Readable): Promise<void> {
    try {
      await writeStreamToUpload(body, s.upload);
    } catch (err) {
      await this.#end(s);
      if (isAirlockError(err, 'LIMIT_EXCEEDED')) {
        throw new AirlockError('LIMIT_EXCEEDED', `the blob is larger than this repository takes (${this.#limits.maxBlobBytes} bytes, maxArtifactSize); the upload is cancelled`, { cause: err, details: { ociCode: 'SIZE_INVALID' } });
      }
      throw err;
    }
  }

  async #end(s: Session): Promise<void> {
    this.#sessions.delete(s.id);
    await s.upload.abort();
  }
}
