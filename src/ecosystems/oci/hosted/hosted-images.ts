/**
 * The images of a hosted oci repository, read from and written to Airlock's own stores: each
 * image repository (`team/app`) is one hosted package (image-document.ts). Reads serve the
 * gate's admission and the signature look-up as an upstream registry would (`ManifestSource`,
 * `BlobSource`, `ReferrerSource`); writes are what a push makes — a blob added once its bytes are
 * verified and committed, a manifest stored once every blob and manifest it names is there, a tag
 * moved, a manifest or tag deleted. Every write is a compare-and-swap on the package's revision
 * (gateways sharing a store never lose each other's pushes), one at a time per image repository
 * in this process, with its audit event in the same transaction.
 */
import type { Readable } from 'node:stream';
import { AirlockError, digestHex, Lru, sha256Of, type Sha256Digest } from '../../../core/index.ts';
import { storeStream, type AuditEventInput, type BlobStore, type HostedFile, type HostedPackage, type HostedPackageStore } from '../../../storage/ports/index.ts';
import type { ResolvedManifest } from '../catalog.ts';
import { imagePurl } from '../facts.ts';
import type { BlobSource, ManifestSource, ReferrerSource } from '../image-source.ts';
import { MAX_MANIFEST_BYTES, parseManifest, type Descriptor, type Manifest } from '../manifest.ts';
import { referenceLabel, type Reference } from '../references.ts';
import { blobFile, EMPTY_DOCUMENT, hostedFile, manifestEntry, manifestFile, parseImageDocument, referrersOf, type ImageDocument } from './image-document.ts';

/** Attempts of one write against concurrent writes to the same image repository (other gateways). */
const MAX_ATTEMPTS = 16;
/** Tags one image repository keeps, at most. */
const MAX_TAGS = 10_000;

export interface HostedImagesDeps {
  readonly repo: string;
  readonly store: HostedPackageStore;
  readonly blobs: BlobStore;
  readonly clock: () => Date;
}

/** Who pushes: the token's id (the audit actor). */
export interface Pusher {
  readonly actor: string;
}

type Change = { readonly doc: ImageDocument; readonly files: Readonly<Record<string, HostedFile>>; readonly audit: Omit<AuditEventInput, 'at' | 'actor'> | null } | null;

function unknown(code: 'MANIFEST_UNKNOWN' | 'NAME_UNKNOWN' | 'BLOB_UNKNOWN' | 'MANIFEST_BLOB_UNKNOWN', message: string): AirlockError {
  return new AirlockError('NOT_FOUND', message, { details: { ociCode: code } });
}

export class HostedImages implements ManifestSource, BlobSource, ReferrerSource {
  readonly #deps: HostedImagesDeps;
  readonly #maxDocumentBytes: number;
  /** Parsed manifests by name and digest (a manifest never changes). */
  readonly #parsed: Lru<string, ResolvedManifest>;
  /** The last write of each image repository in this process: the next waits for it. */
  readonly #writing = new Map<string, Promise<unknown>>();
  /** Told of each image repository written to (a group forgets which member has the name). */
  readonly #written: ((name: string) => void)[] = [];

  constructor(deps: HostedImagesDeps, options: { readonly maxDocumentBytes: number; readonly cacheBytes: number }) {
    this.#deps = deps;
    this.#maxDocumentBytes = options.maxDocumentBytes;
    this.#parsed = new Lru(Math.max(256 * 1024, options.cacheBytes), (m) => 512 + m.bytes.length * 3);
  }

