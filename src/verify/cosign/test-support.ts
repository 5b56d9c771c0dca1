/**
 * Test-only: cosign signatures made here, in the formats cosign writes, for the unit tests
 * beside it and for the gateway's tests (a fixture registry serving signed images):
 *
 * - `signCosignLegacy`: a legacy key-based signature — the simple-signing payload cosign writes
 *   and an ECDSA (or Ed25519/RSA) signature over its exact bytes, base64 as the
 *   `dev.cosignproject.cosign/signature` annotation holds it;
 * - `cosignSignatureManifest`: the `sha256-<hex>.sig` manifest holding such signatures as layers,
 *   with its config and layer blobs;
 * - `cosignSignStatement` / `signCosignBundle`: cosign v3's in-toto statement for an image and a
 *   key-based Sigstore bundle of it (keyless bundles: sign the statement with
 *   test/support/sigstore-pki.ts's `dsseBundle`);
 * - `createTestCosignKeyless` (test-pki.ts): legacy keyless signatures against a private Fulcio and
 *   Rekor v1.
 *
 * Never imported by the library.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../sigstore/dsse.ts';
import { IN_TOTO_PAYLOAD_TYPE } from '../sigstore/in-toto.ts';
import { COSIGN } from './types.ts';

export { createTestCosignKeyless, KEYLESS_IDENTITY, type KeylessLegacySignature, type TestCosignKeyless } from './test-pki.ts';

const privateKeyOf = (k: KeyObject | string): KeyObject => (typeof k === 'string' ? createPrivateKey(k) : k);
const sha256Digest = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The digest cosign signs with for `key`: SHA-256 for ECDSA and RSA, none (the key hashes itself) for Ed25519. */
function digestFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
}

/** The simple-signing payload `cosign sign` writes for `imageDigest` pushed as `dockerReference`, byte for byte. */
export function cosignPayload(imageDigest: string, dockerReference: string): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': imageDigest }, type: COSIGN.simpleSigningType }, optional: null }), 'utf8');
}

export interface SignCosignLegacyOptions {
  /** `sha256:<hex>` of the image manifest signed. */
  readonly imageDigest: string;
  /** The repository the signer pushed to (`registry.example/acme/widget`). */
  readonly dockerReference: string;
  readonly privateKey: KeyObject | string;
  /** Sign these bytes instead of the payload cosign would write (to test payload checks). */
  readonly payload?: Buffer;
}

/** A legacy key-based cosign signature: the payload (the layer blob) and the signature annotation's value. */
export function signCosignLegacy(options: SignCosignLegacyOptions): { payload: Buffer; signature: string } {
  const key = privateKeyOf(options.privateKey);
  const payload = options.payload ?? cosignPayload(options.imageDigest, options.dockerReference);
  return { payload, signature: sign(digestFor(key), payload, key).toString('base64') };
}

export interface CosignSignatureObject {
  /** The `.sig` manifest's bytes (push it under the tag `sha256-<hex>.sig`). */
  readonly manifest: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  /** The blobs it refers to by digest: its config and each signature's payload. */
  readonly blobs: ReadonlyMap<string, Buffer>;
}

/**
 * The `.sig` manifest cosign pushes for `signatures` (one layer each: the payload blob, the
 * annotations), with OCI media types, or Docker v2s2 ones (`COSIGN_DOCKER_MEDIA_TYPES=1`).
 */
export function cosignSignatureManifest(signatures: readonly { readonly payload: Buffer; readonly annotations: Readonly<Record<string, string>> }[], options: { readonly docker?: boolean } = {}): CosignSignatureObject {
  const docker = options.docker === true;
  const layers = signatures.map((s) => ({ mediaType: COSIGN.simpleSigningMediaType, size: s.payload.length, digest: sha256Digest(s.payload), annotations: { ...s.annotations } }));
  const config = Buffer.from(
    JSON.stringify({ architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {} }),
  );
  const mediaType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256Digest(config) },
      layers,
    }),
  );
  const blobs = new Map<string, Buffer>([[sha256Digest(config), config]]);
  for (const s of signatures) blobs.set(sha256Digest(s.payload), s.payload);
  return { manifest, digest: sha256Digest(manifest), mediaType, blobs };
}

/** The in-toto statement `cosign sign` (v3) signs for an image: predicate `https://sigstore.dev/cosign/sign/v1`, `{}`, a subject with only the digest. */
export function cosignSignStatement(imageDigest: string, predicateType: string = COSIGN.signPredicate, predicate: unknown = {}): Record<string, unknown> {
  const [alg = 'sha256', hex = ''] = imageDigest.split(':');
  return { _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { [alg]: hex } }], predicateType, predicate };
}

export interface SignCosignBundleOptions {
  readonly privateKey: KeyObject | string;
  /** The statement to sign (any JSON value, or exact payload bytes); see `cosignSignStatement`. */
  readonly statement: unknown;
  /** The key hint to write (default cosign's: base64 sha256 of the SPKI DER). */
  readonly hint?: string;
}

/**
 * A key-based cosign v3 bundle (JSON bytes), as `cosign sign --key … --tlog-upload=false` stores
 * it as a referrer: a v0.3 bundle with `publicKey.hint`, no log entry, a DSSE envelope over the
 * statement.
 */
export function signCosignBundle(options: SignCosignBundleOptions): Buffer {
  const key = privateKeyOf(options.privateKey);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const payload = options.statement instanceof Uint8Array ? Buffer.from(options.statement) : Buffer.from(JSON.stringify(options.statement), 'utf8');
  const sig = sign(digestFor(key), preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), key);
  const bundle = {
    mediaType: COSIGN.bundleArtifactType,
    verificationMaterial: { publicKey: { hint: options.hint ?? createHash('sha256').update(spki).digest('base64') }, tlogEntries: [] },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
  };
  return Buffer.from(JSON.stringify(bundle), 'utf8');
}

/**
 * A signature as containers/image stores it on disk ("sigstore-json": one 0x00 byte,
 * `sigstore-json\n`, then `{"mimeType", "payload" (base64), "annotations"}`), as the `.sig`
 * layer it came from: its payload blob and annotations.
 */
export function readSigstoreJsonSignature(bytes: Buffer): { payload: Buffer; annotations: Record<string, string> } {
  const prefix = Buffer.from('\0sigstore-json\n', 'latin1');
  if (!bytes.subarray(0, prefix.length).equals(prefix)) throw new Error('not a containers/image sigstore-json signature');
  const json = JSON.parse(bytes.subarray(prefix.length).toString('utf8')) as { mimeType: string; payload: string; annotations: Record<string, string> };
  if (json.mimeType !== COSIGN.simpleSigningMediaType) throw new Error(`unexpected mimeType ${json.mimeType}`);
  return { payload: Buffer.from(json.payload, 'base64'), annotations: json.annotations };
}
