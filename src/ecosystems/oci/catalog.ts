/**
 * What the upstream registry says an image is: a tag resolves to a manifest (revalidated after
 * `metadataMaxAge`, served stale while the upstream fails), and a manifest by digest is fetched
 * once and kept for good (its bytes are its name). Every manifest is checked against its digest
 * and parsed before anything else looks at it; the raw bytes are what clients get.
 */
import { AirlockError, cacheFill, Lru, isAirlockError, sha256Of, type CacheFills } from '../../core/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { DocumentSource } from '../shared/document-source.ts';
import { MANIFEST_ACCEPT, parseManifest, type Manifest } from './manifest.ts';
import { referenceLabel, type Reference } from './references.ts';

export interface ResolvedManifest {
  readonly name: string;
  readonly digest: string;
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly manifest: Manifest;
  /** Served past its max age because the upstream failed (a tag only). */
  readonly stale: boolean;
}

export interface CatalogDeps {
  readonly upstream: Upstream;
  /** Tags: revalidated after the repository's metadata max age. */
  readonly tags: DocumentSource;
  /** Manifests by digest: kept for good. */
  readonly manifests: DocumentSource;
}

function notFound(what: 'MANIFEST_UNKNOWN' | 'NAME_UNKNOWN', message: string): AirlockError {
  return new AirlockError('UPSTREAM_NOT_FOUND', message, { details: { ociCode: what } });
}

/** A registry's ETag for a manifest is its digest (distribution, Docker Hub): `"sha256:<hex>"`. */
const DIGEST_ETAG = /^(?:W\/)?"?(sha256:[0-9a-f]{64})"?$/;

/**
 * What is wrong with the manifest bytes the upstream sent, or null: asked for by digest, they must
 * hash to it; asked for by tag, to the digest the registry gave them as their ETag, when it gave
 * one (skopeo does not check a manifest it resolved by tag: Airlock does, for every client).
 */
function manifestProblem(bytes: Buffer, ref: Reference, etag: string | null, label: string): string | null {
  const digest = sha256Of(bytes);
  if (ref.kind === 'digest') return digest === ref.digest ? null : `the upstream's manifest for ${label} does not hash to that digest (it hashes to ${digest}); refused, nothing was stored`;
  const given = etag === null ? null : (DIGEST_ETAG.exec(etag)?.[1] ?? null);
  return given === null || given === digest ? null : `the upstream's manifest for ${label} does not hash to the digest the registry gave it (${given}; it hashes to ${digest}); refused, nothing was stored`;
}

export class ImageCatalog {
  readonly #deps: CatalogDeps;
  /** Parsed manifests by name and digest (a manifest never changes). */
  readonly #parsed: Lru<string, ResolvedManifest>;

  constructor(deps: CatalogDeps, cacheBytes: number) {
    this.#deps = deps;
    this.#parsed = new Lru(cacheBytes, (m) => 512 + m.bytes.length * 3);
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { manifests: cacheFill(this.#parsed) };
  }

  /** The manifest a tag or digest names in the image repository `name`. */
  manifest(name: string, ref: Reference): Promise<ResolvedManifest> {
    return this.#load(name, ref, true);
  }

  async #load(name: string, ref: Reference, tellMissing: boolean): Promise<ResolvedManifest> {
    if (ref.kind === 'digest') {
      const known = this.#parsed.get(`${name}@${ref.digest}`);
      if (known !== undefined) return known;
    }
    const source = ref.kind === 'tag' ? this.#deps.tags : this.#deps.manifests;
    const key = ref.kind === 'tag' ? `tag/${name}:${ref.tag}` : `manifest/${name}@${ref.digest}`;
    const path = `v2/${name}/manifests/${ref.kind === 'tag' ? ref.tag : ref.digest}`;
    const label = referenceLabel(name, ref);
    let doc;
    try {
      doc = await source.get(key, { path, accept: MANIFEST_ACCEPT, check: (b, etag) => manifestProblem(b, ref, etag, label) });
    } catch (err) {
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND') && tellMissing) throw await this.#whichIsMissing(name, ref);
      throw err;
    }
    const digest = doc.blob;
    const cacheKey = `${name}@${digest}`;
    const known = this.#parsed.get(cacheKey);
    if (known !== undefined) return doc.stale === known.stale ? known : { ...known, stale: doc.stale };
    const bytes = await source.bytes(doc);
    const manifest = parseManifest(bytes, doc.contentType, `the upstream's manifest for ${label}`);
    const resolved: ResolvedManifest = { name, digest, bytes, mediaType: manifest.mediaType, manifest, stale: doc.stale };
    // A tag's manifest is the digest's: kept under the digest too, so that a client that resolved
    // the tag and asks by digest next (as docker does) is served while the upstream is down.
    // (Only when this digest is new to memory: a tag read again with the same manifest skips it.)
    if (ref.kind === 'tag') this.#deps.manifests.keep(`manifest/${name}@${digest}`, bytes, manifest.mediaType);
    this.#parsed.set(cacheKey, resolved);
    return resolved;
  }

  /** A manifest the caller needs for its own sake (a signature's), or null when the upstream has none. */
  async optional(name: string, ref: Reference): Promise<ResolvedManifest | null> {
    try {
      return await this.#load(name, ref, false);
    } catch (err) {
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) return null;
      throw err;
    }
  }

  /** A manifest is missing: is it the tag, or the whole image repository? */
  async #whichIsMissing(name: string, ref: Reference): Promise<AirlockError> {
    const missingManifest = notFound('MANIFEST_UNKNOWN', `${referenceLabel(name, ref)} does not exist upstream`);
    const has = await upstreamHasName(this.#deps.upstream, name).catch(() => true);
    return has ? missingManifest : notFound('NAME_UNKNOWN', `the image repository ${name} does not exist upstream (or is private)`);
  }
}

/**
 * Whether the upstream registry has the image repository `name`: its tag list answers (a page of
 * one tag). False only when the registry says there is no such name (404); any other failure throws.
 */
export async function upstreamHasName(upstream: Upstream, name: string): Promise<boolean> {
  try {
    await upstream.fetchDocument(`v2/${name}/tags/list?n=1`, { accept: 'application/json', maxBytes: 64 * 1024 });
    return true;
  } catch (err) {
    if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) return false;
    throw err;
  }
}
