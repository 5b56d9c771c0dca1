/**
 * Fuzz targets of the signature and provenance documents upstreams serve beside the artifacts:
 * cosign's `.sig` manifest (its layers' annotations carry the signature, certificate and Rekor
 * bundle) and the simple-signing payload a legacy signature is over, a cosign v3 referrer bundle,
 * PyPI's PEP 740 provenance object, npm's attestation document, a version's `dist.signatures`
 * and the registry key list, and a Docker token service's answer. The checks that never throw
 * (they return `invalid` or `unverifiable`) must not throw, nor pass off an engine failure
 * (a TypeError, a stack overflow) as their reason; a signature that verifies must be one that
 * was signed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AirlockError } from '../../../src/core/errors.ts';
import type { NpmPackageName } from '../../../src/core/index.ts';
import { checkAttestations } from '../../../src/ecosystems/npm/attestations.ts';
import { tokenOf } from '../../../src/ecosystems/oci/registry-auth.ts';
import { legacySignatureOf, parseCosignSignatureManifest } from '../../../src/verify/cosign/manifest.ts';
import { verifyLegacySignature } from '../../../src/verify/cosign/legacy.ts';
import { verifyReferrerBundle } from '../../../src/verify/cosign/referrer.ts';
import { checkSimpleSigning } from '../../../src/verify/cosign/simple-signing.ts';
import { COSIGN_LIMITS, type CosignProblem, type CosignSigner } from '../../../src/verify/cosign/types.ts';
import { containersImageCase, COSIGN_PUB, COSIGN2_PUB, fixture, keyTrust, NOW } from '../../../src/verify/cosign/fixture-support.ts';
import { cosignSignatureManifest } from '../../../src/verify/cosign/test-support.ts';
import { checkRegistrySignature } from '../../../src/verify/npm-registry/registry-signature.ts';
import { publicRegistryKeys, registryKeySet, registryKeysOf } from '../../../src/verify/npm-registry/registry-keys.ts';
import { checkPypiProvenance } from '../../../src/verify/pypi/provenance.ts';
import { signatureVectors, TUF_REGISTRY_KEYS } from '../../../src/verify/npm-registry/test-support.ts';
import { NO_REGISTRY_KEYS, publicGoodTrustedRoot } from '../../../src/verify/index.ts';
import { isGenericJsFailure, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { nested } from '../../support/fuzz/mutate.ts';

const FIXTURES = join(import.meta.dirname, '../../../../shared/protocols/fixtures');
const ROOT = publicGoodTrustedRoot();
const TO_STRING = '{"toString":1}';
const deep = nested('[', ']', 100_000);

/** A defect when a check that reports its failures as data gives an engine failure as its reason. */
const engineFailure = (error: string | null): string | undefined => (error !== null && isGenericJsFailure(new Error(error)) ? `an engine failure as its reason: ${error.slice(0, 200)}` : undefined);

const VALID = containersImageCase('dir-img-cosign-valid');
const REKOR = containersImageCase('dir-img-cosign-key-rekor-valid');
const COSIGN_CASES = [VALID, REKOR];
const TRUST = { ...keyTrust(COSIGN_PUB, COSIGN2_PUB), sigstoreRoot: ROOT };
const AT = NOW.getTime();
/**
 * The signatures that were made, as bytes: a signature that verifies must be one of these. Its
 * annotation may spell them differently (base64's unused bits after the last digit are ignored,
 * as Go's decoder and so cosign ignore them).
 */
const signatureBytes = (annotation: string): string => Buffer.from(annotation, 'base64').toString('hex');
const SIGNED = new Set(COSIGN_CASES.map((c) => signatureBytes(c.signature.signature)));
const byDigest = new Map(COSIGN_CASES.map((c) => [`sha256:${createHash('sha256').update(c.payload).digest('hex')}`, c]));

const cosignOutcome = (r: CosignSigner | CosignProblem, signature: string): string | undefined => ('status' in r ? engineFailure(r.error) : SIGNED.has(signatureBytes(signature)) ? undefined : 'a signature that was never made verifies');

