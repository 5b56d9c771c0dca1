/**
 * PEP 740 provenance signed by the test's own Sigstore (test/support/sigstore-pki.ts): real
 * certificates, DSSE signatures, log entries and timestamps, in PyPI's JSON shape
 * (test/support/pypi-index/provenance.ts), checked against that deployment's trusted root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createTestSigstore, hasOpenssl, WORKFLOW, type TestSigstore } from '../../../test/support/sigstore-pki.ts';
import { pypiAttestation, pypiProvenance, TEST_PUBLISHER } from '../../../test/support/pypi-index/provenance.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, type TrustedRoot } from '../sigstore/index.ts';
import { checkPypiProvenance, PYPI_PUBLISH_V1, SLSA_PROVENANCE_V1 } from './provenance.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' } as const;
const file = { filename: 'plover_sign-1.0-py3-none-any.whl', bytes: Buffer.from('a wheel, as far as this test is concerned') };
const sha256 = createHash('sha256').update(file.bytes).digest('hex');

function deployment(t: { after: (fn: () => void) => void }): { sigstore: TestSigstore; root: TrustedRoot } {
  const sigstore = createTestSigstore();
  t.after(() => sigstore.close());
  return { sigstore, root: parseTrustedRoot(sigstore.trustedRoot) };
}

test('a provenance object the test Sigstore signed verifies for its file, with the workflow that signed it', needsOpenssl, (t) => {
  const { sigstore, root } = deployment(t);
  const bytes = pypiProvenance(sigstore, file);
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, any>;
  // PyPI's shape, and the proposed `timestamps` for a log entry without an integrated time.
  assert.deepEqual(Object.keys(doc['attestation_bundles'][0].attestations[0].verification_material).sort(), ['certificate', 'timestamps', 'transparency_entries']);
  const r = checkPypiProvenance({ bytes }, file.filename, sha256, root);
  assert.equal(r.status, 'verified', r.error ?? '');
  assert.deepEqual(r.verified, [PYPI_PUBLISH_V1]);
  assert.deepEqual(r.publisher, TEST_PUBLISHER);
  assert.equal(r.identity?.subject_alternative_name, WORKFLOW.san);
  assert.equal(r.identity?.issuer, WORKFLOW.issuer);
  assert.equal(r.identity?.source_repository, WORKFLOW.repository);
  assert.ok(Math.abs(Date.parse(r.identity?.signed_at ?? '') - Date.now()) < 10 * 60 * 1000, r.identity?.signed_at);

  // The same object for other bytes, another file, or under a trust it was not made in.
  const other = createHash('sha256').update('other bytes').digest('hex');
  assert.deepEqual([checkPypiProvenance({ bytes }, file.filename, other, root).error], [`bundle 0, attestation 0 is not for this file: its ${PYPI_PUBLISH_V1} statement attests a file with sha256 ${sha256}, not the one served (sha256 ${other})`]);
  assert.equal(checkPypiProvenance({ bytes }, 'plover_sign-1.1-py3-none-any.whl', sha256, root).status, 'invalid');
  const publicGood = checkPypiProvenance({ bytes }, file.filename, sha256, publicGoodTrustedRoot());
  assert.equal(publicGood.status, 'unverifiable', publicGood.error ?? '');
  // Without its timestamp nothing dates the signature (a Rekor v2 entry has no integrated time).
  const attestation = doc['attestation_bundles'][0].attestations[0];
  delete attestation.verification_material.timestamps;
  const undated = checkPypiProvenance({ bytes: Buffer.from(JSON.stringify(doc)) }, file.filename, sha256, root);
  assert.equal(undated.status, 'invalid');
  assert.match(undated.error ?? '', /^bundle 0, attestation 0 does not verify: verificationMaterial\.tlogEntries\[0\] has no integrated time/);
});

test('an SLSA provenance and a publish attestation in one bundle verify; a subject, predicate or publisher that does not fit is invalid', needsOpenssl, (t) => {
  const { sigstore, root } = deployment(t);
  const both = { version: 1, attestation_bundles: [{ publisher: TEST_PUBLISHER, attestations: [pypiAttestation(sigstore, file), pypiAttestation(sigstore, file, { predicateType: SLSA_PROVENANCE_V1 })] }] };
  const r = checkPypiProvenance({ bytes: Buffer.from(JSON.stringify(both)) }, file.filename, sha256, root);
  assert.deepEqual([r.status, r.count, r.verified], ['verified', 2, [PYPI_PUBLISH_V1, SLSA_PROVENANCE_V1]], r.error ?? '');

  const cases: [Buffer, string][] = [
    [pypiProvenance(sigstore, file, { subjectName: 'plover_sign-1.0-py2.py3-none-any.whl' }), 'bundle 0, attestation 0 is not for this file: its https://docs.pypi.org/attestations/publish/v1 statement attests "plover_sign-1.0-py2.py3-none-any.whl", not plover_sign-1.0-py3-none-any.whl'],
    [pypiProvenance(sigstore, file, { subjectSha256: 'ab'.repeat(32) }), `bundle 0, attestation 0 is not for this file: its https://docs.pypi.org/attestations/publish/v1 statement attests a file with sha256 ${'ab'.repeat(32)}, not the one served (sha256 ${sha256})`],
    [pypiProvenance(sigstore, file, { predicateType: 'https://example.com/attestation/v1' }), 'bundle 0, attestation 0 is not for this file: its predicate type "https://example.com/attestation/v1" is not one PyPI accepts (https://docs.pypi.org/attestations/publish/v1, https://slsa.dev/provenance/v1)'],
    [pypiProvenance(sigstore, file, { publisher: { ...TEST_PUBLISHER, workflow: 'publish.yml' } }), `bundle 0, attestation 0 is not by its publisher (GitHub): the certificate's workflow is "${WORKFLOW.san}", not the publisher's publish.yml in acme/widget`],
  ];
  for (const [bytes, error] of cases) {
    const c = checkPypiProvenance({ bytes }, file.filename, sha256, root);
    assert.deepEqual([c.status, c.error], ['invalid', error]);
  }
  // The subject's name in another spelling of the same file is the same file.
  const spelled = checkPypiProvenance({ bytes: pypiProvenance(sigstore, file, { subjectName: 'Plover.Sign-1.0.0-py3-none-any.whl' }) }, 'plover_sign-1.0.0-py3-none-any.whl', sha256, root);
  assert.equal(spelled.status, 'verified', spelled.error ?? '');
});
