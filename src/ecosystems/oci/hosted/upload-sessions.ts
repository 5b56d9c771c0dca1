/**
 * Blob upload sessions of a hosted oci repository (distribution-spec: POST starts one, PATCH
 * appends a chunk, PUT `?digest=` closes it), kept in the metadata store so that every gateway
 * sharing the stores can take any request of an upload: no sticky sessions behind a load
 * balancer, and an upload outlives a gateway's restart.
 *
 * Each chunk received is committed to the blob store as a blob of its own (a part, hashed as it
 * streams in), then appended to the session's record by compare-and-swap, so two chunks racing
 * for the same offset can never both be taken. Closing the session makes the blob the parts make
 * up and checks it against the digest the client names: a partial or wrong blob never becomes one
 * of the repository's. The usual push (the whole blob in one PATCH, then an empty PUT) stores its
 * bytes once: the one part is the blob. A chunked push writes them twice (its parts, then the
 * blob), and the parts are left to the storage sweep (they are content-addressed, and the same
 * bytes may be another record's blob). Sessions are bounded in number per repository, in size
 * (`maxArtifactSize`), in parts (MAX_UPLOAD_PARTS) and in age: any gateway's timer ends the
 * abandoned ones.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AirlockError, isAirlockError } from '../../../core/index.ts';
import {
  MAX_UPLOAD_PARTS,
  writeStreamToUpload,
  type BlobInfo,
  type BlobReader,
  type BlobUpload,
  type BlobWriter,
  type UploadPart,
  type UploadSessionRecord,
  type UploadSessionStore,
} from '../../../storage/ports/index.ts';

export interface UploadLimits {
  /** Bytes one blob may have (`maxArtifactSize`). */
  readonly maxBlobBytes: number;
  /** Sessions open at once in the repository, on every gateway together. */
  readonly maxSessions: number;
  /** A session no request has written to for this long is ended. */
  readonly idleMs: number;
  /** A session is ended this long after it started, whatever it is doing. */
  readonly maxAgeMs: number;
}

export const DEFAULT_UPLOAD_LIMITS: Omit<UploadLimits, 'maxBlobBytes'> = { maxSessions: 1024, idleMs: 15 * 60_000, maxAgeMs: 6 * 3600_000 };

export interface UploadSession {
  readonly id: string;
  /** The image repository it uploads to. */
  readonly name: string;
  /** Bytes received so far. */
  readonly offset: number;
}

export interface UploadSessionsDeps {
  /** The hosted repository. */
  readonly repo: string;
  readonly store: UploadSessionStore;
  readonly blobs: BlobReader & BlobWriter;
  readonly now: () => number;
}

const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Stale sessions ended per sweep. */
const SWEEP_BATCH = 100;

function uploadUnknown(id: string): AirlockError {
  return new AirlockError('NOT_FOUND', `there is no upload ${id.slice(0, 40)} in progress (it finished, was cancelled or ran out of time); start the upload again`, { details: { ociCode: 'BLOB_UPLOAD_UNKNOWN' } });
}

function outOfRange(message: string, received: number): AirlockError {
  return new AirlockError('BAD_REQUEST', message, { details: { ociCode: 'BLOB_UPLOAD_INVALID', ociStatus: 416, received } });
}

function digestInvalid(bytes: number, digest: string, cause?: unknown): AirlockError {
  return new AirlockError('BAD_REQUEST', `the ${bytes} bytes uploaded do not hash to ${digest}; nothing was stored`, { cause, details: { ociCode: 'DIGEST_INVALID' } });
}

function sizeOf(parts: readonly UploadPart[]): number {
  return parts.reduce((n, p) => n + p.size, 0);
}

function view(s: UploadSessionRecord): UploadSession {
  return { id: s.id, name: s.name, offset: sizeOf(s.parts) };
}

export class UploadSessions {
  readonly #deps: UploadSessionsDeps;
  readonly #limits: UploadLimits;

  constructor(deps: UploadSessionsDeps, limits: UploadLimits) {
    this.#deps = deps;
    this.#limits = limits;
  }