/** A `.sig` manifest: parsed, each signature layer paired with the payload it names and verified for the image its case signs. */
const cosignManifest: FuzzTarget = {
  seeds: () => [text(cosignSignatureManifest([VALID, REKOR]).manifest.toString('utf8')), text(cosignSignatureManifest([REKOR], { docker: true }).manifest.toString('utf8'))],
  text: true,
  extra: () => [
    text(`{"schemaVersion":2,"layers":${deep}}`),
    text(`{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:${'a'.repeat(64)}","size":1,"annotations":{"a":${deep}}}]}`),
    text(`{"schemaVersion":${TO_STRING},"mediaType":${TO_STRING},"layers":[{"mediaType":${TO_STRING},"digest":${TO_STRING},"size":${TO_STRING},"annotations":{"k":${TO_STRING}}}]}`),
    text(`{"schemaVersion":2,"layers":[${Array.from({ length: 5000 }, () => '{}').join(',')}]}`),
    text(`{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:${'a'.repeat(64)}","size":1,"annotations":{${Array.from({ length: 5000 }, (_, i) => `"k${i}":"v"`).join(',')}}}]}`),
  ],
  run: (input) => {
    const { layers } = parseCosignSignatureManifest(input);
    for (const layer of layers) {
      const c = byDigest.get(layer.digest) ?? VALID;
      const sig = legacySignatureOf(layer.annotations, c.payload);
      const defect = cosignOutcome(verifyLegacySignature(sig, c.digest, TRUST, AT, COSIGN_LIMITS), sig.signature);
      if (defect !== undefined) return defect;
    }
    return undefined;
  },
  accepts: ownError(AirlockError),
};

/** The payload a legacy signature is over; it can only verify unchanged, but every other is refused for a reason. */
const simpleSigning: FuzzTarget = {
  seeds: () => COSIGN_CASES.map((c) => new Uint8Array(c.payload)),
  text: true,
  extra: () => [
    text(`{"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":${deep}}}}`),
    text(`{"critical":{"type":${TO_STRING},"image":{"docker-manifest-digest":${TO_STRING}},"identity":{"docker-reference":${TO_STRING}}},"optional":${TO_STRING}}`),
    text(`{"critical":${deep}}`),
    text(`{"critical":{"type":"${'x'.repeat(1_000_000)}"}}`),
  ],
  run: (input) => {
    const payload = Buffer.from(input);
    for (const c of COSIGN_CASES) {
      const problem = checkSimpleSigning(payload, c.digest, COSIGN_LIMITS);
      if (problem !== null && problem.error.length > 1000) return `a reason of ${problem.error.length} characters`;
      const r = verifyLegacySignature({ ...c.signature, payload }, c.digest, TRUST, AT, COSIGN_LIMITS);
      if (!('status' in r) && !payload.equals(c.payload)) return 'a changed payload verifies';
      const defect = engineFailure('status' in r ? r.error : null);
      if (defect !== undefined) return defect;
    }
    return undefined;
  },
  accepts: () => false,
};

