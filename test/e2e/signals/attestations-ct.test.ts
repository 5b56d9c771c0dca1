/**
 * Certificate transparency of npm provenance signers, with the real npm client and the built-in
 * policy. Fulcio logs each certificate in a CT log and embeds the log's SCT; Airlock requires one
 * that verifies with a CT log of the trusted root, as Sigstore's own clients do. The Sigstore
 * deployment is the test's own (test/support/sigstore-pki.ts), named to Airlock as the
 * repository's `sigstoreTrustedRoot`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestSigstore } from '../../support/sigstore-pki.ts';
import { artifactDecision, attest, attestationFacts, needsOpenssl, widgetTrusting } from './provenance.ts';

test('certificate transparency: a signer with a verifying SCT installs; a forged SCT or none blocks the version; an SCT from a CT log the root does not list only warns', needsOpenssl, async (t) => {
  const sigstore = createTestSigstore();
  t.after(() => sigstore.close());
  const s = await widgetTrusting(t, sigstore, ['1.0.0', '1.1.0', '1.2.0', '1.3.0']);

  await attest(s, sigstore, '1.0.0');
  // A CA made to issue quietly: an SCT under the CT log's id that the log never signed.
  await attest(s, sigstore, '1.1.0', { sct: 'forged' });
  await attest(s, sigstore, '1.2.0', { sct: 'none' });
  // Logged in a CT log Sigstore may have added after the root was written.
  await attest(s, sigstore, '1.3.0', { sct: 'unlisted' });

  const p = await s.project();
  const good = await p.npm(['pack', 'widget@1.0.0']);
  assert.equal(good.code, 0, good.output);
  const verified = await attestationFacts(s, '1.0.0');
  assert.equal(verified.status, 'verified', verified.error ?? '');

  const forged = await p.npm(['pack', 'widget@1.1.0']);
  assert.notEqual(forged.code, 0, forged.output);
  assert.match(forged.output, /widget@1\.1\.0 is blocked by Airlock policy: .*the signing certificate's certificate transparency does not verify: SCT 0 \(https:\/\/ctfe\.airlock-test\.invalid\)'s signature does not verify over the certificate with its log's key.*\[integrity\.attestation_invalid\]/);
  assert.equal(existsSync(join(p.dir, 'widget-1.1.0.tgz')), false, 'the version was never handed out');
  assert.equal((await artifactDecision(s, '1.1.0'))?.verdict, 'block');

  const missing = await p.npm(['pack', 'widget@1.2.0']);
  assert.notEqual(missing.code, 0, missing.output);
  assert.match(missing.output, /widget@1\.2\.0 is blocked by Airlock policy: .*the signing certificate has no signed certificate timestamp \(SCT\).*\[integrity\.attestation_invalid\]/);
  assert.equal(existsSync(join(p.dir, 'widget-1.2.0.tgz')), false);

  const unlisted = await p.npm(['pack', 'widget@1.3.0']);
  assert.equal(unlisted.code, 0, unlisted.output);
  const facts = await attestationFacts(s, '1.3.0');
  assert.equal(facts.status, 'unverifiable');
  assert.match(facts.error ?? '', /the signing certificate's SCTs are from certificate transparency logs the trusted root does not list \(log ids [A-Za-z0-9+/=]+\) \(if Sigstore has added it since, give a newer trusted root: sigstoreTrustedRoot\)/);
  assert.match(JSON.stringify(await artifactDecision(s, '1.3.0')), /integrity\.attestation_unverifiable/);
});
