/**
 * The images of `bench:oci`: real OCI image manifests over layers of incompressible random bytes
 * (each a gzip'd ustar archive of one file, stored uncompressed inside gzip: random bytes do not
 * compress, and level 0 builds a 200 MiB layer in a second rather than five), with a real image
 * config, pushed straight to the fixture registry (not through Airlock). Each image is new
 * content: Airlock's blob store is addressed by digest, so an image sharing a layer with one
 * pulled before would not be cold (nor, pushed, would it be uploaded again).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tar } from '../../test/support/npm-registry/tarball.ts';
import { assembleImage, MEDIA_TYPES, pushLayout, sha256Digest, writeLayout, type FixtureRegistry } from '../../test/support/oci/index.ts';

/** Older than the built-in policy's cooldown, so that every image is allowed. */
const CREATED = '2025-06-01T10:00:00Z';
export const TAG = 'v1';

/** What the benchmark keeps of a pushed image: not its bytes. */
export interface PushedImage {
  readonly name: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
  readonly layerSizes: readonly number[];
  /** Bytes of its config and layers. */
  readonly blobBytes: number;
}

/** An image written as an OCI layout, tagged v1, ready to push; the caller removes `layout`. */
export interface ImageLayout extends Omit<PushedImage, 'name'> {
  /** The layout's directory (`oci:<layout>:v1`). */
  readonly layout: string;
}

/** An image whose layers hold `layerBytes[i]` random bytes each; pushed to the registry as `name:v1`, then forgotten. */
export async function pushRandomImage(registry: FixtureRegistry, scratch: string, name: string, layerBytes: readonly number[]): Promise<PushedImage> {
  const { layout, ...image } = await randomImageLayout(scratch, layerBytes);
  try {
    await pushLayout(layout, TAG, `${registry.directHost}/${name}:${TAG}`, { timeoutMs: 300_000 });
  } finally {
    await rm(layout, { recursive: true, force: true });
  }
  return { name, ...image };
}

/** An image whose layers hold `layerBytes[i]` random bytes each, as an OCI layout under `scratch`. */
export async function randomImageLayout(scratch: string, layerBytes: readonly number[]): Promise<ImageLayout> {
  const diffIds: string[] = [];
  const layers = layerBytes.map((size, i) => {
    const raw = tar([{ path: `data-${i}.bin`, content: randomBytes(size) }]);
    diffIds.push(sha256Digest(raw));
    return { bytes: gzipSync(raw, { level: 0 }), mediaType: MEDIA_TYPES.ociLayerGzip };
  });
  const config = {
    created: CREATED,
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map(() => ({ created: CREATED, created_by: 'airlock bench: COPY random bytes /' })),
  };
  const image = assembleImage({ flavour: 'oci', configBytes: Buffer.from(JSON.stringify(config)), layers, diffIds, platform: { architecture: 'amd64', os: 'linux' } });
  const layout = await mkdtemp(join(scratch, 'layout-'));
  try {
    await writeLayout(layout, [{ ...image, ref: TAG }]);
  } catch (err) {
    await rm(layout, { recursive: true, force: true });
    throw err;
  }
  return {
    layout,
    manifestDigest: image.manifestDigest,
    configDigest: image.configDigest,
    layerDigests: image.layerDigests,
    layerSizes: image.layers.map((l) => l.length),
    blobBytes: image.configBytes.length + image.layers.reduce((n, l) => n + l.length, 0),
  };
}
