/**
 * Real OCI content for tests: image manifests (OCI or Docker v2s2) over one gzip'd ustar layer
 * and a real image config, image indexes / Docker manifest lists over several platform images,
 * and on-disk OCI image layouts (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) that skopeo
 * copies from. Every object keeps its exact bytes: digests are over those bytes, never re-made.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tar, type TarFile } from '../npm-registry/tarball.ts';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The `Accept` list skopeo 1.9.3 sends for manifests (oci.md §1), for tests that fetch by hand. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v1+json',
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociIndex,
].join(', ');

export type MediaTypeFlavour = 'oci' | 'docker';

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

/**
 * Something a tag can point at: a manifest or an index, its exact bytes, and every blob it needs
 * (keyed by digest, the manifest's own bytes and those of child manifests included).
 */
export interface BuiltObject {
  readonly mediaType: string;
  readonly manifestDigest: string;
  readonly manifestBytes: Buffer;
  readonly blobs: ReadonlyMap<string, Buffer>;
}

export interface BuiltImage extends BuiltObject {
  readonly configDigest: string;
  readonly configBytes: Buffer;
  /** Compressed layer digests, in manifest order. */
  readonly layerDigests: readonly string[];
  /** The layers' exact bytes, in manifest order. */
  readonly layers: readonly Buffer[];
  /** sha256 of each uncompressed layer tar (`rootfs.diff_ids`). */
  readonly diffIds: readonly string[];
  readonly platform: Platform;
}

export interface BuiltIndex extends BuiltObject {
  /** Same as `manifestDigest`: the index's own digest. */
  readonly indexDigest: string;
  readonly indexBytes: Buffer;
  readonly images: readonly BuiltImage[];
}

export type FileContent = string | Uint8Array | { readonly content: string | Uint8Array; readonly mode?: number };

export interface ImageConfigFields {
  readonly User?: string;
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Env?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly WorkingDir?: string;
}

export interface ImageSpec {
  /** Files of the one layer, path (no leading slash) → content; parent directories are added. */
  readonly files: Readonly<Record<string, FileContent>>;
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  /** RFC 3339; a fixed date by default, so the same spec always gives the same digests. */
  readonly created?: string;
  readonly config?: ImageConfigFields;
  readonly history?: readonly Readonly<Record<string, unknown>>[];
  /** `oci` (default) or `docker` (v2s2 manifest, Docker config and layer media types). */
  readonly mediaTypes?: MediaTypeFlavour;
  /** Manifest annotations (OCI only; Docker v2s2 has none, but distribution stores them anyway). */
  readonly annotations?: Readonly<Record<string, string>>;
}

const DEFAULT_CREATED = '2026-01-01T00:00:00Z';

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function withParents(files: Readonly<Record<string, FileContent>>): TarFile[] {
  const dirs = new Set<string>();
  const entries: TarFile[] = [];
  for (const [path, value] of Object.entries(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!dirs.has(dir)) {
        dirs.add(dir);
        entries.push({ path: dir, content: '', type: 'directory', mode: 0o755 });
      }
    }
    const file = typeof value === 'string' || value instanceof Uint8Array ? { content: value } : value;
    entries.push({ path, content: file.content, mode: file.mode ?? 0o644 });
  }
  return entries;
}

/** A gzip'd ustar layer of `files` and the sha256 of its uncompressed tar (its diff id). */
export function buildLayer(files: Readonly<Record<string, FileContent>>): { readonly bytes: Buffer; readonly digest: string; readonly diffId: string } {
  const raw = tar(withParents(files));
  const bytes = gzipSync(raw);
  return { bytes, digest: sha256Digest(bytes), diffId: sha256Digest(raw) };
}

interface ImageParts {
  readonly flavour: MediaTypeFlavour;
  readonly configBytes: Buffer;
  readonly layers: readonly { readonly bytes: Buffer; readonly mediaType: string; readonly annotations?: Readonly<Record<string, string>> }[];
  readonly diffIds: readonly string[];
  readonly platform: Platform;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

/** A manifest over a config and layers, all bytes kept. */
export function assembleImage(parts: ImageParts): BuiltImage {
  const docker = parts.flavour === 'docker';
  const mediaType = docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  const configDigest = sha256Digest(parts.configBytes);
  const layerDescriptors = parts.layers.map((l) => ({
    mediaType: l.mediaType,
    digest: sha256Digest(l.bytes),
    size: l.bytes.length,
    ...(l.annotations === undefined ? {} : { annotations: l.annotations }),
  }));
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: configDigest, size: parts.configBytes.length },
    layers: layerDescriptors,
    ...(parts.annotations === undefined ? {} : { annotations: parts.annotations }),
  };
  const manifestBytes = json(manifest);
  const manifestDigest = sha256Digest(manifestBytes);
  const blobs = new Map<string, Buffer>([[configDigest, parts.configBytes]]);
  for (const l of parts.layers) blobs.set(sha256Digest(l.bytes), l.bytes);
  blobs.set(manifestDigest, manifestBytes);
  return {
    mediaType,
    manifestDigest,
    manifestBytes,
    blobs,
    configDigest,
    configBytes: parts.configBytes,
    layerDigests: layerDescriptors.map((d) => d.digest),
    layers: parts.layers.map((l) => l.bytes),
    diffIds: parts.diffIds,
    platform: parts.platform,
  };
}

