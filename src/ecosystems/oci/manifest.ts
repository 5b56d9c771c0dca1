/**
 * Manifests and indexes as registries serve them (OCI image manifest and index, Docker v2
 * schema 2 manifest and manifest list), read as hostile input: every field Airlock uses is type-
 * and bound-checked, and anything else is left as it is. The bytes are never re-serialised: a
 * manifest's digest is the sha256 of exactly the bytes served (protocols: oci.md §2).
 */
import { AirlockError, setMember } from '../../core/index.ts';
import { isDigest } from './references.ts';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  cosignSimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
} as const;

/** Every manifest type Airlock serves, as it asks the upstream for them (a registry answers 404 for a type not accepted). */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

/** A manifest is accepted up to this size (the spec asks registries to take at least 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_DESCRIPTORS = 1000;
const MAX_ANNOTATIONS = 256;
const MAX_STRING = 4096;

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | null;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType: string | null;
  readonly annotations: Readonly<Record<string, string>>;
  readonly platform: Platform | null;
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly artifactType: string | null;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject: Descriptor | null;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly artifactType: string | null;
  readonly manifests: readonly Descriptor[];
  readonly subject: Descriptor | null;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Manifest = ImageManifest | ImageIndex;

function bad(what: string, problem: string): AirlockError {
  return new AirlockError('UPSTREAM_BAD_RESPONSE', `${what} is not a manifest Airlock can serve: ${problem}`, { details: { ociCode: 'MANIFEST_INVALID' } });
}

function str(v: unknown, field: string, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_STRING) throw bad(what, `${field} is not a string of at most ${MAX_STRING} characters`);
  return v;
}

function optStr(v: unknown, field: string, what: string): string | null {
  return v === undefined || v === null ? null : str(v, field, what);
}

function annotations(v: unknown, field: string, what: string): Readonly<Record<string, string>> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(what, `${field} is not an object`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_ANNOTATIONS) throw bad(what, `${field} has more than ${MAX_ANNOTATIONS} entries`);
  const out: Record<string, string> = {};
  for (const [k, val] of entries) {
    if (typeof val !== 'string') throw bad(what, `${field}.${k.slice(0, 60)} is not a string`);
    // Signature annotations carry certificates and bundles: bounded, but more than a label.
    if (k.length > MAX_STRING || val.length > 64 * 1024) throw bad(what, `${field}.${k.slice(0, 60)} is too long`);
    setMember(out, k, val);
  }
  return out;
}

function platform(v: unknown, field: string, what: string): Platform | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(what, `${field} is not an object`);
  const o = v as Record<string, unknown>;
  return { os: str(o['os'], `${field}.os`, what), architecture: str(o['architecture'], `${field}.architecture`, what), variant: optStr(o['variant'], `${field}.variant`, what) };
}

function descriptor(v: unknown, field: string, what: string): Descriptor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(what, `${field} is not a descriptor`);
  const o = v as Record<string, unknown>;
  const digest = str(o['digest'], `${field}.digest`, what);
  if (!isDigest(digest)) throw bad(what, `${field}.digest ${JSON.stringify(digest.slice(0, 80))} is not a sha256 digest`);
  const size = o['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw bad(what, `${field}.size is not a size`);
  return {
    mediaType: str(o['mediaType'], `${field}.mediaType`, what),
    digest,
    size,
    artifactType: optStr(o['artifactType'], `${field}.artifactType`, what),
    annotations: annotations(o['annotations'], `${field}.annotations`, what),
    platform: platform(o['platform'], `${field}.platform`, what),
  };
}

function descriptors(v: unknown, field: string, what: string): Descriptor[] {
  if (!Array.isArray(v)) throw bad(what, `${field} is not a list`);
  if (v.length > MAX_DESCRIPTORS) throw bad(what, `${field} lists more than ${MAX_DESCRIPTORS} entries`);
  return v.map((d, i) => descriptor(d, `${field}[${i}]`, what));
}

/**
 * The manifest in `bytes`; `contentType` is the upstream's (a manifest without `mediaType` takes
 * it from there). Docker schema 1 is refused: it is deprecated, and its digests cannot be checked.
 */
