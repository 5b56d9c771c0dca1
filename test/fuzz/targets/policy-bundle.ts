/**
 * Fuzz targets of the two structured files of an OPA bundle that the archive target does not
 * reach: the `.manifest` (revision, roots, Rego versions, metadata), read from a bundle built
 * around it, and the payload of `.signatures.json`'s JWS (the files it lists with their digests
 * and algorithms), signed with the configured key so that it gets past the signature to the
 * checks of what it lists. Each refuses bad input with POLICY_ERROR saying what is wrong.
 */
import { createPublicKey, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AirlockError } from '../../../src/core/errors.ts';
import { bundleSignatureVerifier } from '../../../src/app/policy-bundle/verifier.ts';
import { DEFAULT_POLICY_BUNDLE_LIMITS, readPolicyBundle } from '../../../src/policy/bundle-reader.ts';
import { checkBundleSignature } from '../../../src/policy/bundle-signature.ts';
import { newSigningKey } from '../../../src/verify/jwt/test-support.ts';
import { tar } from '../../support/npm-registry/index.ts';
import { opaDigest } from '../../support/opa-bundle.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const POLICY = 'package airlock\n\nimport rego.v1\n\ndeny contains "blocked" if input.artifact.name in data.airlock.blocked\n';
const DATA = JSON.stringify({ blocked: ['evil-pkg'] });
const TO_STRING = '{"toString":1}';
const deep = nested('[', ']', 100_000);

const manifest: FuzzTarget = {
  seeds: () =>
    [
      JSON.stringify({ revision: 'r1', roots: ['airlock'], metadata: { team: 'platform' }, rego_version: 1 }),
      JSON.stringify({ revision: '2026-01-01T00:00:00Z', roots: ['airlock/a', 'airlock/b', 'other'], rego_version: 1, file_rego_versions: { '/airlock/policy.rego': 1 } }),
    ].map(text),
  text: true,
  extra: () => [
    text(`{"rego_version":${deep}}`),
    text(`{"rego_version":${TO_STRING}}`),
    text(`{"file_rego_versions":{"/a.rego":${TO_STRING}}}`),
    text(`{"file_rego_versions":{"/a.rego":${deep}}}`),
    text(`{"rego_version":"${'0'.repeat(1_000_000)}"}`),
    text(`{"roots":[${Array.from({ length: 1000 }, (_, i) => `"${'r'.repeat(1000)}${i}"`).join(',')}]}`),
    text(`{"revision":${TO_STRING},"roots":${TO_STRING},"metadata":${deep}}`),
    text(`{"metadata":{"x":${deep}}}`),
  ],
  run: async (input) => {
    const bytes = gzipSync(tar([{ path: '/.manifest', content: Buffer.from(input) }, { path: '/airlock/policy.rego', content: POLICY }, { path: '/airlock/data.json', content: DATA }]));
    const read = await readPolicyBundle(bytes, { limits: DEFAULT_POLICY_BUNDLE_LIMITS, signing: null });
    if (read.manifest.roots.length === 0) return 'a bundle that owns no roots';
    // The policy status shows the manifest's metadata as JSON (GET /policy).
    JSON.stringify(read.manifest);
    return undefined;
  },
  accepts: (err) => ownError(AirlockError)(err) && (err as Error).message.length < 4000,
};

const key = newSigningKey('ES256', 'bundle');
const signing = { verifier: bundleSignatureVerifier({ publicKeyPem: createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }).toString(), keyId: null, algorithm: null, scope: null }), scope: null };
const FILES: Readonly<Record<string, string>> = { '.manifest': JSON.stringify({ revision: 'r1', roots: [''] }), 'airlock/policy.rego': POLICY, 'airlock/data.json': DATA };
const b64 = (v: string | Buffer): string => Buffer.from(v).toString('base64url');
/** A compact JWS over the payload's bytes as they are (ES256, JOSE's raw r||s). */
function jws(payload: Uint8Array): string {
  const input = `${b64(JSON.stringify({ alg: 'ES256', kid: key.kid }))}.${b64(Buffer.from(payload))}`;
  return `${input}.${b64(sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}
const files = Object.entries(FILES).map(([path, content]) => ({ path, bytes: Buffer.from(content) }));

const signatures: FuzzTarget = {
  seeds: () => [text(JSON.stringify({ files: Object.entries(FILES).map(([name, content]) => ({ name: `/${name}`, hash: opaDigest(name, content), algorithm: 'SHA-256' })) }))],
  text: true,
  extra: () => [
    text(`{"files":${deep}}`),
    text(`{"files":[{"name":${TO_STRING},"hash":${TO_STRING},"algorithm":${TO_STRING}}],"scope":${TO_STRING}}`),
    text(`{"files":[${Array.from({ length: 50_000 }, (_, i) => `{"name":"f${i}","hash":"00","algorithm":"SHA-256"}`).join(',')}]}`),
    text(`{"files":[{"name":"airlock/policy.rego","hash":"${'0'.repeat(1_000_000)}","algorithm":"${'x'.repeat(100_000)}"}]}`),
  ],
  run: (input) => {
    const signed = { path: '.signatures.json', bytes: Buffer.from(JSON.stringify({ signatures: [jws(input)] })) };
    const info = checkBundleSignature([...files, signed], signing);
    if (info === null || info.files !== files.length) return `a signature of ${info?.files ?? 0} files passes for ${files.length}`;
    return undefined;
  },
  accepts: (err) => ownError(AirlockError)(err) && (err as Error).message.length < 4000,
};

export const targets: Record<string, FuzzTarget> = { 'policy-bundle-manifest': manifest, 'policy-bundle-signatures': signatures };
