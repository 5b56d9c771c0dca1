import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { isAirlockError } from '../../core/index.ts';
import type { AdvisoryRecord } from '../../gate/index.ts';
import { bulkAdvisory, mergeBulk, readBulkRequest, upstreamAuditJson, vulnerableVersions, MAX_AUDIT_REQUEST } from './audit.ts';

function record(over: Partial<AdvisoryRecord> = {}): AdvisoryRecord {
  return {
    kind: 'vulnerability',
    severity: { level: 'critical', score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    id: 'GHSA-xvch-5gv4-984h',
    ecosystem: 'npm',
    name: 'minimist',
    versions: [],
    ranges: [
      { type: 'ECOSYSTEM', introduced: '1.0.0', fixed: '1.2.6', lastAffected: null },
      { type: 'ECOSYSTEM', introduced: '0', fixed: '0.2.4', lastAffected: null },
    ],
    allVersions: false,
    summary: 'Prototype pollution in minimist',
    aliases: ['CVE-2021-44906'],
    published: null,
    modified: '2023-02-27T14:47:14Z',
    withdrawn: null,
    origins: [],
    provenance: { feed: 'osv', entry: 'x.json', sha256: 'a'.repeat(64) },
    ...over,
  };
}

test('an advisory as npm bulk advisories give it: its ranges as one npm range, a stable numeric id, the GitHub URL', () => {
  const a = bulkAdvisory(record());
  assert.ok(a !== null);
  assert.equal(a.vulnerable_versions, '>=1.0.0 <1.2.6 || <0.2.4');
  assert.equal(a.url, 'https://github.com/advisories/GHSA-xvch-5gv4-984h');
  assert.deepEqual([a.severity, a.cvss.score, a.title], ['critical', 9.8, 'Prototype pollution in minimist']);
  assert.ok(Number.isSafeInteger(a.id) && a.id > 0);
  assert.equal(bulkAdvisory(record())?.id, a.id, 'the same id every time');
  assert.notEqual(bulkAdvisory(record({ id: 'GHSA-other' }))?.id, a.id);
  // Unknown severity is said to be high (npm's own default); other ids link to OSV.
  const other = bulkAdvisory(record({ id: 'PYSEC-2021-1', severity: { level: 'unknown', score: null, vector: null } }));
  assert.deepEqual([other?.severity, other?.url, other?.cvss.score], ['high', 'https://osv.dev/vulnerability/PYSEC-2021-1', 0]);
});

test('vulnerable versions: last_affected is inclusive, listed versions join the ranges, every version is *, non-SemVer bounds are left out', () => {
  const one = (over: Partial<AdvisoryRecord>) => vulnerableVersions(record(over));
  assert.equal(one({ ranges: [{ type: 'SEMVER', introduced: '2.0.0', fixed: null, lastAffected: '2.1.4' }] }), '>=2.0.0 <=2.1.4');
  assert.equal(one({ ranges: [], versions: ['1.0.0', '1.0.1'] }), '1.0.0 || 1.0.1');
  assert.equal(one({ ranges: [], allVersions: true }), '*');
  assert.equal(one({ ranges: [{ type: 'SEMVER', introduced: '3.0.0', fixed: null, lastAffected: null }] }), '>=3.0.0');
  assert.equal(one({ ranges: [{ type: 'SEMVER', introduced: '0', fixed: null, lastAffected: null }] }), '*');
  assert.equal(one({ ranges: [{ type: 'SEMVER', introduced: 'not-semver', fixed: '1.0.0', lastAffected: null }], versions: ['v?'] }), null);
  assert.equal(bulkAdvisory(record({ ranges: [], versions: ['latest'] })), null, 'nothing npm could compare: no advisory rather than a wrong range');
});

test('merging with the upstream answer: its advisories first, an advisory with the same URL once, other packages kept', () => {
  const mine = bulkAdvisory(record());
  assert.ok(mine !== null);
  const upstream = { minimist: [{ id: 1, url: mine.url, title: 'theirs' }], lodash: [{ id: 2, url: 'https://github.com/advisories/GHSA-x' }] };
  const merged = mergeBulk(upstream, new Map([['minimist', [mine, { ...mine, url: 'https://github.com/advisories/GHSA-y', id: 3 }]], ['qs', [mine]]]));
  assert.deepEqual(Object.keys(merged).sort(), ['lodash', 'minimist', 'qs']);
  assert.deepEqual((merged['minimist'] as { url: string; title?: string }[]).map((a) => a.url), [mine.url, 'https://github.com/advisories/GHSA-y']);
  assert.equal((merged['minimist'] as { title?: string }[])[0]?.title, 'theirs');
  assert.deepEqual(mergeBulk(null, new Map()), {});
});

test('an upstream audit answer nested deeper than 64 levels is not used, and says why (found by a sweep of type assertions: it was merged as read, and JSON.stringify of the merge threw a RangeError, a 500 for npm audit)', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  assert.equal(upstreamAuditJson(Buffer.from(`{"lodash":[{"id":1,"url":"u","cwe":${deep}}]}`)), 'JSON nested deeper than 64 levels');
  assert.equal(upstreamAuditJson(Buffer.from(`{"a":${'['.repeat(64)}${']'.repeat(64)}}`)), 'JSON nested deeper than 64 levels');
  const kept = upstreamAuditJson(Buffer.from(`{"a":${'['.repeat(63)}${']'.repeat(63)}}`));
  assert.ok(typeof kept !== 'string');
  assert.equal(JSON.stringify(mergeBulk(kept, new Map())).length, 6 + 63 * 2);
  assert.equal(upstreamAuditJson(Buffer.from('[1]')), 'a JSON list, not an object');
  assert.equal(upstreamAuditJson(Buffer.from('null')), 'a JSON null, not an object');
  assert.equal(upstreamAuditJson(Buffer.from('<html>')), 'something that is not JSON');
});

test('the bulk request: gzip or plain JSON, checked under bounds; anything else is a clear 400', async () => {
  const body = { minimist: ['1.2.5', '0.0.8'], '@acme/x': ['1.0.0'] };
  for (const [bytes, enc] of [[Buffer.from(JSON.stringify(body)), undefined], [gzipSync(JSON.stringify(body)), 'gzip']] as const) {
    const got = await readBulkRequest(bytes, enc);
    assert.deepEqual([...got.entries()], Object.entries(body));
  }
  const refused = async (bytes: Buffer, enc: string | undefined, re: RegExp) =>
    assert.rejects(readBulkRequest(bytes, enc), (e: unknown) => isAirlockError(e) && e.code === 'BAD_REQUEST' && re.test(e.message), re.source);
  await refused(Buffer.from('not json'), undefined, /not JSON/);
  await refused(Buffer.from('not gzip'), 'gzip', /not gzip/);
  await refused(Buffer.from('{}'), 'br', /content encoding br/);
  await refused(Buffer.from('[]'), undefined, /must be an object/);
  await refused(Buffer.from('{"../x":["1.0.0"]}'), undefined, /is not a package name/);
  await refused(Buffer.from('{"x":"1.0.0"}'), undefined, /must be an array/);
  await refused(Buffer.from(JSON.stringify({ x: Array.from({ length: 1001 }, (_, i) => `1.0.${i}`) })), undefined, /at most 1000/);
  // A gzip bomb stops at the bound.
  await refused(gzipSync(Buffer.alloc(MAX_AUDIT_REQUEST + 1, 0x20)), 'gzip', /not gzip within/);
});
