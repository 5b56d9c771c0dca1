/**
 * Blobs (layers, configs, signature payloads) of the images Airlock admits: fetched from the
 * upstream once per digest however many clients ask at once, verified against their digest and
 * size while they stream into the blob store (nothing unverified is ever stored, so nothing
 * corrupt is ever served), and recorded under the image that first brought them, which keeps
 * them from the storage sweep. The blob store addresses content by sha256, as OCI does: a blob
 * another image already brought is not fetched again.
 */
import type { Readable } from 'node:stream';
import { AirlockError, digestHex, isAirlockError, type Purl, type Sha256Digest } from '../../core/index.ts';
import { writeStreamToUpload, type ArtifactIndex, type BlobStore } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { RepositoryMetrics } from '../shared/metrics.ts';
import { SingleFlight } from '../shared/single-flight.ts';

export interface BlobOwner {
  readonly purl: Purl;
  readonly name: string;
  /** The image's manifest digest (its version). */
  readonly version: string;
}

export interface BlobServiceDeps {
  readonly repo: string;
  readonly upstream: Upstream;
  readonly blobs: BlobStore;
  readonly index: ArtifactIndex;
  readonly clock: () => Date;
  readonly metrics?: RepositoryMetrics | undefined;
  readonly maxArtifactBytes: number;
}

export class BlobService {
  readonly #deps: BlobServiceDeps;
  readonly #fetching = new SingleFlight<string, void>();

  constructor(deps: BlobServiceDeps) {
    this.#deps = deps;
  }

  /** The blob stored (fetched and verified first when it is not), recorded under `owner`. */
  async ingest(name: string, digest: string, size: number, owner: BlobOwner): Promise<void> {
    const { blobs, metrics, repo } = this.#deps;
    if (size > this.#deps.maxArtifactBytes) {
      throw new AirlockError('LIMIT_EXCEEDED', `${name}: the blob ${digest} is ${size} bytes; this repository serves blobs of at most ${this.#deps.maxArtifactBytes} bytes (maxArtifactSize)`, { details: { ociCode: 'SIZE_INVALID' } });
    }
    const have = await blobs.stat(digest as Sha256Digest);
    if (have !== null && have.size === size) {
      metrics?.cache(repo, 'artifact', 'hit');
    } else {
      metrics?.cache(repo, 'artifact', 'miss');
      await this.#fetching.run(digest, () => this.#fetch(name, digest, size, owner));
    }
  }

  /** A small blob's bytes (a config, a signature's payload), fetched and verified first when needed. */
  async read(name: string, digest: string, size: number, owner: BlobOwner): Promise<Buffer> {
    await this.ingest(name, digest, size, owner);
    const bytes = await this.#deps.blobs.read(digest as Sha256Digest, { maxBytes: size });
    if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the stored blob ${digest} is gone; ask again`);
    return bytes;
  }

  async open(digest: string, range: { readonly start: number; readonly end: number } | null): Promise<Readable> {
    const stream = await this.#deps.blobs.open(digest as Sha256Digest, range ?? undefined);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored blob ${digest} is gone; ask again`);
    return stream;
  }

  /** Fetches, verifies and stores a blob, and records it under the image that brought it (one record per blob: later images that share it find it stored). */
  async #fetch(name: string, digest: string, size: number, owner: BlobOwner): Promise<void> {
    const { blobs, upstream, metrics, repo, index } = this.#deps;
    // One byte past the size, so that too long a body is told apart from a limit of ours. A blob is
    // verified by its sha256 alone: no sha512 or sha1 is computed (nothing reads them for OCI).
    const upload = await blobs.begin({ maxBytes: size + 1, digests: 'address' });
    try {
      const res = await upstream.openStream(`v2/${name}/blobs/${digest}`, { maxBytes: size + 1, accept: '*/*' });
      try {
        await writeStreamToUpload(res.body, upload);
      } finally {
        res.body.destroy();
      }
      if (upload.bytesWritten !== size) throw new AirlockError('SIZE_MISMATCH', `got ${upload.bytesWritten} bytes, the manifest says ${size}`);
      const committed = await upload.commit({ size, sha256: digestHex(digest as Sha256Digest) });
      await index.putArtifact({ repo, purl: owner.purl, ecosystem: 'oci', name: owner.name, version: owner.version, filename: `blobs/${digest}`, blob: committed.digest, size, sha512: null, sha1: null, storedAt: this.#deps.clock() });
      metrics?.upstreamFetch(repo, 'artifact', 'fresh');
    } catch (err) {
      metrics?.upstreamFetch(repo, 'artifact', 'error');
      if (isAirlockError(err, 'DIGEST_MISMATCH') || isAirlockError(err, 'SIZE_MISMATCH')) {
        throw new AirlockError('DIGEST_MISMATCH', `${name}: the upstream served bytes for the blob ${digest} that do not match its digest and size (${err.message}); refused, nothing was stored`, { cause: err, details: { name, ociCode: 'BLOB_UNKNOWN' } });
      }
      throw err;
    } finally {
      await upload.abort();
    }
  }
}
