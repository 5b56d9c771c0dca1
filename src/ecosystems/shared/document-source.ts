/**
 * Upstream documents (packuments, signing keys, attestations) cached in the blob store and the
 * metadata store's DocumentCache: served without asking the upstream while fresh, revalidated
 * with If-None-Match / If-Modified-Since after that, and served stale while the upstream fails
 * (stale-if-error window). One revalidation per key at a time.
 */
import { AirlockError, digestHex, isAirlockError, sha256Of } from '../../core/index.ts';
import type { BlobStore, CachedDocument, DocumentCache } from '../../storage/ports/index.ts';
import { freshnessOf, isCircuitOpen, type FreshnessPolicy, type Upstream } from '../../upstream/index.ts';
import type { RepositoryMetrics } from './metrics.ts';
import { SingleFlight } from './single-flight.ts';
import { copyGone, copyMissing, readStoredCopy } from './stored-copy.ts';

/** A cached document as a source hands it out: what the cache records of it, and how current it is. */
export interface SourceDocument extends Pick<CachedDocument, 'key' | 'blob' | 'size' | 'contentType' | 'etag' | 'lastModified'> {
  /** When the upstream last confirmed this content (epoch ms). */
  readonly confirmedAt: number;
  /** Served past its max age because the upstream failed. */
  readonly stale: boolean;
  /** The bytes, when they were just fetched (saves a read from the blob store). */
  readonly body: Buffer | null;
}

export interface SourceLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface DocumentSourceDeps {
  readonly repo: string;
  readonly upstream: Upstream;
  readonly documents: DocumentCache;
  readonly blobs: BlobStore;
  readonly clock: () => Date;
  readonly metrics?: RepositoryMetrics | undefined;
  readonly log?: SourceLogger | undefined;
}

export interface DocumentRequest {
  /** Upstream path relative to the upstream base URL. */
  readonly path: string;
  readonly accept: string;
  /** Revalidate even when fresh (the caller knows its copy lacks something). */
  readonly revalidate?: boolean;
  /**
   * What is wrong with a body the upstream sent (its digest is not the one promised, by the
   * request or by the response's ETag …), or null:
   * a body with a problem is refused (DIGEST_MISMATCH) and never stored, so it is not served later.
   */
  readonly check?: (body: Buffer, etag: string | null) => string | null;
}

function fromCache(doc: CachedDocument, stale: boolean, confirmedAt = doc.fetchedAt.getTime()): SourceDocument {
  return {
    key: doc.key,
    blob: doc.blob,
    size: doc.size,
    contentType: doc.contentType,
    etag: doc.etag,
    lastModified: doc.lastModified,
    confirmedAt,
    stale,
    body: null,
  };
}

/** Fresh documents held in memory while their background writes are pending, at most. */
const MAX_PENDING_BYTES = 32 * 1024 * 1024;

export class DocumentSource {
  readonly #deps: DocumentSourceDeps;
  readonly #freshness: FreshnessPolicy;
  readonly #maxBytes: number;
  readonly #flights = new SingleFlight<string, SourceDocument>();
  /** Fresh documents being written to the stores in the background, by blob digest. */
  readonly #pending = new Map<string, { readonly key: string; readonly body: Buffer; readonly done: Promise<void> }>();
  #pendingBytes = 0;
  /** The newest document per key still being written (its validators count already). */
  readonly #pendingByKey = new Map<string, CachedDocument>();

  constructor(deps: DocumentSourceDeps, options: { readonly freshness: FreshnessPolicy; readonly maxBytes: number }) {
    this.#deps = deps;
    this.#freshness = Object.freeze({ ...options.freshness });
    this.#maxBytes = options.maxBytes;
  }

  get freshness(): FreshnessPolicy {
    return this.#freshness;
  }

  get(key: string, req: DocumentRequest): Promise<SourceDocument> {
    return this.#flights.run(`${key}\0${req.revalidate === true ? 'r' : ''}`, () => this.#load(key, req));
  }