  async #read(name: string): Promise<{ readonly pkg: HostedPackage; readonly doc: ImageDocument } | null> {
    const pkg = await this.#deps.store.getHostedPackage(this.#deps.repo, name);
    return pkg === null ? null : { pkg, doc: parseImageDocument(name, pkg.document) };
  }

  // --- reads ---------------------------------------------------------------------------------

  async manifest(name: string, ref: Reference): Promise<ResolvedManifest> {
    const found = await this.optional(name, ref);
    if (found !== null) return found;
    if ((await this.#read(name)) === null) throw unknown('NAME_UNKNOWN', `nothing has been pushed to ${this.#deps.repo}/${name}`);
    throw unknown('MANIFEST_UNKNOWN', `${referenceLabel(name, ref)} has not been pushed to ${this.#deps.repo}`);
  }

  async optional(name: string, ref: Reference): Promise<ResolvedManifest | null> {
    if (ref.kind === 'digest') {
      const known = this.#parsed.get(`${name}@${ref.digest}`);
      if (known !== undefined) return known;
    }
    const read = await this.#read(name);
    if (read === null) return null;
    const digest = ref.kind === 'tag' ? read.doc.tags[ref.tag] : ref.digest;
    if (digest === undefined) return null;
    const known = this.#parsed.get(`${name}@${digest}`);
    if (known !== undefined) return known;
    const entry = read.doc.manifests[digest];
    if (entry === undefined) return null;
    const bytes = await this.#deps.blobs.read(digest as Sha256Digest, { maxBytes: MAX_MANIFEST_BYTES });
    if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the manifest ${digest} of ${this.#deps.repo}/${name} is missing from the blob store`);
    const manifest = parseManifest(bytes, entry.mediaType, `the stored manifest ${referenceLabel(name, { kind: 'digest', digest })}`);
    const resolved: ResolvedManifest = { name, digest, bytes, mediaType: manifest.mediaType, manifest, stale: false };
    this.#parsed.set(`${name}@${digest}`, resolved);
    return resolved;
  }

  /** The size of a blob pushed to (or mounted into) the image repository, or null. */
  async blobSize(name: string, digest: string): Promise<number | null> {
    const pkg = await this.#deps.store.getHostedPackage(this.#deps.repo, name);
    return pkg?.files[blobFile(digest)]?.size ?? null;
  }

  /** A pushed blob is stored already: only its presence is checked. */
  async ingest(name: string, digest: string, size: number): Promise<void> {
    const have = await this.#deps.blobs.stat(digest as Sha256Digest);
    if (have === null || have.size !== size) throw new AirlockError('STORAGE_ERROR', `the blob ${digest} of ${this.#deps.repo}/${name} is missing from the blob store`);
  }

  async read(name: string, digest: string, size: number): Promise<Buffer> {
    const bytes = await this.#deps.blobs.read(digest as Sha256Digest, { maxBytes: size });
    if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the blob ${digest} of ${this.#deps.repo}/${name} is missing from the blob store`);
    return bytes;
  }

  async open(digest: string, range: { readonly start: number; readonly end: number } | null): Promise<Readable> {
    const stream = await this.#deps.blobs.open(digest as Sha256Digest, range ?? undefined);
    if (stream === null) throw new AirlockError('STORAGE_ERROR', `the stored blob ${digest} is gone`);
    return stream;
  }

  async referrers(name: string, digest: string): Promise<Descriptor[]> {
    const read = await this.#read(name);
    return read === null ? [] : referrersOf(read.doc, digest);
  }

  /** The image repository's tags, sorted; null when nothing was pushed to it. */
  async tags(name: string): Promise<string[] | null> {
    const read = await this.#read(name);
    return read === null ? null : Object.keys(read.doc.tags).sort();
  }

  /** Whether anything was pushed to the image repository `name` (a blob, a manifest), deleted or not since. */
  async has(name: string): Promise<boolean> {
    return (await this.#deps.store.getHostedPackage(this.#deps.repo, name)) !== null;
  }

  /** Tells `listener` of each image repository written to. */
  onWrite(listener: (name: string) => void): void {
    this.#written.push(listener);
  }

  /** The image repositories of this hosted repository, sorted. */
  async names(): Promise<string[]> {
    return (await this.#deps.store.hostedRevisions(this.#deps.repo)).map((r) => r.name);
  }

  // --- writes --------------------------------------------------------------------------------

  /** A blob committed to the blob store (verified against its digest) becomes part of the image repository. */
  async addBlob(name: string, digest: string, size: number, who: Pusher): Promise<void> {
    await this.#write(name, who, (pkg, doc) => {
      if (pkg?.files[blobFile(digest)]?.size === size) return null;
      return { doc, files: { ...pkg?.files, [blobFile(digest)]: hostedFile(digest, size) }, audit: null };
    });
  }

  /** Cross-repository mount within this hosted repository: the blob's size, or null when `from` has no such blob. */
  async mount(name: string, from: string, digest: string, who: Pusher): Promise<number | null> {
    const size = await this.blobSize(from, digest);
    if (size === null) return null;
    await this.addBlob(name, digest, size, who);
    return size;
  }

  /**
   * A manifest pushed by tag or digest: its bytes are kept as sent (its digest is theirs), and it
   * is refused when a blob or child manifest it names is not in the image repository. The subject
   * it refers to need not be there (the spec: referrers may be pushed first).
   */
  async putManifest(name: string, ref: Reference, bytes: Buffer, contentType: string | null, who: Pusher): Promise<{ readonly digest: string; readonly manifest: Manifest }> {
    const digest = sha256Of(bytes);
    const label = referenceLabel(name, ref);
    if (ref.kind === 'digest' && ref.digest !== digest) {
      throw new AirlockError('BAD_REQUEST', `the manifest pushed as ${label} hashes to ${digest}`, { details: { ociCode: 'DIGEST_INVALID' } });
    }
    const manifest = parsePushed(bytes, contentType, label);
    await storeStream(this.#deps.blobs, [bytes], { maxBytes: bytes.length, digests: 'address', expect: { size: bytes.length, sha256: digestHex(digest as Sha256Digest) } });
    const configType = manifest.kind === 'manifest' ? manifest.config.mediaType : null;
    await this.#write(name, who, (pkg, doc, now) => {
      missingReference(pkg, doc, manifest, label);
      const tags = ref.kind === 'tag' ? { ...doc.tags, [ref.tag]: digest } : doc.tags;
      if (ref.kind === 'tag' && !Object.hasOwn(doc.tags, ref.tag) && Object.keys(doc.tags).length >= MAX_TAGS) {
        throw new AirlockError('LIMIT_EXCEEDED', `${this.#deps.repo}/${name} has ${MAX_TAGS} tags, the most an image repository keeps; delete some first`, { details: { ociCode: 'DENIED' } });
      }
      const entry = doc.manifests[digest] ?? manifestEntry({ mediaType: manifest.mediaType, size: bytes.length, subject: manifest.subject, artifactType: manifest.artifactType, configType, annotations: manifest.annotations }, now);
      if (doc.manifests[digest] !== undefined && tags === doc.tags) return null;
      return {
        doc: { tags, manifests: { ...doc.manifests, [digest]: entry } },
        files: { ...pkg?.files, [manifestFile(digest)]: hostedFile(digest, bytes.length) },
        audit: { action: 'image.push', subject: imagePurl(name, digest), details: { repo: this.#deps.repo, tag: ref.kind === 'tag' ? ref.tag : null, mediaType: manifest.mediaType, size: bytes.length, subject: manifest.subject?.digest ?? null } },
      };
    });
    return { digest, manifest };
  }

  /** A manifest deleted by digest, with the tags naming it (the blobs it names stay in the image repository). */
  async deleteManifest(name: string, digest: string, who: Pusher): Promise<void> {
    await this.#write(name, who, (pkg, doc) => {
      if (pkg === null || doc.manifests[digest] === undefined) throw unknown('MANIFEST_UNKNOWN', `${referenceLabel(name, { kind: 'digest', digest })} has not been pushed to ${this.#deps.repo}`);
      const { [digest]: _gone, ...manifests } = doc.manifests;
      const tags = Object.fromEntries(Object.entries(doc.tags).filter(([, d]) => d !== digest));
      const files = { ...pkg.files };
      delete files[manifestFile(digest)];
      return { doc: { tags, manifests }, files, audit: { action: 'image.delete', subject: imagePurl(name, digest), details: { repo: this.#deps.repo, tags: Object.keys(doc.tags).filter((t) => doc.tags[t] === digest) } } };
    });
    this.#parsed.delete(`${name}@${digest}`);
  }

  /** A tag deleted; the manifest it named stays (by digest). */
  async deleteTag(name: string, tag: string, who: Pusher): Promise<void> {
    await this.#write(name, who, (pkg, doc) => {
      const digest = doc.tags[tag];
      if (pkg === null || digest === undefined) throw unknown('MANIFEST_UNKNOWN', `${name}:${tag} has not been pushed to ${this.#deps.repo}`);
      const { [tag]: _gone, ...tags } = doc.tags;
      return { doc: { tags, manifests: doc.manifests }, files: pkg.files, audit: { action: 'image.untag', subject: imagePurl(name, digest), details: { repo: this.#deps.repo, tag } } };
    });
  }

  /** One write at a time per image repository here; a compare-and-swap against other gateways. */
  #write(name: string, who: Pusher, change: (pkg: HostedPackage | null, doc: ImageDocument, now: string) => Change): Promise<void> {
    const previous = this.#writing.get(name) ?? Promise.resolve();
    const run = previous.then(() => this.#attempt(name, who, change));
    const settled = run.catch(() => undefined);
    this.#writing.set(name, settled);
    void settled.then(() => {
      if (this.#writing.get(name) === settled) this.#writing.delete(name);
    });
    return run;
  }

  async #attempt(name: string, who: Pusher, change: (pkg: HostedPackage | null, doc: ImageDocument, now: string) => Change): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await this.#read(name);
      const at = this.#deps.clock();
      const changed = change(read?.pkg ?? null, read?.doc ?? EMPTY_DOCUMENT, at.toISOString());
      if (changed === null) return;
      const document = JSON.stringify(changed.doc);
      if (Buffer.byteLength(document) > this.#maxDocumentBytes) {
        throw new AirlockError('LIMIT_EXCEEDED', `the record of ${this.#deps.repo}/${name} would be larger than the repository's limit of ${this.#maxDocumentBytes} bytes (maxMetadataSize)`, { details: { ociCode: 'DENIED' } });
      }
      const next: HostedPackage = { repo: this.#deps.repo, ecosystem: 'oci', name, rev: (read?.pkg.rev ?? 0) + 1, document, files: changed.files, updatedAt: at };
      const audit = changed.audit === null ? undefined : { ...changed.audit, at, actor: who.actor };
      if (await this.#deps.store.putHostedPackage(next, audit)) {
        for (const listener of this.#written) listener(name);
        return;
      }
    }
    throw new AirlockError('CONFLICT', `${this.#deps.repo}/${name} is being changed by others at the same time; try again`, { details: { ociCode: 'TOOMANYREQUESTS' } });
  }
}

/** The pushed manifest, parsed by the same bounded parser as an upstream's; a refusal is the client's fault (400). */
function parsePushed(bytes: Buffer, contentType: string | null, label: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes, contentType, `the manifest pushed as ${label}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new AirlockError('BAD_REQUEST', message, { cause: err, details: { ociCode: 'MANIFEST_INVALID' } });
  }
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && type !== manifest.mediaType && type !== 'application/json') {
    throw new AirlockError('BAD_REQUEST', `the manifest pushed as ${label} was sent as ${type.slice(0, 100)} but says it is ${manifest.mediaType}`, { details: { ociCode: 'MANIFEST_INVALID' } });
  }
  return manifest;
}

/** Refuses a manifest naming a blob (config, layer) or an index naming a manifest the image repository does not have. */
function missingReference(pkg: HostedPackage | null, doc: ImageDocument, manifest: Manifest, label: string): void {
  if (manifest.kind === 'index') {
    for (const d of manifest.manifests) {
      const have = doc.manifests[d.digest];
      if (have === undefined || have.size !== d.size) {
        throw new AirlockError('BAD_REQUEST', `the index pushed as ${label} lists the manifest ${d.digest} (${d.size} bytes), which has not been pushed to this image repository; push it first`, { details: { ociCode: 'MANIFEST_BLOB_UNKNOWN', digest: d.digest } });
      }
    }
    return;
  }
  for (const d of [manifest.config, ...manifest.layers]) {
    const have = pkg?.files[blobFile(d.digest)];
    if (have === undefined || have.size !== d.size) {
      throw new AirlockError('BAD_REQUEST', `the manifest pushed as ${label} names the blob ${d.digest} (${d.size} bytes), which has not been uploaded to this image repository; upload it first`, { details: { ociCode: 'MANIFEST_BLOB_UNKNOWN', digest: d.digest } });
    }
  }
}