export function parseManifest(bytes: Buffer, contentType: string | null, what: string): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw bad(what, `it is more than ${MAX_MANIFEST_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad(what, 'it is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad(what, 'it is not a JSON object');
  const o = doc as Record<string, unknown>;
  const header = contentType?.split(';')[0]?.trim().toLowerCase() ?? null;
  const mediaType = o['mediaType'] === undefined ? header : str(o['mediaType'], 'mediaType', what);
  if (o['schemaVersion'] === 1 || mediaType === MEDIA.dockerSchema1 || mediaType === MEDIA.dockerSchema1Signed) {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', `${what} is a Docker schema 1 manifest: deprecated, and its content cannot be verified; Airlock serves schema 2 and OCI images only`, { details: { ociCode: 'MANIFEST_INVALID' } });
  }
  if (o['schemaVersion'] !== 2) throw bad(what, 'schemaVersion is not 2');
  const common = {
    artifactType: optStr(o['artifactType'], 'artifactType', what),
    subject: o['subject'] === undefined || o['subject'] === null ? null : descriptor(o['subject'], 'subject', what),
    annotations: annotations(o['annotations'], 'annotations', what),
  };
  const isIndex = Array.isArray(o['manifests']) && o['config'] === undefined;
  if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || (mediaType === null && isIndex)) {
    return { kind: 'index', mediaType: mediaType ?? MEDIA.ociIndex, manifests: descriptors(o['manifests'], 'manifests', what), ...common };
  }
  if (mediaType !== null && mediaType !== MEDIA.ociManifest && mediaType !== MEDIA.dockerManifest) throw bad(what, `its media type ${mediaType.slice(0, 100)} is not a manifest type Airlock serves`);
  return {
    kind: 'manifest',
    mediaType: mediaType ?? MEDIA.ociManifest,
    config: descriptor(o['config'], 'config', what),
    layers: descriptors(o['layers'] ?? [], 'layers', what),
    ...common,
  };
}

/** Whether a client's `Accept` header takes a manifest of this media type (no header, or `*\/*`: any). */
export function accepts(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]?.trim().toLowerCase();
    if (type === '*/*' || type === mediaType) return true;
  }
  return false;
}

/** What an image's config says of it (`application/vnd.oci.image.config.v1+json` and Docker's), bounded. */
export interface ImageConfig {
  readonly created: string | null;
  readonly architecture: string | null;
  readonly os: string | null;
  readonly user: string | null;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly exposedPorts: readonly string[];
  readonly historyCount: number;
}

const MAX_LIST = 64;

function strings(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((s): s is string => typeof s === 'string').slice(0, MAX_LIST).map((s) => s.slice(0, 1024));
}

/** The config blob of an image; null when it is not an image config (an artifact's config: empty, or another type). */
export function parseImageConfig(bytes: Buffer): ImageConfig | null {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const o = doc as Record<string, unknown>;
  const c = typeof o['config'] === 'object' && o['config'] !== null && !Array.isArray(o['config']) ? (o['config'] as Record<string, unknown>) : {};
  const labels: Record<string, string> = {};
  if (typeof c['Labels'] === 'object' && c['Labels'] !== null) {
    for (const [k, v] of Object.entries(c['Labels'] as Record<string, unknown>).slice(0, MAX_LIST)) if (typeof v === 'string') setMember(labels, k.slice(0, 256), v.slice(0, 1024));
  }
  const s = (v: unknown): string | null => (typeof v === 'string' && v.length <= 1024 ? v : null);
  return {
    created: s(o['created']),
    architecture: s(o['architecture']),
    os: s(o['os']),
    user: s(c['User']),
    entrypoint: strings(c['Entrypoint']),
    cmd: strings(c['Cmd']),
    // Variable names only: values carry secrets often enough that they stay out of the audit trail.
    env: strings(c['Env']).map((e) => e.split('=')[0] as string),
    labels,
    exposedPorts: typeof c['ExposedPorts'] === 'object' && c['ExposedPorts'] !== null ? Object.keys(c['ExposedPorts'] as object).slice(0, MAX_LIST) : [],
    historyCount: Array.isArray(o['history']) ? o['history'].length : 0,
  };
}
