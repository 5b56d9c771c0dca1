/**
 * An image's cosign signatures, found the two ways cosign stores them (protocols: oci.md §5–6)
 * and checked against the repository's trust: the legacy `sha256-<hex>.sig` tag (one signature
 * per layer: a simple-signing payload blob and its signature in the layer's annotations) and
 * Sigstore bundles stored as OCI 1.1 referrers (cosign v3), read through the upstream's
 * referrers API or, where it has none, the referrers tag `sha256-<hex>`. Payloads and bundles
 * are blobs: fetched, verified against their digests and stored like any other.
 */
import { Lru, isAirlockError } from '../../core/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { legacySignatureOf, parseCosignSignatureManifest, verifyCosignSignatures, type CosignTrust, type LegacyCosignSignature } from '../../verify/index.ts';
import type { ResolvedManifest } from './catalog.ts';
import type { BlobSource, ManifestSource, ReferrerSource } from './image-source.ts';
import { imagePurl, type SignatureFacts } from './facts.ts';
import { MEDIA, parseManifest, type Descriptor } from './manifest.ts';

/** Signatures looked at per image, at most, each way. */
const MAX_SIGNATURES = 16;
const MAX_PAYLOAD_BYTES = 64 * 1024;
const MAX_BUNDLE_BYTES = 1024 * 1024;

export interface SignatureDeps {
  readonly catalog: Pick<ManifestSource, 'optional'>;
  readonly blobs: Pick<BlobSource, 'read'>;
  /** Where the manifests that refer to an image are listed (the upstream's referrers, or a hosted repository's). */
  readonly referrers: ReferrerSource;
  /** The trust signatures are checked against, as it is now (a TUF refresh replaces the Sigstore root). */
  readonly trust: () => CosignTrust;
  readonly generation: () => string;
  readonly clock: () => Date;
}

export class SignatureFinder {
  readonly #deps: SignatureDeps;
  readonly #checked = new Lru<string, SignatureFacts>(4096);

  constructor(deps: SignatureDeps) {
    this.#deps = deps;
  }

  async check(m: ResolvedManifest): Promise<SignatureFacts> {
    const key = `${m.name}@${m.digest}\0${this.#deps.generation()}`;
    const known = this.#checked.get(key);
    if (known !== undefined) return known;
    let facts: SignatureFacts;
    try {
      const [legacy, bundles] = await Promise.all([this.#legacy(m), this.#bundles(m)]);
      const check = verifyCosignSignatures(m.digest, { legacy, bundles }, this.#deps.trust(), this.#deps.clock());
      facts =
        check.status === 'verified'
          ? { status: 'verified', signers: check.signers.map((s) => ({ mode: s.mode, identity: s.identity, issuer: s.issuer, key_hint: s.keyHint, source: s.source, predicate_type: s.predicateType })), error: null }
          : check.status === 'absent'
            ? { status: 'absent', signers: [], error: null }
            : { status: check.status, signers: [], error: check.error };
    } catch (err) {
      // The upstream failed, or sent what is no signature, while they were looked up: nothing is
      // proven, and the next request looks again. A fault of Airlock's own is no such answer: it
      // fails the judgement (closed).
      if (!isAirlockError(err) || !(err.code.startsWith('UPSTREAM_') || err.code === 'DIGEST_MISMATCH')) throw err;
      return { status: 'unverifiable', signers: [], error: `the signatures could not be read from the upstream: ${err.message}` };
    }
    this.#checked.set(key, facts);
    return facts;
  }

  /** The legacy `sha256-<hex>.sig` object's signatures. */
  async #legacy(m: ResolvedManifest): Promise<LegacyCosignSignature[]> {
    const sig = await this.#deps.catalog.optional(m.name, { kind: 'tag', tag: `${m.digest.replace(':', '-')}.sig` });
    if (sig === null) return [];
    const { layers } = parseCosignSignatureManifest(sig.bytes);
    const owner = { purl: imagePurl(m.name, sig.digest), name: m.name, version: sig.digest };
    const out: LegacyCosignSignature[] = [];
    for (const layer of layers.slice(0, MAX_SIGNATURES)) {
      if (layer.size > MAX_PAYLOAD_BYTES) continue;
      const payload = await this.#deps.blobs.read(m.name, layer.digest, layer.size, owner);
      out.push(legacySignatureOf(layer.annotations, payload));
    }
    return out;
  }

  /** Sigstore bundles that refer to the image (cosign v3). */
  async #bundles(m: ResolvedManifest): Promise<Buffer[]> {
    const referrers = (await this.#deps.referrers.referrers(m.name, m.digest)).filter((d) => d.artifactType === MEDIA.sigstoreBundle).slice(0, MAX_SIGNATURES);
    const out: Buffer[] = [];
    for (const d of referrers) {
      const ref = await this.#deps.catalog.optional(m.name, { kind: 'digest', digest: d.digest });
      if (ref === null || ref.manifest.kind !== 'manifest') continue;
      const layer = ref.manifest.layers.find((l) => l.mediaType === MEDIA.sigstoreBundle);
      if (layer === undefined || layer.size > MAX_BUNDLE_BYTES) continue;
      out.push(await this.#deps.blobs.read(m.name, layer.digest, layer.size, { purl: imagePurl(m.name, ref.digest), name: m.name, version: ref.digest }));
    }
    return out;
  }
}

/**
 * The manifests that refer to an image in the upstream registry: its referrers API, or where it
 * has none (404), the referrers tag the pushing client keeps.
 */
export class UpstreamReferrers implements ReferrerSource {
  readonly #upstream: Upstream;
  readonly #catalog: Pick<ManifestSource, 'optional'>;

  constructor(upstream: Upstream, catalog: Pick<ManifestSource, 'optional'>) {
    this.#upstream = upstream;
    this.#catalog = catalog;
  }

  async referrers(name: string, digest: string): Promise<Descriptor[]> {
    try {
      const res = await this.#upstream.fetchDocument(`v2/${name}/referrers/${digest}`, { accept: MEDIA.ociIndex, maxBytes: 4 * 1024 * 1024 });
      if (res.kind !== 'fresh') return [];
      const index = parseManifest(res.body, res.contentType ?? MEDIA.ociIndex, `the upstream's referrers of ${name}@${digest}`);
      return index.kind === 'index' ? [...index.manifests] : [];
    } catch (err) {
      if (!isAirlockError(err, 'UPSTREAM_NOT_FOUND')) throw err;
    }
    const tagged = await this.#catalog.optional(name, { kind: 'tag', tag: digest.replace(':', '-') });
    return tagged !== null && tagged.manifest.kind === 'index' ? [...tagged.manifest.manifests] : [];
  }
}
