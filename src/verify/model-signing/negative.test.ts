/**
 * Altered, forged, untrusted and hostile signatures: each refused with its own status and
 * message, and none makes the verifier throw. 'invalid' is a check that failed; 'unverifiable'
 * is a signer Airlock has no trust for, a format it does not implement, or a limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { publicGoodTrustedRoot } from '../sigstore/index.ts';
import { MODEL_SIGNING_LIMITS, verifyModelSignature, type ModelSignatureCheck, type ModelSigningTrust } from './index.ts';
import { fixture, NOW, refused, trust, verified } from './fixture-support.ts';
import { modelStatement, signModelFiles, signModelStatement } from './test-support.ts';

type Json = Record<string, any>;

const KEY_SIG = (): Json => JSON.parse(fixture('v1.1.0-elliptic-key', 'model.sig').toString('utf8')) as Json;
const CERT_SIG = (): Json => JSON.parse(fixture('v1.1.0-certificate', 'model.sig').toString('utf8')) as Json;
const KEYLESS_SIG = (): Json => JSON.parse(fixture('v1.1.0-sigstore', 'model.sig').toString('utf8')) as Json;

function check(bundle: Json | Uint8Array, t: ModelSigningTrust = trust(), limits = MODEL_SIGNING_LIMITS): ModelSignatureCheck {
  const bytes = bundle instanceof Uint8Array ? bundle : Buffer.from(JSON.stringify(bundle));
  let r: ModelSignatureCheck | undefined;
  assert.doesNotThrow(() => {
    r = verifyModelSignature(bytes, t, NOW, limits);
  });
  assert.ok(r !== undefined);
  return r;
}

/** Base64 text with its decoded byte at `index` (negative: from the end) XOR 1. */
function flip(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = (bytes[i] ?? 0) ^ 1;
  return bytes.toString('base64');
}

const files = [
  { path: 'config.json', bytes: Buffer.from('{"model_type":"bert"}\n') },
  { path: 'model.safetensors', bytes: Buffer.from('weights') },
];
const testKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const testTrust = (): ModelSigningTrust => trust({ keys: [testKey.publicKey], certificateAuthorities: [] });

