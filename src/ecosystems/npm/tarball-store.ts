/**
 * Verified tarball storage: fetched once per digest however many clients ask at once, streamed
 * into a staged blob while it is inspected (gzip → tar) and, when small, kept in memory — one
 * pass over the bytes; committed only when every digest the metadata gives matches.
 */
import type { Readable } from 'node:stream';
import { AirlockError, Lru, isAirlockError, parseIntegrity, releaseChunk, type NpmPackageName, type Purl, type Sha256Digest } from '../../core/index.ts';
import { BlobCorruptError, type ArtifactIndex, type ArtifactRecord, type BlobExpectation, type BlobStore, type BlobUpload, type CommittedBlob } from '../../storage/ports/index.ts';
import { readCapped, type Upstream } from '../../upstream/index.ts';
import type { ArtifactFile, ArtifactReadBounds } from '../../gate/index.ts';
import type { SourceLogger } from '../shared/document-source.ts';
import type { NpmMetrics, NpmSettings } from './options.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import { copyGone, copyMissing, logCorrupt, NO_MATCH, readStoredCopy } from '../shared/stored-copy.ts';
import { readTarballFiles } from './tarball-files.ts';
import { inspectTarball, TarballFeed, type TarballInspection } from './tarball-inspect.ts';
import { declaredBytes } from './manifest-confusion.ts';

/**
 * A stored tarball's record with the digests npm computes for every tarball (the metadata's
 * integrity and shasum, and the replaced-tarball check need them); the store keeps them optional.
 */
export interface NpmArtifactRecord extends ArtifactRecord {
  readonly sha512: string;
  readonly sha1: string;
  readonly firstSha512: string;
}

/** The record as npm needs it; INTERNAL when a digest is missing, which no put of npm's leaves. */
export function npmArtifactRecord(rec: ArtifactRecord): NpmArtifactRecord {
  const { sha512, sha1, firstSha512 } = rec;
  if (sha512 === null || sha1 === null || firstSha512 === null) {
    throw new AirlockError('INTERNAL', `${rec.purl}: the stored record of ${rec.filename} lacks a digest npm computes for every tarball (sha512, sha1 or the first stored sha512)`);
  }
  return { ...rec, sha512, sha1, firstSha512 };
}

/** A stored tarball with what was learnt while it streamed in (when it was just fetched). */
export interface Ingested {
  readonly rec: NpmArtifactRecord;
  readonly inspection: TarballInspection | null;
  /** The bytes, when small enough to keep. */
  readonly body: Buffer | null;
}

/** What the metadata promises about a tarball: the digests to verify it against. */
export interface Expected {
  readonly expect: BlobExpectation;
  readonly algorithms: string;
  readonly flightKey: string;
}

export interface TarballStoreDeps {
  readonly blobs: BlobStore;
  readonly index: ArtifactIndex;
  readonly upstream: Upstream;
  readonly clock: () => Date;
  readonly metrics?: NpmMetrics | undefined;
  readonly log?: SourceLogger | undefined;
}