  async start(name: string): Promise<UploadSession> {
    const { store, repo } = this.#deps;
    if ((await store.countUploadSessions(repo)) >= this.#limits.maxSessions && ((await this.sweep()) === 0 || (await store.countUploadSessions(repo)) >= this.#limits.maxSessions)) {
      throw new AirlockError('LIMIT_EXCEEDED', `${this.#limits.maxSessions} uploads are in progress in ${repo}, the most it takes at once; try again shortly`, { details: { ociCode: 'TOOMANYREQUESTS', ociStatus: 429 } });
    }
    const now = new Date(this.#deps.now());
    const session: UploadSessionRecord = { id: randomUUID(), repo, name, rev: 1, parts: [], startedAt: now, touchedAt: now };
    await store.createUploadSession(session);
    return view(session);
  }

  /** The session `id` of the image repository `name`. */
  async get(name: string, id: string): Promise<UploadSession> {
    return view(await this.#session(name, id));
  }

  /**
   * Appends a chunk. `start` is where the client says it begins (`Content-Range`), checked against
   * what was received (416 when they differ: the client reads the status and resumes); `length`,
   * when the client said it, must be what the body held. A failed write ends the session.
   */
  async append(name: string, id: string, body: Readable, range: { readonly start: number; readonly length: number | null } | null): Promise<UploadSession> {
    const s = await this.#session(name, id, body);
    const offset = sizeOf(s.parts);
    if (range !== null && range.start !== offset) {
      body.resume();
      throw outOfRange(`the chunk starts at byte ${range.start}, but ${offset} bytes have been received; resume from there`, offset);
    }
    if (s.parts.length >= MAX_UPLOAD_PARTS) {
      body.resume();
      await this.#end(s.id);
      throw new AirlockError('BAD_REQUEST', `an upload takes at most ${MAX_UPLOAD_PARTS} chunks; the upload is cancelled: send larger chunks`, { details: { ociCode: 'BLOB_UPLOAD_INVALID' } });
    }
    const part = await this.#storePart(s, body, offset);
    if (range?.length != null && (part?.size ?? 0) !== range.length) {
      await this.#end(s.id);
      throw new AirlockError('BAD_REQUEST', `the chunk's Content-Range says ${range.length} bytes, the body had ${part?.size ?? 0}; the upload is cancelled`, { details: { ociCode: 'BLOB_UPLOAD_INVALID' } });
    }
    if (part === null) return view(s);
    const next: UploadSessionRecord = { ...s, rev: s.rev + 1, parts: [...s.parts, part], touchedAt: new Date(this.#deps.now()) };
    if (!(await this.#deps.store.updateUploadSession(next))) {
      const current = await this.#session(name, id);
      const received = sizeOf(current.parts);
      throw outOfRange(`another chunk of this upload was received while this one was (${received} bytes have been received now); resume from there`, received);
    }
    return view(next);
  }

  /** Closes the session with its last chunk (if any): the blob made and checked against `digest`; the session ends either way. */
  async finish(name: string, id: string, digest: string, body: Readable | null): Promise<BlobInfo> {
    const s = await this.#session(name, id, body ?? undefined);
    try {
      return await this.#assemble(s, digest, body);
    } finally {
      await this.#end(s.id);
    }
  }

  async cancel(name: string, id: string): Promise<void> {
    await this.#end((await this.#session(name, id)).id);
  }

  /** Ends this repository's sessions past their idle time or age (any gateway's: the records are shared); how many. */
  async sweep(): Promise<number> {
    const now = this.#deps.now();
    const stale = await this.#deps.store.staleUploadSessions(this.#deps.repo, new Date(now - this.#limits.idleMs), new Date(now - this.#limits.maxAgeMs), SWEEP_BATCH);
    for (const s of stale) await this.#end(s.id);
    return stale.length;
  }

  /** The session, if it is this repository's and image's and still live; `body` is drained when it is not. */
  async #session(name: string, id: string, body?: Readable): Promise<UploadSessionRecord> {
    const s = ID_RE.test(id) ? await this.#deps.store.getUploadSession(id) : null;
    const now = this.#deps.now();
    const live = s !== null && now - s.startedAt.getTime() <= this.#limits.maxAgeMs && now - s.touchedAt.getTime() <= this.#limits.idleMs;
    if (s === null || s.repo !== this.#deps.repo || s.name !== name || !live) {
      body?.resume();
      if (s !== null && !live) await this.#end(s.id);
      throw uploadUnknown(id);
    }
    return s;
  }

  /** A chunk committed as a part (null when the body was empty); any failure ends the session. */
  async #storePart(s: UploadSessionRecord, body: Readable, offset: number): Promise<UploadPart | null> {
    const upload = await this.#deps.blobs.begin({ maxBytes: this.#limits.maxBlobBytes - offset, digests: 'address' });
    try {
      await this.#write(s, body, upload);
      if (upload.bytesWritten === 0) return null;
      const committed = await upload.commit();
      return { blob: committed.digest, size: committed.size };
    } finally {
      await upload.abort();
    }
  }

  /** The blob of the parts and the last chunk, committed only if it is `digest`. */
  async #assemble(s: UploadSessionRecord, digest: string, body: Readable | null): Promise<BlobInfo> {
    const { blobs } = this.#deps;
    const only = s.parts.length === 1 ? s.parts[0] : undefined;
    if (body === null && only !== undefined) {
      // The whole blob came in one chunk: that part is the blob, its digest known already (a
      // mismatch is told without reading its bytes again).
      if (only.blob !== digest) throw digestInvalid(only.size, digest);
      const info = await blobs.stat(only.blob);
      if (info === null) throw this.#partsGone(s);
      return info;
    }
    const upload = await blobs.begin({ maxBytes: this.#limits.maxBlobBytes, digests: 'address' });
    try {
      for (const part of s.parts) {
        const bytes = await blobs.open(part.blob);
        if (bytes === null) throw this.#partsGone(s);
        await writeStreamToUpload(bytes, upload);
      }
      if (body !== null) await this.#write(s, body, upload);
      return await upload.commit({ sha256: digest.slice('sha256:'.length) });
    } catch (err) {
      if (isAirlockError(err, 'DIGEST_MISMATCH')) {
        throw digestInvalid(upload.bytesWritten, digest, err);
      }
      throw err;
    } finally {
      await upload.abort();
    }
  }

  #partsGone(s: UploadSessionRecord): AirlockError {
    return new AirlockError('NOT_FOUND', `the chunks received for upload ${s.id} are no longer stored; start the upload again`, { details: { ociCode: 'BLOB_UPLOAD_UNKNOWN' } });
  }

  /** Streams a body into an upload; any failure (the client gone, the size limit) ends the session. */
  async #write(s: UploadSessionRecord, body: Readable, upload: BlobUpload): Promise<void> {
    try {
      await writeStreamToUpload(body, upload);
    } catch (err) {
      await this.#end(s.id);
      if (isAirlockError(err, 'LIMIT_EXCEEDED')) {
        throw new AirlockError('LIMIT_EXCEEDED', `the blob is larger than this repository takes (${this.#limits.maxBlobBytes} bytes, maxArtifactSize); the upload is cancelled`, { cause: err, details: { ociCode: 'SIZE_INVALID' } });
      }
      throw err;
    }
  }

  async #end(id: string): Promise<void> {
    await this.#deps.store.deleteUploadSession(id);
  }
}
