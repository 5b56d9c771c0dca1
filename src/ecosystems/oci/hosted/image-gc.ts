/**
 * Garbage collection of one image repository's record (image-document.ts): which blobs and
 * manifests it should stop naming. Pure: the record and the manifests it holds (parsed by the
 * bounded manifest parser) in, the record as it should be and what it dropped out. Nothing here
 * deletes bytes: blobs are content-addressed and may be named by other records, so a record only
 * stops naming them, and the storage sweep removes the bytes nothing names any more.
 *
 * What keeps what, as distribution and Harbor have it:
 * - a manifest is kept until it is deleted (a tag is a name for it, not what keeps it: an
 *   untagged manifest stays pullable by digest);
 * - an image manifest keeps its config and layers, an index keeps its child manifests;
 * - a `subject` keeps nothing: a signature or SBOM pointing at an image neither keeps the image
 *   nor its blobs; it keeps only its own (its layers, its config);
 * - a blob no manifest names is kept for the grace period after its upload (a push uploads its
 *   blobs before its manifest), then dropped.
 *
 * Deleting a manifest also deletes (deletionOf) its referrers that have no tag (an artifact whose
 * subject is gone is unreachable and meaningless: Harbor deletes an artifact's accessories with it,
 * zot's collector its referrers), and an index's children that no tag and no remaining index
 * name (`skopeo copy --all` pushes them by digest for the index alone). Deleting a manifest an
 * index that stays lists is refused, naming the index: the index would point at nothing.
 */
import { AirlockError } from '../../../core/index.ts';
import type { HostedFile } from '../../../storage/ports/index.ts';
import type { Manifest } from '../manifest.ts';
import { blobFile, manifestFile, type ImageDocument } from './image-document.ts';

/** The manifests of an image repository by digest, parsed; one whose bytes could not be read is absent (what it names is unknown). */
export type ParsedManifests = ReadonlyMap<string, Manifest>;

/** What a manifest names within its image repository: blobs (an image's config and layers) and manifests (an index's children). */
export function namedBy(m: Manifest): { readonly blobs: readonly string[]; readonly manifests: readonly string[] } {
  return m.kind === 'index' ? { blobs: [], manifests: m.manifests.map((d) => d.digest) } : { blobs: [m.config.digest, ...m.layers.map((d) => d.digest)], manifests: [] };
}

/** Whether every manifest of the record was parsed (otherwise what the missing ones name is unknown, and nothing they might name is dropped). */
function complete(doc: ImageDocument, parsed: ParsedManifests): boolean {
  return Object.keys(doc.manifests).every((d) => parsed.has(d));
}

/** The indexes of the record that list `digest`. */
function listers(doc: ImageDocument, parsed: ParsedManifests, digest: string): string[] {
  return Object.keys(doc.manifests).filter((d) => {
    const m = parsed.get(d);
    return m?.kind === 'index' && m.manifests.some((c) => c.digest === digest);
  });
}

/**
 * The manifests deleting `digest` removes, `digest` first: it; its referrers (manifests whose
 * subject a removed one is) that have no tag; and the children of a removed index that have no
 * tag and that no index left lists — each in turn, so a signature of a removed child goes too.
 * Refused (CONFLICT) when an index that stays lists `digest`. With a manifest whose bytes could
 * not be read, only referrers follow (the unread one may be an index listing the children).
 */
export function deletionOf(doc: ImageDocument, parsed: ParsedManifests, digest: string, label: string): string[] {
  const holding = listers(doc, parsed, digest).filter((d) => d !== digest);
  if (holding.length > 0) {
    const tagsOf = (d: string): string[] => Object.keys(doc.tags).filter((t) => doc.tags[t] === d);
    const named = holding.slice(0, 5).map((d) => (tagsOf(d).length > 0 ? `${d} (tagged ${tagsOf(d).slice(0, 3).join(', ')})` : d));
    throw new AirlockError('CONFLICT', `${label} is listed by the index ${named.join(', ')}${holding.length > 5 ? ` and ${holding.length - 5} more` : ''}; delete the index first`, { details: { ociCode: 'DENIED', indexes: holding.slice(0, 100) } });
  }
  const tagged = new Set(Object.values(doc.tags));
  const children = complete(doc, parsed);
  const removed = [digest];
  const gone = new Set(removed);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [d, entry] of Object.entries(doc.manifests)) {
      if (gone.has(d) || tagged.has(d)) continue;
      const by = listers(doc, parsed, d);
      if (!by.every((l) => gone.has(l))) continue;
      const orphanReferrer = entry.subject !== null && gone.has(entry.subject);
      const orphanChild = children && by.length > 0;
      if (!orphanReferrer && !orphanChild) continue;
      removed.push(d);
      gone.add(d);
      grew = true;
    }
  }
  return removed;
}

