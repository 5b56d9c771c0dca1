/**
 * Reading OPA bundles: what `opa build` writes is read (leading-slash names, .manifest, data at
 * its directory's path, test modules left out); hostile archives are refused with their own
 * reason; signatures verify with the configured key only, over exactly the bundle's files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tar } from '../../test/support/npm-registry/index.ts';
import { opaBundle, type BundleSpec } from '../../test/support/opa-bundle.ts';
import { newSigningKey } from '../verify/jwt/test-support.ts';
import { bundleSignatureVerifier } from '../app/policy-bundle/verifier.ts';
import { AirlockError } from '../core/index.ts';
import { canonicalForm } from './bundle-hash.ts';
import { compileBundle } from './compiled-bundle.ts';
import { DEFAULT_POLICY_BUNDLE_LIMITS, readPolicyBundle, type PolicyBundleLimits } from './bundle-reader.ts';
import type { BundleSigning } from './bundle-signature.ts';
import { readBundleArchive } from './bundle-archive.ts';
import { base256Size, octalSize, paxHeader, realTar } from '../../test/support/gnu-tar.ts';
import type { TestSigningKey } from '../verify/jwt/test-support.ts';

const POLICY = `package airlock

import rego.v1

deny contains {"id": "bundle.blocked", "msg": "blocked by the bundle"} if input.artifact.name in data.airlock.blocked
`;

const FILES = {
  'airlock/policy.rego': POLICY,
  'airlock/policy_test.rego': 'package airlock_test\n\nimport rego.v1\n\ntest_nothing if true\n',
  'airlock/data.json': JSON.stringify({ blocked: ['evil-pkg'] }),
  'airlock/settings/data.yaml': 'cooldown_days: 7\n',
  'data.json': '{}',
};

const rsa = newSigningKey('RS256', 'global');
const pem = (k: TestSigningKey): string => createPublicKey(k.privateKey).export({ type: 'spki', format: 'pem' }).toString();

function signing(key: TestSigningKey, options: { keyId?: string | null; algorithm?: string | null; scope?: string | null } = {}): BundleSigning {
  const s = { publicKeyPem: pem(key), keyId: options.keyId ?? null, algorithm: options.algorithm ?? null, scope: options.scope ?? null };
  return { verifier: bundleSignatureVerifier(s), scope: s.scope };
}

async function read(bytes: Buffer, sign: BundleSigning | null = null, limits: Partial<PolicyBundleLimits> = {}) {
  return readPolicyBundle(bytes, { limits: { ...DEFAULT_POLICY_BUNDLE_LIMITS, ...limits }, signing: sign });
}

async function refuses(bytes: Buffer | Promise<Buffer>, message: RegExp, sign: BundleSigning | null = null, limits: Partial<PolicyBundleLimits> = {}): Promise<void> {
  await assert.rejects(read(await bytes, sign, limits), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, message);
    assert.equal((err as { code?: string }).code, 'POLICY_ERROR');
    return true;
  });
}

const bundle = (over: Partial<BundleSpec> = {}): Buffer => opaBundle({ files: FILES, manifest: { revision: 'r1', roots: ['airlock'], metadata: { team: 'platform' }, rego_version: 1 }, ...over });

test('bundle: what opa build writes is read: modules, data at its path, manifest; test modules left out; it compiles', async () => {
  const got = await read(bundle());
  assert.deepEqual(got.source.modules.map((m) => m.path), ['airlock/policy.rego']);
  assert.deepEqual(got.source.data, { airlock: { blocked: ['evil-pkg'], settings: { cooldown_days: 7 } } });
  assert.deepEqual(got.manifest, { revision: 'r1', roots: ['airlock'], metadata: { team: 'platform' } });
  assert.equal(got.signature, null);
  assert.match(got.digest, /^[0-9a-f]{64}$/);
  const compiled = compileBundle(got.source);
  const out = compiled.evaluateAll(['data.airlock.deny'], { artifact: { name: 'evil-pkg' } }, { timeoutMs: 1000, maxSteps: 100000 });
  assert.equal(JSON.stringify(out[0]).includes('bundle.blocked'), true);
  // tar -C dir . names entries ./x; without a manifest the roots are everything.
  const plain = await read(opaBundle({ files: FILES, manifest: null, relativeNames: true, extra: [{ path: './', content: '', type: 'directory' }] }));
  assert.deepEqual(plain.manifest.roots, ['']);
  // The same policy, the same hash; other data, another.
  assert.equal((await read(bundle({ revision: 'other' }))).source.hash, got.source.hash);
});

test('bundle: hostile archives are refused, each with its reason', async () => {
  await refuses(Buffer.from('not a bundle at all'), /not a gzip file/);
  const gz = bundle();
  await refuses(Buffer.concat([gz.subarray(0, 40), Buffer.alloc(40, 7)]), /gzip stream is corrupt/);
  await refuses(gzipSync(Buffer.alloc(4 * 1024 * 1024)), /unpacks to more than 1048576 bytes/, null, { maxUnpackedBytes: 1024 * 1024 });
  await refuses(gz, /the archive is \d+ bytes; at most 100/, null, { maxCompressedBytes: 100 });
  await refuses(bundle(), /more than 3 files/, null, { maxFiles: 3 });
  await refuses(opaBundle({ files: { [`${'a/'.repeat(40)}p.rego`]: POLICY } }), /longer than 64 characters/, null, { maxPathLength: 64 });
  await refuses(opaBundle({ files: { 'big/data.json': JSON.stringify({ x: 'y'.repeat(5000) }) } }), /big\/data.json is \d+ bytes; at most 4096 a file/, null, { maxFileBytes: 4096 });
  await refuses(opaBundle({ files: { '../escape.rego': POLICY } }), /steps out of the bundle/);
  await refuses(opaBundle({ files: { 'a/../../escape.rego': POLICY } }), /steps out of the bundle/);
  await refuses(opaBundle({ files: { '/etc/airlock.rego': POLICY } }), /not in normal form \(an absolute path/);
  await refuses(opaBundle({ files: { 'a/./b.rego': POLICY } }), /not in normal form/);
  await refuses(opaBundle({ files: { 'a\\b.rego': POLICY } }), /contains a backslash/);
  await refuses(opaBundle({ files: FILES, extra: [{ path: '/airlock/link.rego', content: '', type: 'symlink', linkTarget: '/etc/passwd' }] }), /is a symbolic link/);
  await refuses(opaBundle({ files: FILES, extra: [{ path: '/airlock/hard.rego', content: '', type: 'hardlink', linkTarget: 'airlock/policy.rego' }] }), /is a hard link/);
  await refuses(opaBundle({ files: FILES, extra: [{ path: '/dev0', content: '', raw: { typeflag: '3' } }] }), /entry of type "3"/);
  await refuses(opaBundle({ files: FILES, extra: [{ path: '/airlock/policy.rego', content: 'package airlock\n' }] }), /airlock\/policy.rego appears twice/);
  await refuses(opaBundle({ files: FILES, extra: [{ path: 'airlock/policy.rego', content: 'package airlock\n' }] }), /airlock\/policy.rego appears twice/);
  const raw = tar([{ path: '/p.rego', content: POLICY }]);
  await refuses(gzipSync(raw.subarray(0, 700)), /truncated/);
  const bad = Buffer.from(raw);
  bad[10] = 0x41;
  await refuses(gzipSync(bad), /wrong checksum/);
  await refuses(opaBundle({ files: { 'README.md': 'nothing' } }), /holds no \.rego modules/);
});

test('bundle: an entry size in base-256 or in a pax size record is read as GNU tar reads it', async () => {
  const base256 = realTar('ustar', [{ path: 'p.rego', content: POLICY }]);
  base256Size(base256.subarray(0, 512), Buffer.byteLength(POLICY));
  const padded = realTar('ustar', [{ path: 'q.rego', content: POLICY }]);
  octalSize(padded.subarray(0, 512), 0);
  for (const tarBytes of [base256, Buffer.concat([paxHeader({ size: String(Buffer.byteLength(POLICY)) }), padded])]) {
    const files = await readBundleArchive(gzipSync(tarBytes));
    assert.deepEqual(files.map((f) => f.bytes.toString()), [POLICY]);
  }
});

test('bundle: the manifest is held to what OPA checks, and Airlock reads Rego v1 only', async () => {
  await refuses(bundle({ manifest: { revision: 'r', rego_version: 0 } }), /rego_version 0: Airlock reads Rego v1 only/);
  await refuses(bundle({ manifest: { revision: 'r', file_rego_versions: { '/airlock/policy.rego': 0 } } }), /Rego v0; Airlock reads Rego v1 only/);
  await refuses(bundle({ manifest: { revision: 'r', roots: ['airlock', 'airlock/settings'] } }), /roots "airlock" and "airlock\/settings" overlap/);
  await refuses(bundle({ manifest: { revision: 'r', roots: ['other'] } }), /package airlock is outside the bundle's roots/);
  await refuses(opaBundle({ files: { 'p.rego': POLICY, 'x/data.json': '{"a":1}' }, manifest: { roots: ['airlock'] } }), /x\/data.json: data.x is outside the bundle's roots/);
  await refuses(bundle({ manifest: null, files: { ...FILES, '.manifest': 'not json' } }), /\.manifest is not JSON/);
});

test('bundle: a manifest Rego version that is no number is named by its kind (found by fuzzing: String() and JSON.stringify of it threw)', async () => {
  const manifest = (text: string) => bundle({ manifest: null, files: { ...FILES, '.manifest': text } });
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  await refuses(manifest(`{"rego_version":${deep}}`), /^policy bundle: \.manifest: rego_version \(list\): Airlock reads Rego v1 only/);
  await refuses(manifest(`{"rego_version":"${'0'.repeat(100_000)}"}`), /rego_version "0{20}": Airlock reads Rego v1 only \(build the bundle with OPA 1\.x, without --v0-compatible\)$/);
  await refuses(manifest('{"file_rego_versions":{"/airlock/policy.rego":{"toString":1}}}'), /^policy bundle: \.manifest: "\/airlock\/policy\.rego" is Rego v\(object\); Airlock reads Rego v1 only$/);
  await refuses(manifest(`{"file_rego_versions":{"/airlock/policy.rego":${deep}}}`), /is Rego v\(list\); Airlock reads Rego v1 only$/);
});

test('bundle: a manifest whose metadata nests deeper than 32 levels is refused (found by a sweep of type assertions: it was kept as read, and the policy status that shows it threw a RangeError when serialized)', async () => {
  const manifest = (text: string) => bundle({ manifest: null, files: { ...FILES, '.manifest': text } });
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  await refuses(manifest(`{"metadata":{"x":${deep}}}`), /^policy bundle: \.manifest: metadata nests deeper than 32 levels$/);
  await refuses(manifest(`{"metadata":${'{"a":'.repeat(32)}[]${'}'.repeat(32)}}`), /metadata nests deeper than 32 levels$/);
  const read = await readPolicyBundle(manifest(`{"metadata":${'{"a":'.repeat(31)}[]${'}'.repeat(31)}}`), { limits: DEFAULT_POLICY_BUNDLE_LIMITS, signing: null });
  assert.equal(JSON.stringify(read.manifest.metadata).length, 31 * 6 + 2);
});

test('bundle: a module or data outside 1,000 long roots names the first five, cut short (found by fuzzing: every root went into the message, 1 MB of it)', async () => {
  const roots = Array.from({ length: 1000 }, (_, i) => `${'r'.repeat(1000)}${i}`);
  const cut = `"${'r'.repeat(100)}…"`;
  await refuses(bundle({ manifest: { roots } }), new RegExp(`^policy bundle: airlock/policy\\.rego: package airlock is outside the bundle's roots \\(${cut}, ${cut}, ${cut}, ${cut}, ${cut} and 995 more\\)$`));
  await refuses(opaBundle({ files: { 'x/data.json': '{"a":1}' }, manifest: { roots } }), / data\.x is outside the bundle's roots \("r{100}…", .* and 995 more\)$/);
});

test('bundle: a bundle signed with the configured key verifies (RS256, PS256, ES256)', async () => {
  for (const key of [rsa, newSigningKey('PS256', 'ps'), newSigningKey('ES256', 'ec')]) {
    const got = await read(bundle({ sign: { key } }), signing(key));
    assert.deepEqual(got.signature, { kid: key.kid, alg: key.alg, files: 6 });
  }
  // With a keyId, the token's kid must be it; without a kid in the header it is the configured key still.
  assert.ok(await read(bundle({ sign: { key: rsa } }), signing(rsa, { keyId: 'global' })));
  assert.ok(await read(bundle({ sign: { key: rsa, kid: null } }), signing(rsa, { keyId: 'global' })));
  await refuses(bundle({ sign: { key: rsa, kid: 'default' } }), /names the key "default", not the configured "global"/, signing(rsa, { keyId: 'global' }));
  // The scope must be the configured one.
  assert.ok(await read(bundle({ sign: { key: rsa, scope: 'write' } }), signing(rsa, { scope: 'write' })));
  await refuses(bundle({ sign: { key: rsa, scope: 'read' } }), /scope is "read", but "write" is configured/, signing(rsa, { scope: 'write' }));
  await refuses(bundle({ sign: { key: rsa, scope: 'read' } }), /scope is "read", but none is configured/, signing(rsa));
});

test('bundle: structured files are hashed over their JSON, not their bytes (as OPA does)', async () => {
  // Signed over the compact form; served pretty-printed with keys in another order: still the same document.
  const data = '{\n  "blocked": [ "evil-pkg" ]\n}\n';
  const got = await read(bundle({ files: { ...FILES, 'airlock/data.json': data }, sign: { key: rsa, hashOf: { 'airlock/data.json': '{"blocked":["evil-pkg"]}' } } }), signing(rsa));
  assert.ok(got.signature);
  assert.equal(canonicalForm('data.json', Buffer.from('{"b": 1.50, "a": {"z": "<&>", "y": [1e3, "α\u2028"]}}')), '{"a":{"y":[1e3,"α\\u2028"],"z":"<&>"},"b":1.50}');
  assert.equal(
    canonicalForm('data.json', Buffer.from('{"key2":{"c":123.45678911111111111111111111111111111111111111111111111,"b":1,"a":0},"key1":["element1","element2"]}')),
    '{"key1":["element1","element2"],"key2":{"a":0,"b":1,"c":123.45678911111111111111111111111111111111111111111111111}}',
  );
});

test('bundle: a YAML file whose alias names a node that contains it is refused for its hash (found by a type-level sweep: the canonical form recursed until a RangeError)', () => {
  for (const yaml of ['a: &x [ *x ]\n', '&x { a: { b: *x } }\n']) {
    assert.throws(() => canonicalForm('airlock/data.yaml', Buffer.from(yaml)), (err) => err instanceof AirlockError && err.code === 'POLICY_ERROR' && err.message === 'policy bundle: airlock/data.yaml: an alias refers to a node that contains it');
  }
  // An alias used twice side by side is no cycle.
  assert.equal(canonicalForm('airlock/data.yaml', Buffer.from('a: &x [1]\nb: [*x, *x]\n')), '{"a":[1],"b":[[1],[1]]}');
});

test('bundle: wrong key, a file missing from the signature, an extra listed file, a changed file, unsigned or unexpectedly signed: refused', async () => {
  const other = newSigningKey('RS256', 'global');
  await refuses(bundle({ sign: { key: other } }), /does not verify: the token's RS256 signature does not verify/, signing(rsa));
  await refuses(bundle({ sign: { key: newSigningKey('ES256', 'global') } }), /says ES256, but the key is/, signing(rsa));
  await refuses(bundle({ sign: { key: rsa, omit: ['airlock/data.json'] } }), /airlock\/data.json is in the bundle but not in its signature/, signing(rsa));
  await refuses(bundle({ sign: { key: rsa, listExtra: { 'airlock/removed.rego': 'package airlock\n' } } }), /lists airlock\/removed.rego, which the bundle does not hold/, signing(rsa));
  // Found by fuzzing: a listed name went whole into the message, however long the signer made it.
  await refuses(bundle({ sign: { key: rsa, listExtra: { [`${'a'.repeat(1_000_000)}.rego`]: 'package a\n' } } }), /^policy bundle: the signature lists a{200}…, which the bundle does not hold$/, signing(rsa));
  await refuses(bundle({ sign: { key: rsa, hashOf: { 'airlock/policy.rego': 'package airlock\n' } } }), /airlock\/policy.rego does not match its signed SHA-256 digest/, signing(rsa));
  await refuses(bundle({ sign: { key: rsa, algorithm: 'MD5' } }), /with "MD5", which is too weak/, signing(rsa));
  // A name every object has (its `constructor`) is no algorithm either.
  for (const name of ['constructor', '__proto__']) await refuses(bundle({ sign: { key: rsa, algorithm: name } }), new RegExp(`with "${name}", which is not a known algorithm`), signing(rsa));
  await refuses(bundle(), /not signed \(it has no \.signatures\.json\), and a signing key is configured/, signing(rsa));
  await refuses(bundle({ sign: { key: rsa } }), /signed \(\.signatures\.json\), but no signing key is configured/, null);
  await refuses(bundle({ extra: [{ path: '/.signatures.json', content: '{"signatures": []}' }] }), /holds no signature/, signing(rsa));
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"files":[]}').toString('base64url')}.`;
  await refuses(bundle({ extra: [{ path: '/.signatures.json', content: JSON.stringify({ signatures: [unsigned] }) }] }), /unsigned \(alg none\)/, signing(rsa));
});
