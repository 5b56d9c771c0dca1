import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMaliciousIndex, cvss3BaseScore, OsvRecordError, parseOsvRecord, ratingOf, vulnerabilityFacts, NO_VULNERABILITY_FACTS, type FeedRecord } from './index.ts';

/**
 * Records in the shape GitHub's advisory database exports to OSV: one `affected` entry per
 * release line (here minimist's 0.x and 1.x lines, CVE-2021-44906), `ECOSYSTEM` ranges for npm,
 * the level in `database_specific.severity` and a CVSS v3.1 vector. Written for these tests.
 */
const minimist = {
  schema_version: '1.4.0',
  id: 'GHSA-xvch-5gv4-984h',
  modified: '2023-02-27T14:47:14Z',
  published: '2022-03-18T00:01:09Z',
  aliases: ['CVE-2021-44906'],
  summary: 'minimist lets crafted arguments pollute Object.prototype',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    { package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }] }] },
    { package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.2.4' }] }] },
  ],
  database_specific: { cwe_ids: ['CWE-1321'], severity: 'CRITICAL', github_reviewed: true },
};

/** PyPA's advisory shape: explicit versions and a range, no severity at all. */
const pysec = {
  id: 'PYSEC-2099-7',
  modified: '2099-01-02T00:00:00Z',
  aliases: ['CVE-2099-0007'],
  details: 'A crafted archive makes the extractor write outside its target directory.',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'Tar_Helper' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }, { type: 'GIT', repo: 'https://example.test/tar-helper', events: [{ introduced: '0' }, { fixed: 'abc123' }] }],
      versions: ['1.0', '1.5', '2.0'],
    },
  ],
};

function parse(doc: unknown): readonly FeedRecord[] {
  const r = parseOsvRecord(Buffer.from(JSON.stringify(doc)), { feed: 'osv', entry: 'x.json' });
  assert.equal(r.kind, 'records');
  return r.kind === 'records' ? r.records : [];
}

test('CVSS v3 base scores match the specification\'s worked values', () => {
  const cases: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', 5.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H', 5.9],
    ['CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O', 9.8],
  ];
  for (const [vector, score] of cases) assert.equal(cvss3BaseScore(vector), score, vector);
  for (const bad of [
    'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
    'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:Q',
    `CVSS:3.1/${'E:P/'.repeat(100)}`,
  ]) {
    assert.equal(cvss3BaseScore(bad), null, bad);
  }
  assert.deepEqual([9, 8.9, 7, 6.9, 4, 3.9, 0].map(ratingOf), ['critical', 'high', 'high', 'moderate', 'moderate', 'low', 'low']);
});

test('a GitHub advisory: its release lines merge into one record, with the level it states and the score of its vector', () => {
  const [rec, ...more] = parse(minimist);
  assert.equal(more.length, 0, 'one package, one record');
  assert.equal(rec?.kind, 'vulnerability');
  assert.deepEqual(rec?.severity, { level: 'critical', score: 9.8, vector: minimist.severity[0]?.score });
  assert.equal(rec?.ranges.length, 2);
  const facts = (v: string) => vulnerabilityFacts(rec === undefined ? [] : [rec], v);
  assert.deepEqual([facts('0.0.8').count, facts('0.2.4').count, facts('1.2.5').count, facts('1.2.6').count], [1, 0, 1, 0]);
  assert.equal(facts('0.0.8').records[0]?.fixed, '0.2.4');
  assert.equal(facts('1.2.5').records[0]?.fixed, '1.2.6');
  assert.equal(facts('1.2.5').max_severity, 'critical');
  assert.equal(facts('1.2.5').fix_available, true);
  assert.equal(facts('1.2.6'), NO_VULNERABILITY_FACTS);
  // A vulnerability is never a known-malicious record.
  assert.equal(createMaliciousIndex(rec === undefined ? [] : [rec]).match('npm', 'minimist', '1.2.5').known, false);
});

