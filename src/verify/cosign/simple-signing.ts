/**
 * The payload a legacy cosign signature is over ("simple signing", oci.md §5):
 * `{"critical": {"identity": {"docker-reference": …}, "image": {"docker-manifest-digest":
 * "sha256:<hex>"}, "type": "cosign container image signature"}, "optional": …}`. The signature
 * binds these bytes; the payload binds the image by its digest. A payload that names another
 * image is a signature moved from that image, whatever its signature says.
 */
import { isPlainObject, shownJson } from '../../core/index.ts';
import { COSIGN, invalid, type CosignLimits, type CosignProblem } from './types.ts';

const shown = (v: unknown): string => shownJson(v, 100);

/**
 * Null when `payload` is a cosign container image signature payload for `imageDigest`
 * (`<alg>:<hex>`, lower case), else why not. `critical.identity.docker-reference` (where the
 * signer pushed it) is not checked, as cosign does not check it: the digest is the binding.
 */
export function checkSimpleSigning(payload: Buffer, imageDigest: string, limits: CosignLimits): CosignProblem | null {
  if (payload.length > limits.maxPayloadBytes) return invalid(`the payload is ${payload.length} bytes (at most ${limits.maxPayloadBytes})`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return invalid('the payload is not UTF-8 JSON');
  }
  const critical = isPlainObject(json) ? json['critical'] : undefined;
  if (!isPlainObject(critical)) return invalid('the payload has no critical object');
  if (critical['type'] !== COSIGN.simpleSigningType) return invalid(`the payload's critical.type is ${shown(critical['type'])}, not ${JSON.stringify(COSIGN.simpleSigningType)}`);
  const image = critical['image'];
  const digest = isPlainObject(image) ? image['docker-manifest-digest'] : undefined;
  if (typeof digest !== 'string') return invalid(`the payload's critical.image.docker-manifest-digest is ${shown(digest)}, not a digest`);
  // Digests are compared exactly as the registry spells them (lower-case hex): the signer wrote the one it pushed.
  if (digest !== imageDigest) return invalid(`the payload signs the image ${shown(digest)}, not ${imageDigest}: a signature of another image`);
  return null;
}
