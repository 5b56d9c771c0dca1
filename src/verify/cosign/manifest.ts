/**
 * The legacy signature object: the image manifest cosign pushes under the tag `sha256-<hex>.sig`
 * (OCI media types, or Docker v2s2 when the signer set `COSIGN_DOCKER_MEDIA_TYPES=1`), one layer
 * per signature (oci.md §5). The manifest comes from an upstream and is hostile: its size, layer
 * count, digests, sizes and annotations are checked before anything is used, and each error says
 * what was wrong. The caller fetches each signature layer's blob (checking its digest and size)
 * and pairs it with the layer's annotations (`legacySignatureOf`).
 */
import { AirlockError, isPlainObject, shownJson, type PlainObject } from '../../core/index.ts';
import { COSIGN, COSIGN_LIMITS, type CosignLimits, type LegacyCosignSignature } from './types.ts';

export interface CosignSignatureLayer {
  /** `sha256:<64 lower-case hex>`. */
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly annotations: Readonly<Record<string, string>>;
}

const MANIFEST_MEDIA_TYPES: readonly string[] = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

function bad(message: string): never {
  throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the cosign signature manifest ${message}`);
}

const shown = (v: unknown): string => shownJson(v, 80);

function annotationsOf(v: unknown, path: string, limits: CosignLimits): Readonly<Record<string, string>> {
  if (v === undefined || v === null) return Object.freeze({});
  if (!isPlainObject(v)) bad(`has ${path} that is not an object (got ${shown(v)})`);
  const entries = Object.entries(v);
  if (entries.length > limits.maxAnnotations) bad(`has ${entries.length} annotations in ${path} (at most ${limits.maxAnnotations})`);
  const out: Record<string, string> = {};
  for (const [k, value] of entries) {
    if (k.length > limits.maxAnnotationChars) bad(`has an annotation key in ${path} longer than ${limits.maxAnnotationChars} characters`);
    if (typeof value !== 'string') bad(`has ${path}[${shown(k)}] that is not a string (got ${shown(value)})`);
    if (value.length > limits.maxAnnotationChars) bad(`has ${path}[${shown(k)}] longer than ${limits.maxAnnotationChars} characters`);
    out[k] = value;
  }
  return Object.freeze(out);
}

function layerOf(v: unknown, path: string, limits: CosignLimits): CosignSignatureLayer {
  if (!isPlainObject(v)) bad(`has ${path} that is not an object (got ${shown(v)})`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType.length > 256) bad(`has ${path}.mediaType that is not a string of at most 256 characters (got ${shown(mediaType)})`);
  if (typeof digest !== 'string' || !DIGEST_RE.test(digest)) bad(`has ${path}.digest that is not a sha256 digest (got ${shown(digest)})`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) bad(`has ${path}.size that is not a non-negative integer (got ${shown(size)})`);
  return Object.freeze({ digest, size, mediaType, annotations: annotationsOf(v['annotations'], `${path}.annotations`, limits) });
}

/**
 * Parses a `.sig` manifest's bytes and returns its signature layers (media type
 * `application/vnd.dev.cosign.simplesigning.v1+json`), in order; other layers are skipped.
 * Throws AirlockError `UPSTREAM_BAD_RESPONSE` naming the field for a manifest that is too large,
 * not JSON, not an image manifest, or has more than `limits.maxLayers` layers or a malformed one.
 */
export function parseCosignSignatureManifest(bytes: Uint8Array, limits: CosignLimits = COSIGN_LIMITS): { readonly layers: readonly CosignSignatureLayer[] } {
  if (bytes.length > limits.maxManifestBytes) bad(`is ${bytes.length} bytes (at most ${limits.maxManifestBytes})`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    bad(`is not UTF-8 JSON (${(cause as Error).message.slice(0, 200)})`);
  }
  if (!isPlainObject(json)) bad(`is not a JSON object (got ${shown(json)})`);
  const m: PlainObject = json;
  if (m['schemaVersion'] !== 2) bad(`has schemaVersion ${shown(m['schemaVersion'])}, not 2`);
  const mediaType = m['mediaType'];
  // OCI lets an image manifest leave out its mediaType; Docker v2s2 always names it.
  if (mediaType !== undefined && (typeof mediaType !== 'string' || !MANIFEST_MEDIA_TYPES.includes(mediaType))) bad(`has mediaType ${shown(mediaType)}, not an image manifest (${MANIFEST_MEDIA_TYPES.join(', ')})`);
  const layers = m['layers'];
  if (!Array.isArray(layers)) bad(`has layers that is not a list (got ${shown(layers)})`);
  if (layers.length > limits.maxLayers) bad(`has ${layers.length} layers (at most ${limits.maxLayers} are read)`);
  const parsed = layers.map((l, i) => layerOf(l, `layers[${i}]`, limits));
  return Object.freeze({ layers: Object.freeze(parsed.filter((l) => l.mediaType === COSIGN.simpleSigningMediaType)) });
}

/**
 * One legacy signature from a signature layer's annotations and its blob (`payload`). Never
 * throws: a layer without a signature annotation gives `signature: ''`, which verification
 * reports as invalid.
 */
export function legacySignatureOf(layerAnnotations: Readonly<Record<string, string>>, payload: Buffer): LegacyCosignSignature {
  const get = (key: string): string | null => (Object.hasOwn(layerAnnotations, key) ? (layerAnnotations[key] ?? null) : null);
  return Object.freeze({
    payload,
    signature: get(COSIGN.signatureAnnotation) ?? '',
    certificate: get(COSIGN.certificateAnnotation),
    chain: get(COSIGN.chainAnnotation),
    bundle: get(COSIGN.bundleAnnotation),
  });
}
