/**
 * Legacy cosign signatures (oci.md §5) as images to push: a `sha256-<hex>.sig` image whose layers
 * are simple-signing payloads, each annotated with a real signature over the payload's exact
 * bytes. Debian's skopeo cannot sign for cosign, so tests build these here (payloads, signatures
 * and the `.sig` manifest are made by the cosign verifier's own test support) and push them with
 * `skopeo copy` like any image.
 */
import type { KeyObject } from 'node:crypto';
import { COSIGN } from '../../../src/verify/cosign/index.ts';
import { cosignPayload, cosignSignatureManifest, signCosignLegacy } from '../../../src/verify/cosign/test-support.ts';
import type { BuiltImage, MediaTypeFlavour } from './layout.ts';

export interface CosignSignatureSpec {
  /** An EC P-256 private key (e.g. `generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey`). */
  readonly privateKey: KeyObject;
  /** `critical.identity.docker-reference`; default `example.test/fixture`. */
  readonly dockerReference?: string;
  /** The digest the payload names; default the signed image's digest (another one for negative tests). */
  readonly payloadDigest?: string;
  /** Exact payload bytes instead of the simple-signing JSON. */
  readonly payload?: Uint8Array;
  /** The annotation's value instead of the real signature (garbage for negative tests). */
  readonly signatureBase64?: string;
  /** More layer annotations (`dev.sigstore.cosign/certificate`, `…/chain`, `…/bundle`). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface CosignSignatureOptions {
  /** The digest of the image signed: the tag is derived from it. */
  readonly imageDigest: string;
  /** One layer per signature, in order. */
  readonly signatures: readonly CosignSignatureSpec[];
  /** `oci` (cosign default) or `docker` (`COSIGN_DOCKER_MEDIA_TYPES=1`). */
  readonly mediaTypes?: MediaTypeFlavour;
}

export interface BuiltCosignSignature extends BuiltImage {
  /** `sha256-<hex>.sig`. */
  readonly tag: string;
  /** Each layer's payload bytes, in order. */
  readonly payloads: readonly Buffer[];
  /** Each layer's `dev.cosignproject.cosign/signature` value, in order. */
  readonly signatures: readonly string[];
}

/** The `.sig` image cosign ≤2 pushes for `imageDigest` (write it with `writeLayout` under `tag`). */
export function cosignLegacySignatureLayout(options: CosignSignatureOptions): BuiltCosignSignature {
  const signed = options.signatures.map((s) => {
    const payload = s.payload === undefined ? cosignPayload(s.payloadDigest ?? options.imageDigest, s.dockerReference ?? 'example.test/fixture') : Buffer.from(s.payload);
    const signature = s.signatureBase64 ?? signCosignLegacy({ imageDigest: options.imageDigest, dockerReference: '', privateKey: s.privateKey, payload }).signature;
    return { payload, annotations: { [COSIGN.signatureAnnotation]: signature, ...s.annotations } };
  });
  const sig = cosignSignatureManifest(signed, { docker: options.mediaTypes === 'docker' });
  const manifest = JSON.parse(sig.manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const configBytes = sig.blobs.get(manifest.config.digest);
  if (configBytes === undefined) throw new Error('the .sig manifest names a config it did not make');
  const payloads = signed.map((s) => s.payload);
  const layerDigests = manifest.layers.map((l) => l.digest);
  return {
    mediaType: sig.mediaType,
    manifestDigest: sig.digest,
    manifestBytes: sig.manifest,
    blobs: new Map([...sig.blobs, [sig.digest, sig.manifest]]),
    configDigest: manifest.config.digest,
    configBytes,
    layerDigests,
    layers: payloads,
    // cosign's config lists the payload digests as diff ids.
    diffIds: layerDigests,
    platform: { architecture: '', os: '' },
    tag: `${options.imageDigest.replace(':', '-')}.sig`,
    payloads,
    signatures: signed.map((s) => s.annotations[COSIGN.signatureAnnotation] as string),
  };
}
