/**
 * What a hosted oci repository keeps of one image repository (`team/app`): one hosted package
 * whose document holds its tags (tag → manifest digest) and its manifests (digest → media type,
 * size, and what the referrers API lists of it), and whose files name every blob pushed to it and
 * every manifest's bytes (`blobs/<digest>`, `manifests/<digest>`), so the storage sweep keeps
 * them. The document is read back as strictly as it is written: it is the only copy.
 */
import { AirlockError, isPlainObject, setMember, type Sha256Digest } from '../../../core/index.ts';
import type { HostedFile } from '../../../storage/ports/index.ts';
import type { Descriptor } from '../manifest.ts';
import { isDigest, isTag } from '../references.ts';

/** Annotations a manifest's referrer descriptor carries, at most (cosign and oras write a few). */
const MAX_REFERRER_ANNOTATIONS = 32;
const MAX_ANNOTATION_CHARS = 1024;

export interface ManifestEntry {
  readonly mediaType: string;
  readonly size: number;
  /** RFC 3339: when it was pushed (first). */
  readonly pushedAt: string;
  /** The manifest it refers to (`subject`), for the referrers API. */
  readonly subject: string | null;
  /** Its `artifactType`, or its config's media type when it has none (what a referrer descriptor says). */
  readonly artifactType: string | null;
  /** Its annotations, bounded (a referrer descriptor carries them); only kept for a manifest with a subject. */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ImageDocument {
  readonly tags: Readonly<Record<string, string>>;
  readonly manifests: Readonly<Record<string, ManifestEntry>>;
  /**
   * Blobs uploaded (or mounted) that no manifest pushed since has named, with when (RFC 3339):
   * a push uploads its blobs before its manifest, so these are kept for the grace period, then
   * dropped (image-gc.ts). Null in a record written before it was kept: every blob no manifest
   * names counts as uploaded when the record was last written.
   */
  readonly uploads: Readonly<Record<string, string>> | null;
}

export const EMPTY_DOCUMENT: ImageDocument = { tags: {}, manifests: {}, uploads: {} };

export function blobFile(digest: string): string {
  return `blobs/${digest}`;
}

export function manifestFile(digest: string): string {
  return `manifests/${digest}`;
}

function corrupt(name: string, what: string): AirlockError {
  return new AirlockError('STORAGE_ERROR', `the stored record of the image repository ${name} is not readable (${what})`);
}

function entryOf(name: string, digest: string, v: unknown): ManifestEntry {
  if (!isDigest(digest) || !isPlainObject(v)) throw corrupt(name, 'a manifest entry');
  const { mediaType, size, pushedAt, subject, artifactType, annotations } = v;
  if (typeof mediaType !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || typeof pushedAt !== 'string') throw corrupt(name, `the manifest ${digest}`);
  if (subject !== null && (typeof subject !== 'string' || !isDigest(subject))) throw corrupt(name, `the subject of ${digest}`);
  if (artifactType !== null && typeof artifactType !== 'string') throw corrupt(name, `the artifact type of ${digest}`);
  if (!isPlainObject(annotations) || Object.values(annotations).some((a) => typeof a !== 'string')) throw corrupt(name, `the annotations of ${digest}`);
  return { mediaType, size, pushedAt, subject, artifactType, annotations: annotations as Record<string, string> };
}

/** The document as stored, checked. */
export function parseImageDocument(name: string, text: string): ImageDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw corrupt(name, 'not JSON');
  }
  if (!isPlainObject(doc) || !isPlainObject(doc['tags']) || !isPlainObject(doc['manifests'])) throw corrupt(name, 'not an image document');
  const manifests: Record<string, ManifestEntry> = {};
  for (const [digest, entry] of Object.entries(doc['manifests'])) manifests[digest] = entryOf(name, digest, entry);
  const tags: Record<string, string> = {};
  for (const [tag, digest] of Object.entries(doc['tags'])) {
    if (!isTag(tag) || typeof digest !== 'string' || !Object.hasOwn(manifests, digest)) throw corrupt(name, `the tag ${tag.slice(0, 128)}`);
    // `__proto__` is a tag like any other (OCI's grammar allows it): assigned, it was gone.
    setMember(tags, tag, digest);
  }
  const stored = doc['uploads'];
  if (stored === undefined) return { tags, manifests, uploads: null };
  if (!isPlainObject(stored)) throw corrupt(name, 'the uploads');
  const uploads: Record<string, string> = {};
  for (const [digest, at] of Object.entries(stored)) {
    if (!isDigest(digest) || typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw corrupt(name, `the upload ${digest.slice(0, 80)}`);
    uploads[digest] = at;
  }
  return { tags, manifests, uploads };
}

/** The entry a pushed manifest gets (annotations only for a referrer, bounded). */
export function manifestEntry(m: { readonly mediaType: string; readonly size: number; readonly subject: Descriptor | null; readonly artifactType: string | null; readonly configType: string | null; readonly annotations: Readonly<Record<string, string>> }, now: string): ManifestEntry {
  const annotations: Record<string, string> = {};
  if (m.subject !== null) {
    for (const [k, v] of Object.entries(m.annotations).slice(0, MAX_REFERRER_ANNOTATIONS)) {
      if (k.length <= 256 && v.length <= MAX_ANNOTATION_CHARS) setMember(annotations, k, v);
    }
  }
  return { mediaType: m.mediaType, size: m.size, pushedAt: now, subject: m.subject?.digest ?? null, artifactType: m.artifactType ?? m.configType, annotations };
}

/** The referrers of `digest`: a descriptor per manifest whose subject it is, in digest order. */
export function referrersOf(doc: ImageDocument, digest: string): Descriptor[] {
  return Object.entries(doc.manifests)
    .filter(([, e]) => e.subject === digest)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([d, e]) => ({ mediaType: e.mediaType, digest: d, size: e.size, artifactType: e.artifactType, annotations: e.annotations, platform: null }));
}

export function hostedFile(digest: string, size: number): HostedFile {
  return { blob: digest as Sha256Digest, size };
}