/** The digests to verify a tarball against, from its `dist` (`integrity` SRI and `shasum`). */
export function expectationOf(name: string, version: string, dist: { readonly [k: string]: unknown }): Expected {
  const expect: { sha512?: string; sha256?: string; sha1?: string } = {};
  if (typeof dist['integrity'] === 'string') {
    let entries;
    try {
      entries = parseIntegrity(dist['integrity']);
    } catch (cause) {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata has a malformed integrity`, { cause });
    }
    for (const e of entries) {
      if (e.algorithm === 'sha512') expect.sha512 ??= e.hex;
      else if (e.algorithm === 'sha256') expect.sha256 ??= e.hex;
      else if (e.algorithm === 'sha1') expect.sha1 ??= e.hex;
    }
  }
  const shasum = dist['shasum'];
  if (typeof shasum === 'string' && /^[0-9a-fA-F]{40}$/.test(shasum)) {
    const hex = shasum.toLowerCase();
    if (expect.sha1 !== undefined && expect.sha1 !== hex) {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata's integrity and shasum disagree`);
    }
    expect.sha1 = hex;
  }
  const algorithms = Object.keys(expect).sort().join('+');
  const flightKey = expect.sha512 ?? expect.sha256 ?? expect.sha1;
  if (flightKey === undefined) {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${name}@${version}: the upstream metadata has no digest Airlock can verify (sha512, sha256 or sha1)`);
  }
  return { expect, algorithms, flightKey };
}

function matches(rec: ArtifactRecord, e: BlobExpectation): boolean {
  return (e.sha512 === undefined || rec.sha512 === e.sha512) && (e.sha1 === undefined || rec.sha1 === e.sha1) && (e.sha256 === undefined || `sha256:${e.sha256}` === rec.blob);
}

export class TarballStore {
  readonly #deps: TarballStoreDeps;
  readonly #settings: NpmSettings;
  readonly #inspections = new Lru<string, TarballInspection>(4 * 1024 * 1024, (i) => 2048 + (i.declared === null ? 0 : declaredBytes(i.declared)));
  readonly #ingests = new SingleFlight<string, Ingested>();

  constructor(deps: TarballStoreDeps, settings: NpmSettings) {
    this.#deps = deps;
    this.#settings = settings;
  }

  /** The stored tarball for this version, fetched and verified first when not stored yet. */
  async ingest(name: NpmPackageName, version: string, filename: string, purl: Purl, url: URL, expected: Expected): Promise<Ingested> {
    const { index, blobs, metrics } = this.#deps;
    const repo = this.#settings.repo;
    return this.#ingests.run(expected.flightKey, async () => {
      const existing = await index.getArtifact(repo, purl, filename);
      if (existing !== null && matches(existing, expected.expect) && (await blobs.stat(existing.blob)) !== null) {
        metrics?.cache(repo, 'artifact', 'hit');
        return { rec: npmArtifactRecord(existing), inspection: this.#inspections.get(existing.blob) ?? null, body: null };
      }
      metrics?.cache(repo, 'artifact', 'miss');
      try {
        const fetched = await this.#fetch(url, expected);
        const { sha512, sha1 } = fetched.committed.digests;
        if (sha512 === null || sha1 === null) throw new AirlockError('INTERNAL', 'a tarball upload did not compute every digest');
        const rec = npmArtifactRecord(await index.putArtifact({
          repo,
          purl,
          ecosystem: 'npm',
          name,
          version,
          filename,
          blob: fetched.committed.digest,
          size: fetched.committed.size,
          sha512,
          sha1,
          storedAt: this.#deps.clock(),
        }));
        this.#inspections.set(rec.blob, fetched.inspection);
        metrics?.upstreamFetch(repo, 'artifact', 'fresh');
        return { rec, inspection: fetched.inspection, body: fetched.body };
      } catch (err) {
        metrics?.upstreamFetch(repo, 'artifact', 'error');
        if (isAirlockError(err, 'DIGEST_MISMATCH') || isAirlockError(err, 'SIZE_MISMATCH')) {
          throw new AirlockError(
            'DIGEST_MISMATCH',
            `${name}@${version}: the upstream served a tarball whose bytes do not match the published ${expected.algorithms} digest; refused, nothing was stored`,
            { cause: err, details: { name, version } },
          );
        }
        throw err;
      }
    });
  }

  /**
   * Stream the upstream tarball into a staged blob while it is inspected (gzip → tar) and, when
   * small, kept in memory — one pass over the bytes. A tarball whose announced length is small
   * is read whole first, then written and inspected in one piece each. Commit verifies every
   * expected digest; on any failure the staged bytes are discarded and the inspection thrown away.
   */
  async #fetch(url: URL, expected: Expected): Promise<{ committed: CommittedBlob; inspection: TarballInspection; body: Buffer | null }> {
    const max = this.#settings.maxArtifactBytes;
    const upload = await this.#deps.blobs.begin({ maxBytes: max });
    try {
      const res = await this.#deps.upstream.openStream(url, { maxBytes: max, accept: 'application/octet-stream' });
      if (res.contentLength !== null && res.contentLength <= this.#settings.hotArtifactMaxBytes) {
        const small = this.#settings.hotArtifactMaxBytes;
        const body = await readCapped(res.body, small, () => new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream sent more than the ${res.contentLength} bytes it announced`));
        const [, inspection] = await Promise.all([upload.write(body), inspectTarball(body)]);
        return { committed: await upload.commit(expected.expect), inspection, body };
      }
      return await this.#stream(res.body, upload, expected);
    } finally {
      await upload.abort();
    }
  }

  /**
   * Each chunk is written to the staged blob and inspected at once; once both are done with it
   * and it is not kept, its memory is freed (core/release-bytes.ts): a big download otherwise
   * leaves tens of MB of spent chunks waiting for V8's next full collection.
   */
  async #stream(source: Readable, upload: BlobUpload, expected: Expected): Promise<{ committed: CommittedBlob; inspection: TarballInspection; body: Buffer | null }> {
    const feed = new TarballFeed();
    let kept: Buffer[] | null = [];
    let keptBytes = 0;
    try {
      try {
        // The upstream client's body chunks are this loop's own (UpstreamClient.openStream).
        for await (const chunk of source as AsyncIterable<Buffer>) {
          const [, inspected] = await Promise.all([upload.write(chunk), feed.write(chunk)]);
          if (kept !== null) {
            keptBytes += chunk.length;
            if (keptBytes > this.#settings.hotArtifactMaxBytes) kept = null;
            else kept.push(chunk);
          }
          if (kept === null && inspected) releaseChunk(chunk);
        }
      } finally {
        source.destroy();
      }
      const inspection = await feed.end();
      const committed = await upload.commit(expected.expect);
      return { committed, inspection, body: kept === null ? null : Buffer.concat(kept, keptBytes) };
    } catch (err) {
      await feed.abort();
      throw err;
    }
  }

  /**
   * Content facts of a stored tarball (cached by digest). A walk that fails is checked against
   * the stored bytes first: a tarball the disk corrupted is removed and fetched again rather than
   * held for review as uninspectable.
   */
  async inspect(rec: ArtifactRecord): Promise<TarballInspection> {
    const have = this.#inspections.get(rec.blob);
    if (have !== undefined) return have;
    const result = await inspectTarball(await this.open(rec));
    if (result.error !== null) await this.#assertIntact(rec);
    this.#inspections.set(rec.blob, result);
    return result;
  }

  /** Named package-relative files of a stored tarball (for install-hook analysis). */
  async readFiles(rec: ArtifactRecord, paths: readonly string[], bounds: ArtifactReadBounds): Promise<ReadonlyMap<string, ArtifactFile>> {
    try {
      return await readTarballFiles(await this.open(rec), paths, bounds);
    } catch (err) {
      await this.#assertIntact(rec);
      throw err;
    }
  }

  /** The whole stored tarball in memory (callers keep this to small ones), checked by the store. */
  async readAll(rec: Pick<ArtifactRecord, 'blob' | 'size'>): Promise<Buffer> {
    return readStoredCopy(this.#deps.blobs, rec.blob, rec.size, tarballLabel(rec.blob), this.#deps.log);
  }

  /**
   * A stored tarball's bytes as a stream. The store checks the whole stream against the address:
   * a corrupt file's stream fails before its last chunk (the file removed), and is logged here.
   */
  async open(rec: Pick<ArtifactRecord, 'blob'>): Promise<Readable> {
    const stream = await this.#deps.blobs.open(rec.blob);
    if (stream === null) throw copyMissing(tarballLabel(rec.blob));
    stream.on('error', (err) => {
      if (err instanceof BlobCorruptError) logCorrupt(tarballLabel(rec.blob), NO_MATCH, this.#deps.log);
    });
    return stream;
  }

  /** Throws StoredCopyGone when the stored bytes no longer hash to the address (the store removes the file). */
  async #assertIntact(rec: Pick<ArtifactRecord, 'blob'>): Promise<void> {
    try {
      // Drained only for the store's check of the whole; a failure is logged by `open`.
      for await (const chunk of await this.open(rec)) void chunk;
    } catch (err) {
      throw err instanceof BlobCorruptError ? copyGone(tarballLabel(rec.blob), NO_MATCH, undefined) : err;
    }
  }
}

function tarballLabel(blob: Sha256Digest): string {
  return `the stored tarball ${blob}`;
}