/** The record without the manifests in `removed`, and the tags naming them. */
export function withoutManifests(doc: ImageDocument, files: Readonly<Record<string, HostedFile>>, removed: readonly string[]): { readonly doc: ImageDocument; readonly files: Record<string, HostedFile> } {
  const gone = new Set(removed);
  const manifests = Object.fromEntries(Object.entries(doc.manifests).filter(([d]) => !gone.has(d)));
  const tags = Object.fromEntries(Object.entries(doc.tags).filter(([, d]) => !gone.has(d)));
  const out = { ...files };
  for (const d of removed) delete out[manifestFile(d)];
  return { doc: { tags, manifests, uploads: doc.uploads }, files: out };
}

export interface Collected {
  readonly doc: ImageDocument;
  readonly files: Readonly<Record<string, HostedFile>>;
  /** The blobs the record stopped naming (digests, sorted), and their bytes. */
  readonly blobs: readonly string[];
  readonly bytes: number;
  /** The manifest files the record named without a manifest entry, dropped (digests, sorted). */
  readonly manifests: readonly string[];
}

export interface CollectTimes {
  readonly now: Date;
  /** A blob no manifest names is kept this long after its upload. */
  readonly graceMs: number;
  /** When the record was last written: the upload time of a blob a record without `uploads` names and no manifest does. */
  readonly writtenAt: Date;
}

/**
 * The whole record collected: the blobs no manifest of it names and uploaded longer ago than the
 * grace are dropped, with manifest files no entry has. Nothing is dropped of the blobs while a
 * manifest could not be read. The result has `uploads` (a record without them gets them).
 */
export function collect(doc: ImageDocument, files: Readonly<Record<string, HostedFile>>, parsed: ParsedManifests, times: CollectTimes): Collected {
  const out: Record<string, HostedFile> = {};
  const uploads: Record<string, string> = {};
  const blobs: string[] = [];
  let bytes = 0;
  const manifests: string[] = [];
  const known = complete(doc, parsed);
  const referenced = new Set<string>();
  for (const m of parsed.values()) for (const b of namedBy(m).blobs) referenced.add(b);
  const oldest = times.now.getTime() - times.graceMs;
  for (const [path, file] of Object.entries(files)) {
    if (path.startsWith('manifests/')) {
      const digest = path.slice('manifests/'.length);
      if (path === manifestFile(digest) && doc.manifests[digest] === undefined) manifests.push(digest);
      else out[path] = file;
      continue;
    }
    const digest = path.slice('blobs/'.length);
    if (path !== blobFile(digest) || referenced.has(digest)) {
      out[path] = file;
      continue;
    }
    const uploaded = doc.uploads === null ? times.writtenAt.toISOString() : doc.uploads[digest];
    if (!known || (uploaded !== undefined && Date.parse(uploaded) > oldest)) {
      out[path] = file;
      if (uploaded !== undefined) uploads[digest] = uploaded;
      continue;
    }
    blobs.push(digest);
    bytes += file.size;
  }
  return { doc: { tags: doc.tags, manifests: doc.manifests, uploads }, files: out, blobs: blobs.sort(), bytes, manifests: manifests.sort() };
}

/**
 * The uploads past the grace dropped, with their blobs: what a write does without reading the
 * manifests, since an upload is a blob no manifest pushed since names (a manifest's push takes
 * its blobs off the list). A record without `uploads` needs `collect` instead.
 */
export function expireUploads(doc: ImageDocument & { readonly uploads: Readonly<Record<string, string>> }, files: Readonly<Record<string, HostedFile>>, times: Omit<CollectTimes, 'writtenAt'>): Collected {
  const oldest = times.now.getTime() - times.graceMs;
  const expired = Object.keys(doc.uploads).filter((d) => !(Date.parse(doc.uploads[d] as string) > oldest)).sort();
  if (expired.length === 0) return { doc, files, blobs: [], bytes: 0, manifests: [] };
  const uploads = { ...doc.uploads };
  const out = { ...files };
  let bytes = 0;
  for (const d of expired) {
    bytes += out[blobFile(d)]?.size ?? 0;
    delete uploads[d];
    delete out[blobFile(d)];
  }
  return { doc: { tags: doc.tags, manifests: doc.manifests, uploads }, files: out, blobs: expired, bytes, manifests: [] };
}

/** Uploads without the blobs a pushed manifest names (they are its now). */
export function claimed(uploads: Readonly<Record<string, string>> | null, m: Manifest): Readonly<Record<string, string>> | null {
  if (uploads === null) return null;
  const names = namedBy(m).blobs;
  if (!names.some((b) => Object.hasOwn(uploads, b))) return uploads;
  return Object.fromEntries(Object.entries(uploads).filter(([d]) => !names.includes(d)));
}