const ATTESTED_IMAGE = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
/** A cosign v3 referrer: a Sigstore bundle of an in-toto statement about the image. */
const cosignReferrer: FuzzTarget = {
  seeds: () => [new Uint8Array(fixture('oci-attestation.sigstore.json'))],
  text: true,
  extra: () => [text(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":${TO_STRING}}},"dsseEnvelope":${deep}}`)],
  run: (input) => {
    const r = verifyReferrerBundle(Buffer.from(input), ATTESTED_IMAGE, TRUST, AT, COSIGN_LIMITS);
    return 'status' in r ? engineFailure(r.error) : undefined;
  },
  accepts: () => false,
};

const PYPI = join(FIXTURES, 'pypi-attestations');
const PYPI_FILE = 'pypi_attestations-0.0.19.tar.gz';
const PYPI_PROVENANCE = (): Buffer => readFileSync(join(PYPI, `${PYPI_FILE}.provenance`));
/** The sha256 the provenance's first attestation attests (the file itself is not in the fixtures). */
function pypiSha256(): string {
  const doc = JSON.parse(PYPI_PROVENANCE().toString('utf8')) as { attestation_bundles: { attestations: { envelope: { statement: string } }[] }[] };
  const statement = JSON.parse(Buffer.from(doc.attestation_bundles[0]?.attestations[0]?.envelope.statement ?? '', 'base64').toString('utf8')) as { subject: { digest: { sha256: string } }[] };
  return statement.subject[0]?.digest.sha256 ?? '';
}
const PYPI_SHA256 = pypiSha256();
const PYPI_NOW = new Date('2025-06-01T00:00:00Z');

const pypiProvenance: FuzzTarget = {
  seeds: () => [new Uint8Array(PYPI_PROVENANCE())],
  text: true,
  extra: () => [
    text(`{"version":1,"attestation_bundles":${deep}}`),
    text(`{"version":${TO_STRING},"attestation_bundles":[{"publisher":{"kind":${TO_STRING},"repository":${TO_STRING}},"attestations":[{"version":${TO_STRING}}]}]}`),
    text(`{"version":1,"attestation_bundles":[{"publisher":{"kind":"GitHub","repository":"a/b","workflow":"w.yml"},"attestations":[{"version":1,"verification_material":{"certificate":${TO_STRING},"transparency_entries":[${deep}]},"envelope":{"statement":"","signature":""}}]}]}`),
    text(`{"version":1,"attestation_bundles":[{"publisher":{"kind":"GitHub","repository":"a/b","workflow":"w.yml"},"attestations":[${Array.from({ length: 100_000 }, () => '{}').join(',')}]}]}`),
  ],
  run: (input) => engineFailure(checkPypiProvenance({ bytes: Buffer.from(input) }, PYPI_FILE, PYPI_SHA256, ROOT, PYPI_NOW).error),
  accepts: () => false,
};

const NPM_BUNDLE = (): Buffer => readFileSync(join(FIXTURES, 'sigstore-js-bundles', 'bundleV03-dsse.sigstore'));
const NPM_TARBALL_SHA512 = createHash('sha512').update(readFileSync(join(import.meta.dirname, '../../fixtures/npm/sigstore-1.0.0.tgz'))).digest('hex');
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';

const npmAttestations: FuzzTarget = {
  seeds: () => [text(`{"attestations":[{"predicateType":"${PUBLISH}","bundle":${NPM_BUNDLE().toString('utf8')}}]}`)],
  text: true,
  extra: () => [
    text(`{"attestations":[{"predicateType":"${PUBLISH}","bundle":${deep}}]}`),
    text(`{"attestations":[{"predicateType":${TO_STRING},"bundle":${TO_STRING}}]}`),
    text(`{"attestations":[${Array.from({ length: 100_000 }, () => '{}').join(',')}]}`),
  ],
  run: (input) => engineFailure(checkAttestations('sigstore' as NpmPackageName, '1.0.0', 'pkg:npm/sigstore@1.0.0', NPM_TARBALL_SHA512, { bytes: Buffer.from(input) }, { root: ROOT, keys: NO_REGISTRY_KEYS }).error),
  accepts: () => false,
};

/** The input as JSON, or undefined when it is none (what reads these documents parses them first). */
function jsonOf(input: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(input).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const SIGNATURE_KEYS = registryKeySet(publicRegistryKeys(), 'npm:signatures');

/** A version's `{name, version, time, dist}` as the packument gives them; a signature that verifies must be one the registry made. */
const npmDistSignatures: FuzzTarget = {
  seeds: () => signatureVectors().map((v) => text(JSON.stringify({ name: v.name, version: v.version, time: '2024-06-01T00:00:00.000Z', dist: { integrity: v.integrity, shasum: 'a'.repeat(40), signatures: [v.signature] } }))),
  text: true,
  extra: () => [
    text(`{"name":"a","version":"1.0.0","time":"2024-06-01T00:00:00.000Z","dist":{"integrity":${TO_STRING},"signatures":[{"keyid":${TO_STRING},"sig":${TO_STRING}}]}}`),
    text(`{"name":"a","version":"1.0.0","dist":{"integrity":"sha512-${'A'.repeat(1_000_000)}","signatures":${deep}}}`),
    text(`{"name":"a","version":"1.0.0","dist":{"integrity":"${'sha512-a '.repeat(100_000)}","signatures":[{"keyid":"SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA","sig":"AAAA"}]}}`),
  ],
  run: (input) => {
    const doc = jsonOf(input);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
    const { name, version, time, dist } = doc as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string' || typeof dist !== 'object' || dist === null || Array.isArray(dist)) return undefined;
    const r = checkRegistrySignature(name, version, dist as Record<string, unknown>, typeof time === 'string' ? time : null, SIGNATURE_KEYS);
    if (r.status === 'verified' && !signatureVectors().some((v) => v.expect === 'valid' && v.name === name && v.version === version)) return `${name}@${version} verifies with a signature the registry did not make`;
    return engineFailure(r.error);
  },
  accepts: () => false,
};

/** The registry's key list, as a TUF target or a `/-/npm/v1/keys` answer. */
const npmRegistryKeys: FuzzTarget = {
  seeds: () => [new Uint8Array(readFileSync(TUF_REGISTRY_KEYS))],
  text: true,
  extra: () => [
    text(`{"keys":[{"keyid":"a","keytype":${deep},"key":"AAAA"}]}`),
    text(`{"keys":[{"keyId":"a","publicKey":{"keyDetails":${deep},"rawBytes":"AAAA"}}]}`),
    text(`{"keys":[{"keyid":"a","keytype":"${'x'.repeat(1_000_000)}","key":"AAAA"}]}`),
    text(`{"keys":[{"keyid":${TO_STRING},"keytype":${TO_STRING},"scheme":${TO_STRING},"key":${TO_STRING},"expires":${TO_STRING}}]}`),
    text(`{"keys":[{"keyId":${TO_STRING},"keyUsage":"npm:signatures","publicKey":{"keyDetails":${TO_STRING},"rawBytes":${TO_STRING},"validFor":{"start":${TO_STRING}}}}]}`),
  ],
  run: (input) => {
    const doc = jsonOf(input);
    if (doc === undefined) return undefined;
    const keys = registryKeysOf(doc, 'the TUF target of the registry keys');
    for (const k of keys) if (k.key.asymmetricKeyType !== 'ec') return `a ${k.key.asymmetricKeyType ?? 'typeless'} key is taken`;
    return undefined;
  },
  accepts: (err) => ownError(AirlockError)(err) && (err as Error).message.length < 2000,
};

/** A header value a token can be sent in: visible ASCII (RFC 6750's b64token and the opaque tokens registries give are). */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

const ociToken: FuzzTarget = {
  seeds: () =>
    [
      `{"token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3MiOltdfQ.c2ln","access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3MiOltdfQ.c2ln","expires_in":300,"issued_at":"2026-01-01T00:00:00.000000000Z"}`,
      '{"access_token":"djE6YWNtZS9hcHA6MTcwMDAwMDAwMDAwMA==","expires_in":3600,"token_type":"Bearer"}',
    ].map(text),
  text: true,
  extra: () => [text(`{"token":${TO_STRING},"expires_in":${TO_STRING}}`), text(`{"token":${deep}}`), text(`{"token":"${'a'.repeat(20_000)}"}`), text('{"token":"a\\u0000b"}'), text('{"token":"a b\\u00e9"}'), text('{"token":"a","expires_in":1e-300}')],
  run: (input) => {
    const t = tokenOf(Buffer.from(input));
    if (typeof t === 'string') return t.length > 200 ? `a reason of ${t.length} characters` : undefined;
    if (!HEADER_SAFE.test(t.token)) return `a token ${JSON.stringify(t.token.slice(0, 80))} that cannot be sent in an Authorization header`;
    if (!(t.seconds > 0 && t.seconds <= 3600)) return `a lifetime of ${t.seconds} s`;
    return undefined;
  },
  accepts: () => false,
};

export const targets: Record<string, FuzzTarget> = {
  'cosign-sig-manifest': cosignManifest,
  'cosign-simple-signing': simpleSigning,
  'cosign-referrer': cosignReferrer,
  'pypi-provenance': pypiProvenance,
  'npm-attestations': npmAttestations,
  'npm-dist-signatures': npmDistSignatures,
  'npm-registry-keys': npmRegistryKeys,
  'oci-token': ociToken,
};
