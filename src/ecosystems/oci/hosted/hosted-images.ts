/**
 * The images of a hosted oci repository, read from and written to Airlock's own stores: each
 * image repository (`team/app`) is one hosted package (image-document.ts). Reads serve the
 * gate's admission and the signature look-up as an upstream registry would (`ManifestSource`,
 * `BlobSource`, `ReferrerSource`); writes are what a push makes — a blob added once its bytes are
 * verified and committed, a manifest stored once every blob and manifest it names is there, a tag
 * moved, a manifest or tag deleted. Every write is a compare-and-swap on the package's revision
 * (gateways sharing a store never lose each other's pushes), one at a time per image repository
 * in this process, with its audit event in the same transaction. Each write also collects the
 * record's garbage (image-gc.ts): uploads no manifest named within the grace period are dropped,
 * and a deleted manifest takes with it the blobs and manifests nothing left names; the storage
 * sweep removes their bytes once no record names them.
 */
import type { Readable } from 'node:stream';
import { AirlockError, cacheFill, digestHex, Lru, makePurl, ownMember, sha256Of, type CacheFills, type Sha256Digest } from '../../../core/index.ts';
import { storeStream, type AuditEventInput, type Json, type BlobStore, type HostedFile, type HostedPackage, type HostedPackageStore } from '../../../storage/ports/index.ts';
import type { ResolvedManifest } from '../catalog.ts';
import { imagePurl } from '../facts.ts';
import type { BlobSource, ManifestSource, ReferrerSource } from '../image-source.ts';
import { MAX_MANIFEST_BYTES, parseManifest, type Descriptor, type Manifest } from '../manifest.ts';
import { referenceLabel, type Reference } from '../references.ts';
import { blobFile, EMPTY_DOCUMENT, hostedFile, manifestEntry, manifestFile, parseImageDocument, referrersOf, type ImageDocument, type ManifestEntry } from './image-document.ts';
import { claimed, collect, deletionOf, expireUploads, withoutManifests, type Collected, type ParsedManifests } from './image-gc.ts';

/** Attempts of one write against concurrent writes to the same image repository (other gateways). */
const MAX_ATTEMPTS = 16;
/** Tags one image repository keeps, at most. */
const MAX_TAGS = 10_000;
/** Digests an audit event lists of what a write dropped (the count is always there). */
const MAX_AUDITED = 100;

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

/** The record as a write finds it: its document (with `uploads`), its files, whether it exists. */
interface Current {
  readonly exists: boolean;
  readonly doc: ImageDocument;
  readonly files: Readonly<Record<string, HostedFile>>;
  /** What giving a record written before uploads were kept its uploads dropped; null for a record that has them. */
  readonly upgraded: Collected | null;
}

type Audit = Omit<AuditEventInput, 'at' | 'actor'>;

/** A write: the record as it leaves it, its audit event, and `collected` when it collected the whole record itself. */
type Change = { readonly doc: ImageDocument; readonly files: Readonly<Record<string, HostedFile>>; readonly audit: Audit | null; readonly collected?: Collected } | null;

type ChangeFn = (current: Current, now: Date) => Change | Promise<Change>;