/** One image: its files as one gzip'd tar layer, a real config, an OCI or Docker v2s2 manifest. */
export function buildImage(spec: ImageSpec): BuiltImage {
  const flavour = spec.mediaTypes ?? 'oci';
  const layer = buildLayer(spec.files);
  const created = spec.created ?? DEFAULT_CREATED;
  const platform: Platform = {
    architecture: spec.architecture ?? 'amd64',
    os: spec.os ?? 'linux',
    ...(spec.variant === undefined ? {} : { variant: spec.variant }),
  };
  const config = {
    created,
    architecture: platform.architecture,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    os: platform.os,
    config: spec.config ?? {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: spec.history ?? [{ created, created_by: 'airlock test fixture: COPY files /' }],
  };
  return assembleImage({
    flavour,
    configBytes: json(config),
    layers: [{ bytes: layer.bytes, mediaType: flavour === 'docker' ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip }],
    diffIds: [layer.diffId],
    platform,
    annotations: spec.annotations,
  });
}

export interface IndexSpec {
  readonly images: readonly BuiltImage[];
  /** `oci` (default): OCI image index; `docker`: Docker manifest list. */
  readonly mediaTypes?: MediaTypeFlavour;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A multi-arch index (or manifest list) over platform images, each descriptor with its platform. */
export function buildIndex(spec: IndexSpec): BuiltIndex {
  const docker = spec.mediaTypes === 'docker';
  const mediaType = docker ? MEDIA_TYPES.dockerManifestList : MEDIA_TYPES.ociIndex;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: spec.images.map((i) => ({ mediaType: i.mediaType, digest: i.manifestDigest, size: i.manifestBytes.length, platform: i.platform })),
    ...(spec.annotations === undefined ? {} : { annotations: spec.annotations }),
  };
  const indexBytes = json(index);
  const indexDigest = sha256Digest(indexBytes);
  const blobs = new Map<string, Buffer>();
  for (const image of spec.images) for (const [d, b] of image.blobs) blobs.set(d, b);
  blobs.set(indexDigest, indexBytes);
  return { mediaType, manifestDigest: indexDigest, manifestBytes: indexBytes, indexDigest, indexBytes, blobs, images: spec.images };
}

/** An OCI index over other indexes and images (a descriptor carries a platform where its child has one). */
export function buildNestedIndex(children: readonly (BuiltIndex | BuiltImage)[]): BuiltObject {
  const manifests = children.map((c) => ({ mediaType: c.mediaType, digest: c.manifestDigest, size: c.manifestBytes.length, ...('platform' in c ? { platform: c.platform } : {}) }));
  const bytes = json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests });
  const blobs = new Map<string, Buffer>();
  for (const c of children) for (const [d, b] of c.blobs) blobs.set(d, b);
  const digest = sha256Digest(bytes);
  blobs.set(digest, bytes);
  return { mediaType: MEDIA_TYPES.ociIndex, manifestDigest: digest, manifestBytes: bytes, blobs };
}

/** A multi-arch image: one image per platform (each spec's architecture/os), under one index. */
export function buildMultiArch(specs: readonly ImageSpec[], options: Omit<IndexSpec, 'images'> = {}): BuiltIndex {
  return buildIndex({ ...options, images: specs.map(buildImage) });
}

/** An entry of a layout's `index.json`: what it points at and its `org.opencontainers.image.ref.name`. */
export type LayoutEntry = BuiltObject & { readonly ref: string };

/**
 * Writes an OCI image layout: `oci-layout`, every blob under `blobs/sha256/<hex>`, and
 * `index.json` with one descriptor per entry, annotated with its ref name. skopeo reads it as
 * `oci:<dir>:<ref>`.
 */
export async function writeLayout(dir: string, entries: readonly LayoutEntry[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const written = new Set<string>();
  for (const entry of entries) {
    for (const [digest, bytes] of entry.blobs) {
      if (written.has(digest)) continue;
      written.add(digest);
      await writeFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    }
  }
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: entries.map((e) => ({
      mediaType: e.mediaType,
      digest: e.manifestDigest,
      size: e.manifestBytes.length,
      annotations: { 'org.opencontainers.image.ref.name': e.ref },
    })),
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}

export interface ArtifactLayer {
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * An OCI artifact as oras and cosign v3 push one: an image manifest with an `artifactType`, the
 * empty config (`{}`), its files as layers, and optionally the image it refers to (`subject`).
 */
export function buildArtifact(spec: { readonly artifactType: string; readonly layers: readonly ArtifactLayer[]; readonly subject?: BuiltObject; readonly annotations?: Readonly<Record<string, string>> }): BuiltObject {
  const empty = Buffer.from('{}');
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType: spec.artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: empty.length },
    layers: spec.layers.map((l) => ({ mediaType: l.mediaType, digest: sha256Digest(l.bytes), size: l.bytes.length, ...(l.annotations === undefined ? {} : { annotations: l.annotations }) })),
    ...(spec.subject === undefined ? {} : { subject: { mediaType: spec.subject.mediaType, digest: spec.subject.manifestDigest, size: spec.subject.manifestBytes.length } }),
    ...(spec.annotations === undefined ? {} : { annotations: spec.annotations }),
  });
  const digest = sha256Digest(manifest);
  const blobs = new Map<string, Buffer>([[sha256Digest(empty), empty]]);
  for (const l of spec.layers) blobs.set(sha256Digest(l.bytes), l.bytes);
  blobs.set(digest, manifest);
  return { mediaType: MEDIA_TYPES.ociManifest, manifestDigest: digest, manifestBytes: manifest, blobs };
}