test('a flipped payload byte: the signature does not verify (key, certificate and keyless modes)', () => {
  const key = KEY_SIG();
  key['dsseEnvelope'].payload = flip(key['dsseEnvelope'].payload, 40);
  refused(check(key), 'invalid', /DSSE signature does not verify with the configured key it names \(hint e8450dec/, 'key');
  const cert = CERT_SIG();
  cert['dsseEnvelope'].payload = flip(cert['dsseEnvelope'].payload, 40);
  refused(check(cert), 'invalid', /DSSE signature does not verify with the signing certificate's key \(CN=intermediate-ca\)/, 'certificate');
  const keyless = KEYLESS_SIG();
  keyless['dsseEnvelope'].payload = flip(keyless['dsseEnvelope'].payload, 40);
  refused(check(keyless), 'invalid', /Sigstore bundle does not verify: .*signature does not verify/, 'sigstore');
});

test('a flipped signature byte: invalid (key and certificate modes)', () => {
  for (const [bundle, mode] of [[KEY_SIG(), 'key'], [CERT_SIG(), 'certificate']] as const) {
    const sig = bundle['dsseEnvelope'].signatures[0];
    sig.sig = flip(sig.sig, -3);
    refused(check(bundle), 'invalid', /DSSE signature does not verify/, mode);
  }
});

test('a wrong key: a signer Airlock has no key for is unverifiable, naming the hint', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
  refused(check(KEY_SIG(), trust({ keys: [other] })), 'unverifiable', /the key whose hint is "e8450dec\w+", which is not a configured model signing key/, 'key');
  refused(check(KEY_SIG(), trust({ keys: [] })), 'unverifiable', /signature is made with a key \(hint "e8450dec\w+"\), and no key is configured/, 'key');
  // v1.0.0 names its key in rawBytes: another configured key is no match.
  refused(check(fixture('v1.0.0-elliptic-key', 'model.sig'), trust({ keys: [other] })), 'unverifiable', /made with the key it embeds \(publicKey\.rawBytes, model_signing 1\.0\.0\), which is not a configured/, 'key');
  // No hint, no rawBytes: every configured key was tried.
  const unnamed = signModelFiles(files, testKey.privateKey, { omitHint: true });
  verified(check(unnamed, testTrust()));
  refused(check(unnamed, trust({ keys: [other] })), 'unverifiable', /names no key \(no publicKey\.hint\), and none of the 1 configured model signing keys verifies it/, 'key');
});

test('a certificate that does not chain to a configured CA is unverifiable; none configured says so', () => {
  refused(check(CERT_SIG(), trust({ certificateAuthorities: [] })), 'unverifiable', /made with a certificate \(issuer CN=intermediate-ca\), and no certificate authority is configured/, 'certificate');
  // Another PKI's root (Sigstore's Fulcio root) trusts nothing of this one.
  const fulcioRoot = publicGoodTrustedRoot().certificateAuthorities[0]?.chain.at(-1)?.toString() ?? '';
  refused(check(CERT_SIG(), trust({ certificateAuthorities: [fulcioRoot] })), 'unverifiable', /\(issuer CN=intermediate-ca\) does not chain to a configured certificate authority/, 'certificate');
  // Without the intermediate in the signature, the root alone does not reach the leaf.
  const leafOnly = CERT_SIG();
  leafOnly['verificationMaterial'].x509CertificateChain.certificates.splice(1);
  refused(check(leafOnly), 'unverifiable', /does not chain to a configured certificate authority/, 'certificate');
});

test('a certificate signature dated after this host\'s time is invalid', () => {
  const r = verifyModelSignature(fixture('v1.1.0-certificate', 'model.sig'), trust(), new Date('2024-01-01T00:00:00Z'));
  refused(r, 'invalid', /valid only from 2025-05-02T23:36:28\.000Z, later than this host's time/, 'certificate');
  const keyless = verifyModelSignature(fixture('v1.1.0-sigstore', 'model.sig'), trust(), new Date('2024-01-01T00:00:00Z'));
  refused(keyless, 'invalid', /signature was made at 2025-10-10T.*later than this host's time/, 'sigstore');
});

test('a manifest whose root digest does not match its resources is inconsistent', () => {
  const st = modelStatement(files) as Json;
  st['subject'][0].digest.sha256 = '0'.repeat(64);
  refused(check(signModelStatement(st, testKey.privateKey), testTrust()), 'invalid', /manifest is inconsistent: its resources hash to [0-9a-f]{64}, and its subject's root digest is 0{64}/, 'key');
  const reordered = modelStatement(files) as Json;
  reordered['predicate'].resources.reverse();
  refused(check(signModelStatement(reordered, testKey.privateKey), testTrust()), 'invalid', /manifest is inconsistent/);
});

test('a v1.0 statement with two subjects is invalid', () => {
  const st = modelStatement(files) as Json;
  st['subject'].push({ name: 'other', digest: { sha256: 'a'.repeat(64) } });
  refused(check(signModelStatement(st, testKey.privateKey), testTrust()), 'invalid', /names 2 subjects \(a https:\/\/model_signing\/signature\/v1\.0 statement names exactly one/, 'key');
});

test('an unknown predicate type is invalid; a model_signing one Airlock does not read is unverifiable', () => {
  const slsa = { ...modelStatement(files), predicateType: 'https://slsa.dev/provenance/v1' };
  refused(check(signModelStatement(slsa, testKey.privateKey), testTrust()), 'invalid', /predicate type "https:\/\/slsa\.dev\/provenance\/v1" is not a model signature/, 'key');
  const future = { ...modelStatement(files), predicateType: 'https://model_signing/signature/v2.0' };
  refused(check(signModelStatement(future, testKey.privateKey), testTrust()), 'unverifiable', /is a model signing format Airlock does not read/, 'key');
  const notInToto = { ...modelStatement(files), _type: 'https://example.com/Statement' };
  refused(check(signModelStatement(notInToto, testKey.privateKey), testTrust()), 'invalid', /_type "https:\/\/example\.com\/Statement" is not an in-toto Statement/);
  refused(check(signModelStatement(Buffer.from('not json'), testKey.privateKey), testTrust()), 'invalid', /signed statement is not UTF-8 JSON/);
});

test('shard manifests and hashes other than sha256 are unverifiable, "not supported yet" (after the root digest holds)', () => {
  const shards = modelStatement(files) as Json;
  shards['predicate'].serialization = { method: 'shards', hash_type: 'sha256', shard_size: 1000000000, allow_symlinks: false };
  for (const r of shards['predicate'].resources) r.name = `${r.name}:0:7`;
  refused(check(signModelStatement(shards, testKey.privateKey), testTrust()), 'unverifiable', /serialized by shards \(shard_size "1000000000"\): verifying shard manifests is not supported yet/, 'key');
  // Not String() of it: an object with a toString member threw a TypeError out of the check (a list nested deep, a RangeError); a list was shown as its items.
  shards['predicate'].serialization.shard_size = { toString: 1 };
  refused(check(signModelStatement(shards, testKey.privateKey), testTrust()), 'unverifiable', /serialized by shards \(shard_size an object\): verifying shard manifests/, 'key');
  shards['predicate'].serialization.shard_size = [[[['deep']]]];
  refused(check(signModelStatement(shards, testKey.privateKey), testTrust()), 'unverifiable', /serialized by shards \(shard_size a list\): verifying shard manifests/, 'key');
  const blake = modelStatement(files) as Json;
  blake['predicate'].serialization.hash_type = 'blake3';
  for (const r of blake['predicate'].resources) r.algorithm = 'blake3';
  refused(check(signModelStatement(blake, testKey.privateKey), testTrust()), 'unverifiable', /hashed with "blake3": only sha256 manifests are supported yet/);
  const method = modelStatement(files) as Json;
  method['predicate'].serialization.method = 'tarball';
  refused(check(signModelStatement(method, testKey.privateKey), testTrust()), 'unverifiable', /serialization method "tarball" is not one model_signing defines/);
});

test('hostile manifests: a name listed twice, paths that escape the model, digests that are not sha256', () => {
  const resign = (edit: (st: Json) => void): ModelSignatureCheck => {
    const st = modelStatement(files) as Json;
    edit(st);
    return check(signModelStatement(st, testKey.privateKey), testTrust());
  };
  const twice = (st: Json): void => {
    st['predicate'].resources[1].name = st['predicate'].resources[0].name;
  };
  refused(resign(twice), 'invalid', /lists "config\.json" twice/);
  for (const [name, why] of [['../etc/passwd', /"\.\." component/], ['/abs', /is absolute/], ['a//b', /empty/], ['a\\b', /backslash/], ['.', /named "\." \(a single-file model\), and the manifest lists 2/]] as const) {
    refused(
      resign((st) => {
        st['predicate'].resources[0].name = name;
      }),
      'invalid',
      why,
    );
  }
  refused(
    resign((st) => {
      st['predicate'].resources[0].algorithm = 'sha512';
    }),
    'invalid',
    /resources\[0\]\.algorithm is "sha512", not the manifest's sha256/,
  );
  refused(
    resign((st) => {
      st['predicate'].resources[0].digest = 'xyz';
    }),
    'invalid',
    /resources\[0\]\.digest is not a hex digest/,
  );
  refused(
    resign((st) => {
      st['predicate'].resources[0].name = 'a'.repeat(MODEL_SIGNING_LIMITS.maxNameChars + 1);
    }),
    'invalid',
    /resources\[0\]\.name is 4097 characters long \(at most 4096\)/,
  );
  refused(
    resign((st) => {
      st['predicate'].serialization.ignore_paths = ['../up'];
    }),
    'invalid',
    /ignore_paths\[0\] \("\.\.\/up"\) has an empty, "\." or "\.\." component/,
  );
});

test('limits: an oversized model.sig and a manifest with too many resources are unverifiable', () => {
  const big = Buffer.alloc(MODEL_SIGNING_LIMITS.maxSignatureBytes + 1, 0x20);
  refused(check(big), 'unverifiable', /model\.sig is 16777217 bytes \(at most 16777216 are read\)/, null);
  const many = Array.from({ length: 11 }, (_, i) => ({ path: `f${i}`, bytes: Buffer.from([i]) }));
  const sig = signModelFiles(many, testKey.privateKey);
  verified(check(sig, testTrust()));
  refused(check(sig, testTrust(), { ...MODEL_SIGNING_LIMITS, maxResources: 10 }), 'unverifiable', /lists 11 resources \(at most 10 are read\)/, 'key');
});

test('not a model signature: non-JSON, no dsseEnvelope, two signatures, another payload type, no verification material', () => {
  refused(check(Buffer.from('\x00\x01 not json')), 'invalid', /model\.sig is not UTF-8 JSON/, null);
  refused(check(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), 'invalid', /model\.sig is not UTF-8 JSON/, null);
  refused(check(Buffer.from('[1,2]')), 'invalid', /not a JSON object/, null);
  const noEnvelope = KEY_SIG();
  delete noEnvelope['dsseEnvelope'];
  refused(check(noEnvelope), 'invalid', /model\.sig has no dsseEnvelope/, 'key');
  const message = KEY_SIG();
  delete message['dsseEnvelope'];
  message['messageSignature'] = { signature: 'AAAA' };
  refused(check(message), 'invalid', /no dsseEnvelope .*this bundle has a messageSignature/);
  const two = KEY_SIG();
  two['dsseEnvelope'].signatures.push(two['dsseEnvelope'].signatures[0]);
  refused(check(two), 'invalid', /dsseEnvelope\.signatures has 2 signatures \(a model signature has exactly one\)/);
  const type = KEY_SIG();
  type['dsseEnvelope'].payloadType = 'text/plain';
  refused(check(type), 'invalid', /payloadType is "text\/plain", not application\/vnd\.in-toto\+json/);
  const noMaterial = KEY_SIG();
  delete noMaterial['verificationMaterial'];
  refused(check(noMaterial), 'invalid', /no verificationMaterial object/, null);
  const both = KEY_SIG();
  both['verificationMaterial'].certificate = { rawBytes: 'AAAA' };
  refused(check(both), 'invalid', /exactly one of certificate, publicKey, x509CertificateChain \(has certificate, publicKey\)/, null);
  const media = KEY_SIG();
  media['mediaType'] = 'application/vnd.dev.sigstore.bundle.v0.4+json';
  refused(check(media), 'unverifiable', /mediaType "application\/vnd\.dev\.sigstore\.bundle\.v0\.4\+json" is not a Sigstore bundle version Airlock reads/);
  const badCert = CERT_SIG();
  badCert['verificationMaterial'].x509CertificateChain.certificates[0].rawBytes = 'AAAA';
  refused(check(badCert), 'invalid', /certificates\[0\]\.rawBytes is not a DER certificate/, 'certificate');
  const badB64 = KEY_SIG();
  badB64['dsseEnvelope'].payload = '!!!';
  refused(check(badB64), 'invalid', /dsseEnvelope\.payload is not base64/);
});

test('a misconfigured trust is unverifiable with the configuration error, not a throw', () => {
  refused(check(KEY_SIG(), trust({ keys: ['not a key'] })), 'unverifiable', /model signing key 0 holds 0 PEM public keys/, 'key');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  refused(check(KEY_SIG(), trust({ keys: [rsa] })), 'unverifiable', /model signing key 0 is not an ECDSA P-256, P-384 or P-521 key/);
  refused(check(CERT_SIG(), trust({ certificateAuthorities: ['junk'] })), 'unverifiable', /certificate authority 0 holds no PEM certificate/);
  // A certificate that may not sign certificates (upstream's leaf: CA:TRUE, but key usage digitalSignature only) is no CA.
  const leaf = fixture('keys', 'signing-key-cert.pem').toString('utf8');
  refused(check(CERT_SIG(), trust({ certificateAuthorities: [leaf] })), 'unverifiable', /certificate authority 0, certificate 0 \(CN=intermediate-ca\), is not a CA certificate/);
  // The keyless mode does not read the keys.
  verified(check(KEYLESS_SIG(), trust({ keys: ['not a key'] })));
});