/** What a collection pass over one image repository dropped (or, in a dry run, would drop). */
export interface CollectReport {
  readonly blobs: number;
  readonly bytes: number;
  readonly manifests: number;
}

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

  /** A blob no manifest names is kept this long after its upload (a push uploads blobs before its manifest). */
  readonly #uploadGraceMs: number;

  constructor(deps: HostedImagesDeps, options: { readonly maxDocumentBytes: number; readonly cacheBytes: number; readonly uploadGraceMs: number }) {
    this.#deps = deps;
    this.#maxDocumentBytes = options.maxDocumentBytes;
    this.#uploadGraceMs = options.uploadGraceMs;
    this.#parsed = new Lru(Math.max(256 * 1024, options.cacheBytes), (m) => 512 + m.bytes.length * 3);
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { manifests: cacheFill(this.#parsed) };
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

  /**
   * The record is read for a digest too, though the manifest's bytes never change: another gateway
   * over the same stores may have deleted it, and a deleted manifest must not stay pullable from
   * this one's cache.
   */
  async optional(name: string, ref: Reference): Promise<ResolvedManifest | null> {
    const read = await this.#read(name);
    if (read === null) return null;
    const digest = ref.kind === 'tag' ? ownMember(read.doc.tags, ref.tag) : ref.digest;
    if (digest === undefined) return null;
    const entry = read.doc.manifests[digest];
    return entry === undefined ? null : this.#stored(name, digest, entry);
  }

  /** A stored manifest, read and parsed once. */
  async #stored(name: string, digest: string, entry: ManifestEntry): Promise<ResolvedManifest> {
    const known = this.#parsed.get(`${name}@${digest}`);
    if (known !== undefined) return known;
    const bytes = await this.#deps.blobs.read(digest as Sha256Digest, { maxBytes: MAX_MANIFEST_BYTES });
    if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the manifest ${digest} of ${this.#deps.repo}/${name} is missing from the blob store`);
    const manifest = parseManifest(bytes, entry.mediaType, `the stored manifest ${referenceLabel(name, { kind: 'digest', digest })}`);
    const resolved: ResolvedManifest = { name, digest, bytes, mediaType: manifest.mediaType, manifest, stale: false };
    this.#parsed.set(`${name}@${digest}`, resolved);
    return resolved;
  }

  /** Every manifest of the record, parsed; one that cannot be read is left out (what it names is then unknown, and collection keeps every blob). */
  async #manifestsOf(name: string, doc: ImageDocument): Promise<ParsedManifests> {
    const out = new Map<string, Manifest>();
    for (const [digest, entry] of Object.entries(doc.manifests)) {
      try {
        out.set(digest, (await this.#stored(name, digest, entry)).manifest);
      } catch {
        // Unreadable: collect() and deletionOf() keep what it may name.
      }
    }
    return out;
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

  /**
   * A blob committed to the blob store (verified against its digest) becomes part of the image
   * repository, as an upload no manifest names yet: kept for the grace period, and for good once a
   * manifest pushed names it. Uploading it again while it waits starts its grace again.
   */
  async addBlob(name: string, digest: string, size: number, who: Pusher): Promise<void> {
    await this.#write(name, who, ({ doc, files }, now) => {
      const waiting = doc.uploads !== null && Object.hasOwn(doc.uploads, digest);
      if (files[blobFile(digest)]?.size === size && !waiting) return null;
      const uploads = doc.uploads === null ? null : { ...doc.uploads, [digest]: now.toISOString() };
      return { doc: { ...doc, uploads }, files: { ...files, [blobFile(digest)]: hostedFile(digest, size) }, audit: null };
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
    await this.#write(name, who, ({ doc, files }, now) => {
      missingReference(files, doc, manifest, label);
      const tags = ref.kind === 'tag' ? { ...doc.tags, [ref.tag]: digest } : doc.tags;
      if (ref.kind === 'tag' && !Object.hasOwn(doc.tags, ref.tag) && Object.keys(doc.tags).length >= MAX_TAGS) {
        throw new AirlockError('LIMIT_EXCEEDED', `${this.#deps.repo}/${name} has ${MAX_TAGS} tags, the most an image repository keeps; delete some first`, { details: { ociCode: 'DENIED' } });
      }
      const entry = doc.manifests[digest] ?? manifestEntry({ mediaType: manifest.mediaType, size: bytes.length, subject: manifest.subject, artifactType: manifest.artifactType, configType, annotations: manifest.annotations }, now.toISOString());
      if (doc.manifests[digest] !== undefined && tags === doc.tags) return null;
      return {
        doc: { tags, manifests: { ...doc.manifests, [digest]: entry }, uploads: claimed(doc.uploads, manifest) },
        files: { ...files, [manifestFile(digest)]: hostedFile(digest, bytes.length) },
        audit: { action: 'image.push', subject: imagePurl(name, digest), details: { repo: this.#deps.repo, tag: ref.kind === 'tag' ? ref.tag : null, mediaType: manifest.mediaType, size: bytes.length, subject: manifest.subject?.digest ?? null } },
      };
    });
    return { digest, manifest };
  }

  /**
   * A manifest deleted by digest, with the tags naming it, its untagged referrers and, for an
   * index, its children nothing else names (image-gc.ts: deletionOf); the record stops naming the
   * blobs no manifest left names. Refused while an index that stays lists it.
   */
  async deleteManifest(name: string, digest: string, who: Pusher): Promise<void> {
    let removed: readonly string[] = [];
    await this.#write(name, who, async ({ exists, doc, files }, now) => {
      const label = referenceLabel(name, { kind: 'digest', digest });
      if (!exists || doc.manifests[digest] === undefined) throw unknown('MANIFEST_UNKNOWN', `${label} has not been pushed to ${this.#deps.repo}`);
      const parsed = await this.#manifestsOf(name, doc);
      removed = deletionOf(doc, parsed, digest, label);
      const left = withoutManifests(doc, files, removed);
      const remaining = new Map([...parsed].filter(([d]) => left.doc.manifests[d] !== undefined));
      const collected = collect(left.doc, left.files, remaining, { now, graceMs: this.#uploadGraceMs, writtenAt: now });
      const tags = Object.keys(doc.tags).filter((t) => doc.tags[t] === digest);
      const audit: Audit = { action: 'image.delete', subject: imagePurl(name, digest), details: { repo: this.#deps.repo, tags, alsoDeleted: removed.slice(1, 1 + MAX_AUDITED) } };
      return { doc: collected.doc, files: collected.files, audit, collected };
    });
    for (const d of removed) this.#parsed.delete(`${name}@${d}`);
  }

  /** A tag deleted; the manifest it named stays (by digest), with what it names. */
  async deleteTag(name: string, tag: string, who: Pusher): Promise<void> {
    await this.#write(name, who, ({ exists, doc, files }) => {
      // A tag named like what every object has (`constructor`) is not one unless pushed.
      const digest = ownMember(doc.tags, tag);
      if (!exists || digest === undefined) throw unknown('MANIFEST_UNKNOWN', `${name}:${tag} has not been pushed to ${this.#deps.repo}`);
      const { [tag]: _gone, ...tags } = doc.tags;
      return { doc: { ...doc, tags }, files, audit: { action: 'image.untag', subject: imagePurl(name, digest), details: { repo: this.#deps.repo, tag } } };
    });
  }

  /**
   * The whole record of `name` collected (image-gc.ts: collect) — what the storage sweep runs over
   * every image repository: the blobs no manifest names, uploaded longer ago than the grace, and
   * manifest files without a manifest are dropped, in the audit trail as `image.gc`. A dry run
   * writes nothing and reports what would go.
   */
  async collectGarbage(name: string, options: { readonly dryRun: boolean }): Promise<CollectReport> {
    let report: CollectReport = { blobs: 0, bytes: 0, manifests: 0 };
    const run = async ({ exists, doc, files, upgraded }: Current, now: Date): Promise<Change> => {
      if (!exists) return null;
      const collected = collect(doc, files, await this.#manifestsOf(name, doc), { now, graceMs: this.#uploadGraceMs, writtenAt: now });
      const all = merged(upgraded, collected);
      report = { blobs: all.blobs.length, bytes: all.bytes, manifests: all.manifests.length };
      if (options.dryRun || (all.blobs.length === 0 && all.manifests.length === 0)) return null;
      return { doc: collected.doc, files: collected.files, audit: null, collected };
    };
    await this.#write(name, SYSTEM, run);
    return report;
  }

  /** One write at a time per image repository here; a compare-and-swap against other gateways. */
  #write(name: string, who: Pusher, change: ChangeFn): Promise<void> {
    const previous = this.#writing.get(name) ?? Promise.resolve();
    const run = previous.then(() => this.#attempt(name, who, change));
    const settled = run.catch(() => undefined);
    this.#writing.set(name, settled);
    void settled.then(() => {
      if (this.#writing.get(name) === settled) this.#writing.delete(name);
    });
    return run;
  }

  /**
   * The record as a write starts from: one written before uploads were kept gets them (collected
   * whole, its unnamed blobs counted as uploaded when it was last written).
   */
  async #current(name: string, read: { readonly pkg: HostedPackage; readonly doc: ImageDocument } | null, now: Date): Promise<Current> {
    if (read === null) return { exists: false, doc: EMPTY_DOCUMENT, files: {}, upgraded: null };
    if (read.doc.uploads !== null) return { exists: true, doc: read.doc, files: read.pkg.files, upgraded: null };
    const upgraded = collect(read.doc, read.pkg.files, await this.#manifestsOf(name, read.doc), { now, graceMs: this.#uploadGraceMs, writtenAt: read.pkg.updatedAt });
    return { exists: true, doc: upgraded.doc, files: upgraded.files, upgraded };
  }

  async #attempt(name: string, who: Pusher, change: ChangeFn): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await this.#read(name);
      const at = this.#deps.clock();
      const current = await this.#current(name, read, at);
      const changed = await change(current, at);
      if (changed === null) return;
      // A write that did not collect the whole record itself drops the uploads past the grace.
      const final = changed.collected ?? expireUploads({ ...changed.doc, uploads: changed.doc.uploads ?? {} }, changed.files, { now: at, graceMs: this.#uploadGraceMs });
      const document = JSON.stringify(final.doc);
      if (Buffer.byteLength(document) > this.#maxDocumentBytes) {
        throw new AirlockError('LIMIT_EXCEEDED', `the record of ${this.#deps.repo}/${name} would be larger than the repository's limit of ${this.#maxDocumentBytes} bytes (maxMetadataSize)`, { details: { ociCode: 'DENIED' } });
      }
      const next: HostedPackage = { repo: this.#deps.repo, ecosystem: 'oci', name, rev: (read?.pkg.rev ?? 0) + 1, document, files: final.files, updatedAt: at };
      const audited = withDropped(changed.audit, this.#deps.repo, name, merged(current.upgraded, final));
      const audit = audited === null ? undefined : { ...audited, at, actor: who.actor };
      if (await this.#deps.store.putHostedPackage(next, audit)) {
        for (const listener of this.#written) listener(name);
        return;
      }
    }
    throw new AirlockError('CONFLICT', `${this.#deps.repo}/${name} is being changed by others at the same time; try again`, { details: { ociCode: 'TOOMANYREQUESTS' } });
  }
}

/** The actor of what the storage sweep's collection writes. */
const SYSTEM: Pusher = { actor: 'system' };

/** What two collections of one write dropped, together (the second ran on what the first left). */
function merged(a: Collected | null, b: Collected): Collected {
  if (a === null) return b;
  return { doc: b.doc, files: b.files, blobs: [...a.blobs, ...b.blobs].sort(), bytes: a.bytes + b.bytes, manifests: [...a.manifests, ...b.manifests].sort() };
}

/** The audit details of what a collection dropped: the digests (the first hundred) and how many. */
function droppedDetails(c: Collected): { readonly dropped: Json } {
  return { dropped: { blobs: c.blobs.slice(0, MAX_AUDITED), blobCount: c.blobs.length, bytes: c.bytes, manifests: c.manifests.slice(0, MAX_AUDITED), manifestCount: c.manifests.length } };
}

function gcAudit(repo: string, name: string, c: Collected): Audit {
  return { action: 'image.gc', subject: makePurl('oci', name), details: { repo, ...droppedDetails(c) } };
}

/** A write's audit event with what it dropped besides; `image.gc` for a write that has none (a blob upload). */
function withDropped(audit: Audit | null, repo: string, name: string, c: Collected): Audit | null {
  if (c.blobs.length === 0 && c.manifests.length === 0) return audit;
  if (audit === null) return gcAudit(repo, name, c);
  const details = typeof audit.details === 'object' && audit.details !== null && !Array.isArray(audit.details) ? audit.details : {};
  return { ...audit, details: { ...details, ...droppedDetails(c) } };
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
function missingReference(files: Readonly<Record<string, HostedFile>>, doc: ImageDocument, manifest: Manifest, label: string): void {
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
    const have = files[blobFile(d.digest)];
    if (have === undefined || have.size !== d.size) {
      throw new AirlockError('BAD_REQUEST', `the manifest pushed as ${label} names the blob ${d.digest} (${d.size} bytes), which has not been uploaded to this image repository; upload it first`, { details: { ociCode: 'MANIFEST_BLOB_UNKNOWN', digest: d.digest } });
    }
  }
}