test('a PyPA advisory: names PEP 503-normalised, versions listed or in a range, GIT ranges ignored, no severity is unknown', () => {
  const [rec] = parse(pysec);
  assert.equal(rec?.name, 'tar-helper');
  assert.deepEqual(rec?.severity, { level: 'unknown', score: null, vector: null });
  const f = vulnerabilityFacts(rec === undefined ? [] : [rec], '1.5.0');
  assert.equal(f.count, 1);
  assert.equal(f.max_severity, 'unknown');
  assert.equal(f.records[0]?.fixed, '2.0.1');
  assert.equal(vulnerabilityFacts(rec === undefined ? [] : [rec], '2.0.1').count, 0);
  assert.equal(vulnerabilityFacts(rec === undefined ? [] : [rec], 'not-a-version').uncertain, true);
});

test('several advisories: worst first, the worst level and score, a fix only when every one has one', () => {
  const base = { modified: '2099-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'p' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }] };
  const recs = [
    ...parse({ ...base, id: 'GHSA-aaaa-aaaa-aaaa', database_specific: { severity: 'MODERATE' }, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' }] }),
    ...parse({ ...base, id: 'GHSA-bbbb-bbbb-bbbb', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }] }),
    ...parse({ ...base, id: 'GHSA-cccc-cccc-cccc', severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }], affected: [{ package: { ecosystem: 'npm', name: 'p' }, versions: ['1.0.0'] }] }),
    ...parse({ ...base, id: 'GHSA-dddd-dddd-dddd', withdrawn: '2099-02-01T00:00:00Z' }),
  ];
  const f = vulnerabilityFacts(recs, '1.0.0');
  assert.deepEqual(f.records.map((r) => [r.id, r.severity, r.score]), [
    ['GHSA-bbbb-bbbb-bbbb', 'high', 7.5],
    ['GHSA-aaaa-aaaa-aaaa', 'moderate', 6.1],
    ['GHSA-cccc-cccc-cccc', 'unknown', null],
  ]);
  assert.equal(f.count, 3);
  assert.equal(f.max_severity, 'high');
  assert.equal(f.max_score, 7.5);
  assert.equal(f.fix_available, false, 'the exact-version advisory names no fix');
  assert.equal(f.records[2]?.vector?.startsWith('CVSS:4.0/'), true, 'a v4 vector is kept, unscored');
  assert.equal(vulnerabilityFacts(recs, '1.5.0').fix_available, true);
});

test('malformed vulnerability records are errors; ones naming no published version are skipped', () => {
  const bad: [unknown, RegExp][] = [
    [{ ...minimist, severity: 'high' }, /severity must be an array/],
    [{ ...minimist, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }] }, /not a CVSS v3 vector/],
    [{ ...minimist, severity: [{ type: 'CVSS_V3' }] }, /type and a score string/],
    [{ ...minimist, severity: Array.from({ length: 17 }, () => minimist.severity[0]) }, /more than 16/],
  ];
  for (const [doc, re] of bad) {
    assert.throws(() => parseOsvRecord(Buffer.from(JSON.stringify(doc)), { feed: 't', entry: 'x.json' }), (e: unknown) => e instanceof OsvRecordError && re.test(e.message), re.source);
  }
  const gitOnly = { id: 'OSV-2099-1', modified: '2099-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'x' }, ranges: [{ type: 'GIT', repo: 'r', events: [{ introduced: '0' }, { fixed: 'f' }] }] }] };
  assert.equal(parseOsvRecord(Buffer.from(JSON.stringify(gitOnly)), { feed: 't', entry: 'x.json' }).kind, 'skipped');
  const noAffected = { id: 'CVE-2099-1', modified: '2099-01-01T00:00:00Z' };
  assert.equal(parseOsvRecord(Buffer.from(JSON.stringify(noAffected)), { feed: 't', entry: 'x.json' }).kind, 'skipped');
});
