/**
 * npm provenance logged in a Rekor v2 transparency log, with the real npm client and the built-in
 * policy. Rekor v2 entries carry no integrated time: an RFC 3161 timestamp over the signature is
 * what shows the short-lived certificate was valid when it signed. The Sigstore deployment is the
 * test's own (test/support/sigstore-pki.ts: a Fulcio-like CA, openssl's timestamp authority, an
 * Ed25519 log), named to Airlock as the repository's `sigstoreTrustedRoot`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestSigstore, WORKFLOW, type TestSigstore } from '../../support/sigstore-pki.ts';
import { artifactDecision, needsOpenssl, PROVENANCE, provenanceStatement, putProvenance, tarballSha512, widgetTrusting } from './provenance.ts';

test('Rekor v2 provenance: a timestamped bundle verifies and names its signer; a stamp of another signature, or none, blocks the version; one from a Sigstore the root does not list only warns', needsOpenssl, async (t) => {
  const sigstore: TestSigstore = createTestSigstore();
  // Another deployment (its own CA, log and timestamp authority): what a stale root sees after Sigstore rotates.
  const foreign: TestSigstore = createTestSigstore();
  t.after(() => {
    sigstore.close();
    foreign.close();
  });
  const s = await widgetTrusting(t, sigstore, ['1.0.0', '1.1.0', '1.2.0', '1.3.0']);

  // 1.0.0: logged and stamped as a Sigstore client does against Rekor v2.
  const good = sigstore.dsseBundle(provenanceStatement('1.0.0', await tarballSha512(s, '1.0.0')));
  // 1.1.0: its stamp is of another signature (a timestamp lifted from another bundle).
  const other = sigstore.dsseBundle(provenanceStatement('1.1.0', await tarballSha512(s, '1.1.0')));
  const lifted = sigstore.dsseBundle(provenanceStatement('1.1.0', await tarballSha512(s, '1.1.0')), { stamp: other.signature });
  // 1.2.0: logged, but with no timestamp: nothing shows when its certificate signed.
  const unstamped = sigstore.dsseBundle(provenanceStatement('1.2.0', await tarballSha512(s, '1.2.0')), { stamp: false });
  // 1.3.0: genuine, but signed, logged and stamped by the other deployment.
  const unknown = foreign.dsseBundle(provenanceStatement('1.3.0', await tarballSha512(s, '1.3.0')));
  for (const [version, b] of [['1.0.0', good], ['1.1.0', lifted], ['1.2.0', unstamped], ['1.3.0', unknown]] as const) {
    putProvenance(s, version, b);
  }

  const p = await s.project();
  const packed = await p.npm(['pack', 'widget@1.0.0']);
  assert.equal(packed.code, 0, packed.output);
  assert.ok(existsSync(join(p.dir, 'widget-1.0.0.tgz')));
  const decision = await artifactDecision(s, '1.0.0');
  const attestations = decision?.facts['attestations'] as { status: string; error: string | null; verified: string[]; provenance: Record<string, unknown> | null };
  assert.equal(attestations.status, 'verified', attestations.error ?? '');
  assert.deepEqual(attestations.verified, [PROVENANCE]);
  assert.equal(attestations.provenance?.['subject_alternative_name'], WORKFLOW.san);
  assert.equal(attestations.provenance?.['issuer'], WORKFLOW.issuer);
  assert.equal(attestations.provenance?.['source_repository'], WORKFLOW.repository);
  // Signed "now" by the timestamp authority's clock (whole seconds), not at any log time.
  const signedAt = Date.parse(String(attestations.provenance?.['signed_at']));
  assert.ok(Math.abs(Date.now() - signedAt) < 120_000, String(attestations.provenance?.['signed_at']));

  const packLifted = await p.npm(['pack', 'widget@1.1.0']);
  assert.notEqual(packLifted.code, 0, packLifted.output);
  assert.match(packLifted.output, /widget@1\.1\.0 is blocked by Airlock policy: .*its attestations do not check out \(the https:\/\/slsa\.dev\/provenance\/v1 attestation does not verify: verificationMaterial\.timestampVerificationData\.rfc3161Timestamps\[0\] does not stamp the bundle's signature[^)]*\)\).*\[integrity\.attestation_invalid\]/);
  assert.equal(existsSync(join(p.dir, 'widget-1.1.0.tgz')), false, 'the version was never handed out');

  const packUnstamped = await p.npm(['pack', 'widget@1.2.0']);
  assert.notEqual(packUnstamped.code, 0, packUnstamped.output);
  assert.match(packUnstamped.output, /widget@1\.2\.0 is blocked by Airlock policy: .*has no integrated time \(a Rekor v2 entry\) and the bundle has no RFC 3161 timestamp, so nothing shows when it was signed.*\[integrity\.attestation_invalid\]/);
  assert.equal(existsSync(join(p.dir, 'widget-1.2.0.tgz')), false);
  assert.equal((await artifactDecision(s, '1.2.0'))?.verdict, 'block');

  const packUnknown = await p.npm(['pack', 'widget@1.3.0']);
  assert.equal(packUnknown.code, 0, packUnknown.output);
  const unverifiable = await artifactDecision(s, '1.3.0');
  const facts = unverifiable?.facts['attestations'] as { status: string; error: string };
  assert.equal(facts.status, 'unverifiable');
  assert.match(facts.error, /cannot be checked: verificationMaterial\.tlogEntries\[0\] is in a log the trusted root does not list \(log id [A-Za-z0-9+/=]+\) \(if Sigstore has added it since, give a newer trusted root: sigstoreTrustedRoot\)/);
  assert.match(JSON.stringify(unverifiable), /integrity\.attestation_unverifiable/);
});