  /**
   * The document's bytes (capped), from memory or the blob store. A fresh body still being
   * written is handed out as it is only for its own key: the owner of that key's bodies (the
   * packument service) frees them once done with them, so another key with the same bytes gets
   * a copy. Read from the store, the whole is checked against its address there: a corrupt copy
   * is removed, and StoredCopyGone has the next load fetch the document afresh.
   */
  async bytes(doc: SourceDocument): Promise<Buffer> {
    if (doc.body !== null) return doc.body;
    const pending = this.#pending.get(doc.blob);
    if (pending !== undefined) return pending.key === doc.key ? pending.body : Buffer.from(pending.body);
    return readStoredCopy(this.#deps.blobs, doc.blob, doc.size, documentLabel(doc), this.#deps.log);
  }

  /**
   * Keeps `body` under `key` as if the upstream had just sent it there: a document another
   * response already carried (a Hub commit's info, read through the branch that points at it).
   */
  keep(key: string, body: Buffer, contentType: string | null): SourceDocument {
    return this.#store(key, body, contentType, null, null, this.#deps.clock().getTime());
  }

  /** The background write still holding `body` (settles, never rejects, once it is done), or null. */
  writing(blob: string, body: Buffer): Promise<void> | null {
    const pending = this.#pending.get(blob);
    return pending !== undefined && pending.body === body ? pending.done : null;
  }

  /** Wait for background writes (shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending.values()].map((p) => p.done));
  }

  /** Bytes [start, end) of the document, in a buffer of their own. */
  async range(doc: SourceDocument, start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const body = doc.body ?? this.#pending.get(doc.blob)?.body;
    // A copy, not a view: the body may be freed while the caller still reads (see bytes()).
    if (body !== undefined) return Buffer.from(body.subarray(start, end));
    const bytes = await this.#deps.blobs.read(doc.blob, { range: { start, end: end - 1 }, maxBytes: end - start });
    if (bytes === null) throw copyMissing(documentLabel(doc));
    if (bytes.length !== end - start) {
      await this.#deps.blobs.delete(doc.blob);
      throw copyGone(documentLabel(doc), 'it is shorter than recorded', this.#deps.log);
    }
    return bytes;
  }

  async #load(key: string, req: DocumentRequest): Promise<SourceDocument> {
    const { repo, documents, blobs, upstream, metrics } = this.#deps;
    const now = this.#deps.clock().getTime();
    let cached = await documents.getDocument(repo, key);
    if (cached !== null && (await blobs.stat(cached.blob)) === null) cached = null;
    const pending = this.#pendingByKey.get(key);
    if (pending !== undefined && (cached === null || pending.fetchedAt > cached.fetchedAt)) cached = pending;
    const freshness = cached === null ? 'expired' : freshnessOf(cached.fetchedAt.getTime(), now, this.#freshness);
    if (cached !== null && freshness === 'fresh' && req.revalidate !== true) return fromCache(cached, false);
    try {
      const res = await upstream.fetchDocument(req.path, {
        accept: req.accept,
        maxBytes: this.#maxBytes,
        ...(cached === null ? {} : { validators: { etag: cached.etag, lastModified: cached.lastModified } }),
      });
      if (res.kind === 'not-modified') {
        if (cached === null) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${upstream.name} answered 304 to an unconditional request`);
        await documents.touchDocument(repo, key, new Date(now));
        metrics?.upstreamFetch(repo, 'metadata', 'not_modified');
        return fromCache(cached, false, now);
      }
      const problem = req.check?.(res.body, res.etag) ?? null;
      if (problem !== null) throw new AirlockError('DIGEST_MISMATCH', problem);
      const stored = this.#store(key, res.body, res.contentType, res.etag, res.lastModified, now);
      // Backpressure: when the stores fall behind, wait for this write instead of queueing more.
      if (this.#pendingBytes > MAX_PENDING_BYTES) await this.#pending.get(stored.blob)?.done;
      metrics?.upstreamFetch(repo, 'metadata', 'fresh');
      return stored;
    } catch (err) {
      // Gone from its origin (unpublished, taken down): the copy kept is served to nobody again.
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND') && cached !== null) await this.#forget(key, err);
      const usable = cached !== null && freshness !== 'expired' && isAirlockError(err) && err.code !== 'UPSTREAM_NOT_FOUND' && err.code.startsWith('UPSTREAM_');
      if (!usable || cached === null) {
        metrics?.upstreamFetch(repo, 'metadata', 'error');
        throw err;
      }
      metrics?.upstreamFetch(repo, 'metadata', 'stale');
      // Once the upstream's circuit is open, every request of the outage would say the same: the
      // failures that opened it said it, at warn.
      const fields = { key, err: err instanceof Error ? err.message : String(err) };
      if (isCircuitOpen(err)) this.#deps.log?.debug(fields, 'upstream failed; serving cached metadata (stale-if-error)');
      else this.#deps.log?.warn(fields, 'upstream failed; serving cached metadata (stale-if-error)');
      return fromCache(cached, true);
    }
  }

  /** Drops the stored copy of a document its origin no longer has; failing that, says so and answers the origin's 404 all the same. */
  async #forget(key: string, notFound: Error): Promise<void> {
    // A background write of an earlier copy lands first, or it would put the copy back.
    const pending = this.#pendingByKey.get(key);
    if (pending !== undefined) await this.#pending.get(pending.blob)?.done;
    this.#pendingByKey.delete(key);
    await this.#deps.documents.deleteDocument(this.#deps.repo, key).catch((err: unknown) => {
      this.#deps.log?.warn({ key, err: err instanceof Error ? err.message : String(err), cause: notFound.message }, 'could not drop a cached document its origin no longer has');
    });
  }

  /**
   * A fresh document is usable at once: its digest is computed here and it is written to the
   * blob store and the DocumentCache in the background (the write is off the client's path;
   * until it lands, the bytes are served from memory). A failed write only loses the cache entry.
   */
  #store(key: string, body: Buffer, contentType: string | null, etag: string | null, lastModified: string | null, now: number): SourceDocument {
    const doc: CachedDocument = {
      repo: this.#deps.repo,
      key,
      blob: sha256Of(body),
      size: body.length,
      contentType: contentType ?? 'application/json',
      etag,
      lastModified,
      fetchedAt: new Date(now),
    };
    let entry = this.#pending.get(doc.blob);
    if (entry === undefined) {
      // An earlier copy of the key still being written is recorded first: landing after this one,
      // it would put the older document back under the key (a removed file listed again).
      const earlier = this.#pendingByKey.get(key);
      const done = this.#persist(doc, body, earlier === undefined ? undefined : this.#pending.get(earlier.blob)?.done)
        .catch((err: unknown) => {
          this.#deps.log?.warn({ key, err: err instanceof Error ? err.message : String(err) }, 'could not cache an upstream document');
        })
        .finally(() => {
          this.#pending.delete(doc.blob);
          this.#pendingBytes -= body.length;
        });
      entry = { key, body, done };
      this.#pending.set(doc.blob, entry);
      this.#pendingBytes += body.length;
    }
    this.#pendingByKey.set(key, doc);
    void entry.done.then(() => {
      if (this.#pendingByKey.get(key) === doc) this.#pendingByKey.delete(key);
    });
    return { ...fromCache(doc, false), body };
  }

  async #persist(doc: CachedDocument, body: Buffer, earlier: Promise<void> | undefined): Promise<void> {
    // A cached document is only ever looked up by its sha256: no other digest is computed.
    const upload = await this.#deps.blobs.begin({ maxBytes: this.#maxBytes, digests: 'address' });
    try {
      await upload.write(body);
      await upload.commit({ size: body.length, sha256: digestHex(doc.blob) });
    } finally {
      await upload.abort();
    }
    await earlier;
    // The record is the key's newest copy: a newer copy of other bytes records itself once this
    // write is done (it waits for it), a newer copy of these same bytes (it shares this write) is
    // recorded in place of the one this write began for, and with none pending the newest copy has
    // been recorded already (a key's pending copy is dropped only once its write is done).
    const newest = this.#pendingByKey.get(doc.key);
    if (newest === undefined || newest.blob !== doc.blob) return;
    await this.#deps.documents.putDocument(newest);
  }
}

function documentLabel(doc: SourceDocument): string {
  return `the cached document ${doc.key}`;
}
