/**
 * PEP 740 provenance with PyPI's own objects (../shared/protocols/fixtures/pypi-attestations):
 * pypi-attestations 0.0.19's sdist, attested by its GitHub workflow against Sigstore's
 * public-good instance, and an rfc8785 wheel attested against Sigstore's staging instance.
 * The distribution files themselves are not in the fixtures: the sha256 the checks are given is
 * the one the attestation's own statement names (what Airlock would compute from the real file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedRoot, publicGoodTrustedRoot } from '../sigstore/index.ts';
import { checkPypiProvenance, NO_PROVENANCE, PYPI_PUBLISH_V1, SLSA_PROVENANCE_V1, type PypiProvenanceCheck } from './provenance.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'protocols', 'fixtures');
const DIR = join(FIXTURES, 'pypi-attestations');
const PROVENANCE = join(DIR, 'pypi_attestations-0.0.19.tar.gz.provenance');
/** A staging trusted root (Fulcio, Rekor v1 and v2 of sigstage.dev), from sigstore-conformance. */
const STAGING_ROOT = join(FIXTURES, 'sigstore-conformance', 'bundle-verify', 'rekor2-happy-path', 'trusted_root.json');
const noFixtures = existsSync(PROVENANCE) ? false : 'the PyPI attestations (../shared/protocols/fixtures) are not available';
const FILENAME = 'pypi_attestations-0.0.19.tar.gz';
const PUBLISHER = { kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml', environment: null };
const root = publicGoodTrustedRoot();

type Json = Record<string, any>;

function json(name: string): Json {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Json;
}

function statementOf(attestation: Json): Json {
  return JSON.parse(Buffer.from(attestation['envelope'].statement, 'base64').toString('utf8')) as Json;
}

/** The sha256 the attestation's one subject names (the real file's; the file is not in the fixtures). */
function subjectSha256(attestation: Json): string {
  return statementOf(attestation)['subject'][0].digest.sha256 as string;
}

function provenance(...bundles: Json[]): { bytes: Buffer } {
  return { bytes: Buffer.from(JSON.stringify({ version: 1, attestation_bundles: bundles })) };
}

function check(doc: { bytes: Buffer } | { error: string }, filename = FILENAME, sha256?: string): PypiProvenanceCheck {
  return checkPypiProvenance(doc, filename, sha256 ?? subjectSha256(json('pypi_attestations-0.0.19.tar.gz.publish.attestation')), root);
}

test('PyPI\'s provenance object for pypi-attestations 0.0.19 verifies, with its publisher and the certificate\'s identity', { skip: noFixtures }, () => {
  const doc = json('pypi_attestations-0.0.19.tar.gz.provenance');
  const sha256 = subjectSha256(doc['attestation_bundles'][0].attestations[0]);
  assert.equal(sha256, '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3');
  assert.deepEqual(checkPypiProvenance({ bytes: readFileSync(PROVENANCE) }, FILENAME, sha256, root), {
    status: 'verified',
    error: null,
    count: 1,
    verified: [PYPI_PUBLISH_V1],
    publisher: PUBLISHER,
    identity: {
      subject_alternative_name: 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19',
      issuer: 'https://token.actions.githubusercontent.com',
      source_repository: 'https://github.com/trailofbits/pypi-attestations',
      source_ref: 'refs/tags/v0.0.19',
      signed_at: '2024-12-04T23:14:01.000Z',
    },
  });
  // Its digest in upper case is the same digest; `now` at the log's time is fine.
  assert.equal(checkPypiProvenance({ bytes: readFileSync(PROVENANCE) }, FILENAME, sha256.toUpperCase(), root, new Date('2024-12-04T23:14:01Z')).status, 'verified');
});

test('the publish and SLSA attestations together, in one bundle or two, verify; the first verified names the signer', { skip: noFixtures }, () => {
  const publish = json('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const slsa = json('pypi_attestations-0.0.19.tar.gz.slsa.attestation');
  const one = check(provenance({ publisher: PUBLISHER, attestations: [slsa, publish] }));
  assert.equal(one.status, 'verified', one.error ?? '');
  assert.deepEqual(one.verified, [SLSA_PROVENANCE_V1, PYPI_PUBLISH_V1]);
  assert.equal(one.count, 2);
  assert.equal(one.identity?.signed_at, '2024-12-04T23:13:46.000Z');
  const two = check(provenance({ publisher: PUBLISHER, attestations: [publish] }, { publisher: { ...PUBLISHER, environment: 'pypi' }, attestations: [slsa] }));
  assert.deepEqual([two.status, two.verified, two.publisher], ['verified', [PYPI_PUBLISH_V1, SLSA_PROVENANCE_V1], PUBLISHER]);
});

test('another file\'s bytes under the genuine attestation are invalid, naming both digests', { skip: noFixtures }, () => {
  const other = createHash('sha256').update('other bytes').digest('hex');
  const real = '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3';
  const result = check({ bytes: readFileSync(PROVENANCE) }, FILENAME, other);
  assert.deepEqual(result, {
    status: 'invalid',
    error: `bundle 0, attestation 0 is not for this file: its ${PYPI_PUBLISH_V1} statement attests a file with sha256 ${real}, not the one served (sha256 ${other})`,
    count: 1,
    verified: [],
    publisher: PUBLISHER,
    identity: null,
  });
});

test('the subject is matched by its parsed file name: other spellings of the same file pass, other files do not', { skip: noFixtures }, () => {
  const bytes = readFileSync(PROVENANCE);
  for (const same of ['pypi-attestations-0.0.19.tar.gz', 'Pypi.Attestations-0.0.19.tar.gz', 'pypi_attestations-0.0.019.tar.gz']) {
    assert.equal(check({ bytes }, same).status, 'verified', same);
  }
  for (const other of ['pypi_attestations-0.0.20.tar.gz', 'pypi_attestations-0.0.19.zip', 'pypi_attestations-0.0.19-py3-none-any.whl', 'pypi_attestation-0.0.19.tar.gz', 'pypi_attestations-0.0.19.0.tar.gz']) {
    const r = check({ bytes }, other);
    assert.equal(r.status, 'invalid', other);
    assert.equal(r.error, `bundle 0, attestation 0 is not for this file: its ${PYPI_PUBLISH_V1} statement attests "${FILENAME}", not ${other}`);
  }
  assert.deepEqual(check({ bytes }, 'pypi_attestations-0.0.19.egg').error, 'the file name "pypi_attestations-0.0.19.egg" cannot be matched to an attestation: it is neither a wheel (.whl) nor an sdist (.tar.gz, .zip)');
});

test('an edited statement or signature does not verify', { skip: noFixtures }, () => {
  const att = json('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const signature = Buffer.from(att['envelope'].signature, 'base64');
  signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 1, signature.length - 1);
  const tampered = { ...att, envelope: { ...att['envelope'], signature: signature.toString('base64') } };
  const bad = check(provenance({ publisher: PUBLISHER, attestations: [tampered] }));
  assert.equal(bad.status, 'invalid');
  assert.match(bad.error ?? '', /^bundle 0, attestation 0 does not verify: /);

  const statement = statementOf(att);
  statement['subject'][0].name = 'pypi_attestations-0.0.20.tar.gz';
  const edited = { ...att, envelope: { ...att['envelope'], statement: Buffer.from(JSON.stringify(statement)).toString('base64') } };
  const r = check(provenance({ publisher: PUBLISHER, attestations: [edited] }), 'pypi_attestations-0.0.20.tar.gz');
  assert.equal(r.status, 'invalid');
  assert.equal(r.error, 'bundle 0, attestation 0 does not verify: the DSSE envelope\'s signature does not verify over its payload with the signing key');
});

test('a publisher other than the certificate\'s identity is invalid', { skip: noFixtures }, () => {
  const att = json('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const cases: [Json, RegExp][] = [
    [{ ...PUBLISHER, workflow: 'other.yml' }, /is not by its publisher \(GitHub\): the certificate's workflow is "https:\/\/github\.com\/trailofbits\/pypi-attestations\/\.github\/workflows\/release\.yml@refs\/tags\/v0\.0\.19", not the publisher's other\.yml in trailofbits\/pypi-attestations$/],
    [{ ...PUBLISHER, repository: 'evil/pypi-attestations' }, /the certificate's source repository is "https:\/\/github\.com\/trailofbits\/pypi-attestations", not the publisher's https:\/\/github\.com\/evil\/pypi-attestations$/],
    [{ kind: 'GitLab', repository: 'trailofbits/pypi-attestations', workflow_filepath: '.gitlab-ci.yml' }, /is not by its publisher \(GitLab\): the certificate was issued by "https:\/\/token\.actions\.githubusercontent\.com", not https:\/\/gitlab\.com/],
    [{ kind: 'Google', email: 'release@example.iam.gserviceaccount.com' }, /is not by its publisher \(Google\): the certificate was issued by/],
  ];
  for (const [publisher, error] of cases) {
    const r = check(provenance({ publisher, attestations: [att] }));
    assert.equal(r.status, 'invalid', JSON.stringify(publisher));
    assert.match(r.error ?? '', error);
  }
  // GitHub repository names are not case-sensitive; a kind Airlock does not check is reported as the index says.
  assert.equal(check(provenance({ publisher: { ...PUBLISHER, repository: 'TrailOfBits/PyPI-Attestations' }, attestations: [att] })).status, 'verified');
  const other = check(provenance({ publisher: { kind: 'ActiveState', organization: 'acme' }, attestations: [att] }));
  assert.deepEqual([other.status, other.publisher], ['verified', { kind: 'ActiveState', repository: null, workflow: null, environment: null }]);
});

test('the staging attestation does not verify against the public-good root; against staging it is an e-mail identity, not a Trusted Publisher', { skip: noFixtures }, () => {
  const att = json('rfc8785-0.1.2-py3-none-any.whl.publish.attestation');
  const filename = 'rfc8785-0.1.2-py3-none-any.whl';
  const doc = provenance({ publisher: { kind: 'GitHub', repository: 'trailofbits/rfc8785.py', workflow: 'release.yml', environment: null }, attestations: [att] });
  // Its log is one the public-good root does not list: nothing could be checked (not proof of forgery,
  // so not 'invalid', as verifyBundle reports it), and it is not verified.
  const publicGood = check(doc, filename, subjectSha256(att));
  assert.equal(publicGood.status, 'unverifiable');
  assert.equal(publicGood.error, 'bundle 0, attestation 0 cannot be checked: verificationMaterial.tlogEntries[0] is in a log the trusted root does not list (log id 0y8wo8MtY5wrdiIFohx7sHeI5oKDpK5vQhGHI6G+pJY=) (if Sigstore has added it since, give a newer trusted root: sigstoreTrustedRoot)');
  assert.deepEqual([publicGood.verified, publicGood.identity], [[], null]);
  // The staging root is among the same shared fixtures as the attestation (the test is skipped without them).
  assert.ok(existsSync(STAGING_ROOT), `the staging trusted root is missing: ${STAGING_ROOT}`);
  const staging = parseTrustedRoot(JSON.parse(readFileSync(STAGING_ROOT, 'utf8')));
  const r = checkPypiProvenance(doc, filename, subjectSha256(att), staging);
  assert.equal(r.status, 'invalid');
  assert.equal(r.error, 'bundle 0, attestation 0 is not by its publisher (GitHub): the certificate was issued by "https://github.com/login/oauth", not https://token.actions.githubusercontent.com as a GitHub publisher\'s is');
});

test('malformed, oversized and unserved provenance fails with what is wrong', { skip: noFixtures }, () => {
  const att = json('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const raw = (v: unknown): { bytes: Buffer } => ({ bytes: Buffer.from(JSON.stringify(v)) });
  const bundle = (attestations: unknown[], publisher: unknown = PUBLISHER): Json => ({ publisher, attestations });
  const cases: [{ bytes: Buffer } | { error: string }, string, string][] = [
    [{ error: 'the upstream answered 404' }, 'unverifiable', 'the upstream did not serve its provenance (the upstream answered 404)'],
    [{ bytes: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) }, 'unverifiable', 'its provenance object is larger than 4194304 bytes'],
    [{ bytes: Buffer.from('<html>') }, 'invalid', 'its provenance object is not JSON'],
    [raw([]), 'invalid', 'its provenance object is not a JSON object'],
    [raw({ attestation_bundles: [] }), 'invalid', 'its provenance object has no version'],
    [raw({ version: 2, attestation_bundles: [] }), 'unverifiable', 'its provenance object is version 2 (Airlock reads version 1)'],
    [raw({ version: 1 }), 'invalid', 'its provenance object has no "attestation_bundles" list'],
    [raw({ version: 1, attestation_bundles: [] }), 'invalid', 'its provenance object has no attestation bundles'],
    [raw({ version: 1, attestation_bundles: Array.from({ length: 9 }, () => bundle([att])) }), 'invalid', 'its provenance object lists 9 attestation bundles (at most 8 are read)'],
    [raw({ version: 1, attestation_bundles: Array.from({ length: 3 }, () => bundle(Array.from({ length: 6 }, () => att))) }), 'invalid', 'its provenance object lists 18 attestations (at most 16 are read)'],
    [raw({ version: 1, attestation_bundles: [bundle([])] }), 'invalid', 'its provenance object has no attestations'],
    [raw({ version: 1, attestation_bundles: ['x'] }), 'invalid', 'its provenance object is malformed: bundle 0 is not an object'],
    [raw({ version: 1, attestation_bundles: [{ publisher: PUBLISHER }] }), 'invalid', 'its provenance object is malformed: bundle 0 has no "attestations" list'],
    [provenance(bundle([att], null)), 'invalid', 'its provenance object is malformed: bundle 0\'s publisher is not an object'],
    [provenance(bundle([att], { repository: 'a/b' })), 'invalid', 'its provenance object is malformed: bundle 0\'s publisher has no kind'],
    [provenance(bundle([att], { kind: 'GitHub', repository: 'a/b' })), 'invalid', 'its provenance object is malformed: bundle 0\'s publisher is a GitHub publisher without its repository and workflow'],
    [provenance(bundle([att], { ...PUBLISHER, environment: 7 })), 'invalid', 'its provenance object is malformed: bundle 0\'s publisher.environment is not a string of at most 512 characters'],
    [provenance(bundle([7])), 'invalid', 'bundle 0, attestation 0 is malformed: it is not an object'],
    [provenance(bundle([{ ...att, version: 2 }])), 'unverifiable', 'bundle 0, attestation 0 is version 2 (Airlock reads version 1)'],
    [provenance(bundle([{ ...att, version: '1' }])), 'invalid', 'bundle 0, attestation 0 has no version'],
    [provenance(bundle([{ ...att, envelope: undefined }])), 'invalid', 'bundle 0, attestation 0 is malformed: it has no envelope object'],
    [provenance(bundle([{ ...att, verification_material: { ...att['verification_material'], transparency_entries: [] } }])), 'invalid', 'bundle 0, attestation 0 is malformed: verification_material.transparency_entries is not a non-empty list'],
    [provenance(bundle([{ ...att, verification_material: { ...att['verification_material'], certificate: 12 } }])), 'invalid', 'bundle 0, attestation 0 is malformed: verification_material.certificate is not a string'],
    [provenance(bundle([{ ...att, verification_material: { ...att['verification_material'], timestamps: 'x' } }])), 'invalid', 'bundle 0, attestation 0 is malformed: verification_material.timestamps is not a list of at most 8 strings'],
    [provenance(bundle([{ ...att, envelope: { ...att['envelope'], signature: 'not base64!' } }])), 'invalid', 'bundle 0, attestation 0 does not verify: dsseEnvelope.signatures[0].sig is not base64'],
  ];
  for (const [doc, status, error] of cases) {
    const r = check(doc);
    assert.deepEqual([r.status, r.error], [status, error]);
    assert.equal(r.identity, null);
  }
  assert.equal(NO_PROVENANCE.status, 'absent');
  assert.ok(Object.isFrozen(NO_PROVENANCE));
});

test('a signature the log dates after this host\'s time is invalid; an attestation that cannot be checked next to one that verifies leaves the object unverifiable', { skip: noFixtures }, () => {
  const r = check({ bytes: readFileSync(PROVENANCE) }, FILENAME, undefined);
  assert.equal(r.status, 'verified');
  const early = checkPypiProvenance({ bytes: readFileSync(PROVENANCE) }, FILENAME, subjectSha256(json('pypi_attestations-0.0.19.tar.gz.publish.attestation')), root, new Date('2024-12-04T23:00:00Z'));
  assert.deepEqual([early.status, early.error], ['invalid', 'bundle 0, attestation 0 was signed at 2024-12-04T23:14:01.000Z, later than this host\'s time (2024-12-04T23:00:00.000Z)']);
  const publish = json('pypi_attestations-0.0.19.tar.gz.publish.attestation');
  const staging = json('rfc8785-0.1.2-py3-none-any.whl.publish.attestation');
  const mixed = check(provenance({ publisher: PUBLISHER, attestations: [publish, staging] }));
  assert.equal(mixed.status, 'unverifiable');
  assert.deepEqual([mixed.count, mixed.verified], [2, [PYPI_PUBLISH_V1]]);
  assert.match(mixed.error ?? '', /^bundle 0, attestation 1 cannot be checked: /);
});
