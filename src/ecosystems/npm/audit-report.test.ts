import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import type { AdvisoryRecord } from '../../gate/index.ts';
import { auditReport, installedNodes, mergeReports } from './audit-report.ts';

function advisory(over: Partial<AdvisoryRecord> = {}): AdvisoryRecord {
  return {
    kind: 'vulnerability',
    severity: { level: 'high', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
    id: 'GHSA-aaaa-bbbb-cccc',
    ecosystem: 'npm',
    name: 'qs',
    versions: [],
    ranges: [
      { type: 'SEMVER', introduced: '6.0.0', fixed: '6.2.4', lastAffected: null },
      { type: 'SEMVER', introduced: '6.3.0', fixed: '6.3.3', lastAffected: null },
    ],
    allVersions: false,
    summary: 'qs: prototype poisoning',
    aliases: ['CVE-2022-24999'],
    published: '2022-11-26T00:00:00.000Z',
    modified: '2023-01-01T00:00:00.000Z',
    withdrawn: null,
    origins: [],
    provenance: { feed: 'osv', entry: 'x.json', sha256: 'a'.repeat(64) },
    ...over,
  };
}

// What pnpm sends: its project as an entry ("."), packages nested under it.
const tree = {
  name: 'app',
  dependencies: {
    '.': {
      version: '1.0.0',
      dependencies: {
        express: { version: '4.17.1', dependencies: { qs: { version: '6.7.0' }, body: { version: '1.0.0', dependencies: { qs: { version: '6.2.3', dev: true } } } } },
        qs: { version: '6.3.1' },
        local: { version: 'file:../local' },
      },
    },
  },
};

test('the installed tree: every registry package with its path, projects and links walked through, never matched', () => {
  const nodes = installedNodes(tree);
  assert.deepEqual(nodes.map((n) => `${n.path}@${n.version}${n.dev ? ' dev' : ''}`), [
    '.>express@4.17.1',
    '.>express>qs@6.7.0',
    '.>express>body@1.0.0',
    '.>express>body>qs@6.2.3 dev',
    '.>qs@6.3.1',
  ]);
});

test('the report: each advisory with the versions and paths it was found at, the fixed ranges, the counts', () => {
  const nodes = installedNodes(tree);
  const report = auditReport(nodes, new Map([['qs', [advisory()]]]));
  const [only, ...more] = Object.values(report.advisories);
  assert.equal(more.length, 0);
  assert.ok(only !== undefined);
  assert.deepEqual(only['findings'], [
    { version: '6.2.3', paths: ['.>express>body>qs'] },
    { version: '6.3.1', paths: ['.>qs'] },
  ]);
  assert.equal(only['vulnerable_versions'], '>=6.0.0 <6.2.4 || >=6.3.0 <6.3.3');
  assert.equal(only['patched_versions'], '<6.0.0 || >=6.2.4 <6.3.0 || >=6.3.3');
  assert.equal(only['recommendation'], 'Upgrade to 6.2.4 or 6.3.3 or later');
  assert.deepEqual([only['module_name'], only['github_advisory_id'], only['cves'], only['severity']], ['qs', 'GHSA-aaaa-bbbb-cccc', ['CVE-2022-24999'], 'high']);
  assert.deepEqual(report.metadata, { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 2, critical: 0 }, dependencies: 4, devDependencies: 1, optionalDependencies: 0, totalDependencies: 5 });
  // Listed versions or every version: no patched range can be said exactly.
  const listed = auditReport(nodes, new Map([['qs', [advisory({ ranges: [], versions: ['6.7.0'] })]]]));
  assert.equal(Object.values(listed.advisories)[0]?.['patched_versions'], '<0.0.0');
  assert.equal(Object.values(listed.advisories)[0]?.['recommendation'], 'None');
  assert.deepEqual(auditReport(nodes, new Map([['qs', [advisory({ ranges: [{ type: 'SEMVER', introduced: '7.0.0', fixed: null, lastAffected: null }] })]]])).advisories, {}, 'an advisory no installed version is in is not reported');
});

test('merged into the upstream report: an advisory it gives already is not added; its counts grow by the findings added', () => {
  const nodes = installedNodes(tree);
  const mine = auditReport(nodes, new Map([['qs', [advisory(), advisory({ id: 'GHSA-dddd-eeee-ffff', severity: { level: 'critical', score: 9.8, vector: null } })]]]));
  const upstream = {
    actions: [{ action: 'update', module: 'qs' }],
    advisories: { '1': { id: 1, github_advisory_id: 'GHSA-aaaa-bbbb-cccc', findings: [] } },
    muted: [],
    metadata: { vulnerabilities: { high: 2, critical: 0 }, totalDependencies: 5 },
  };
  const merged = mergeReports(upstream, mine) as { actions: unknown[]; advisories: Record<string, { github_advisory_id: string }>; metadata: { vulnerabilities: Record<string, number>; totalDependencies: number } };
  assert.deepEqual(Object.values(merged.advisories).map((a) => a.github_advisory_id).sort(), ['GHSA-aaaa-bbbb-cccc', 'GHSA-dddd-eeee-ffff']);
  assert.deepEqual(merged.metadata.vulnerabilities, { high: 2, critical: 2 });
  assert.deepEqual([merged.actions.length, merged.metadata.totalDependencies], [1, 5], 'the upstream keeps its own');
  assert.deepEqual(mergeReports(null, mine), { ...mine });
});

test('a hostile tree is refused with the reason: too deep, too many entries, entries that are not objects', () => {
  const refused = (doc: Record<string, unknown>, re: RegExp) => assert.throws(() => installedNodes(doc), (e: unknown) => isAirlockError(e) && e.code === 'BAD_REQUEST' && re.test(e.message), re.source);
  let deep: Record<string, unknown> = { version: '1.0.0' };
  for (let i = 0; i < 70; i++) deep = { version: '1.0.0', dependencies: { a: deep } };
  refused({ dependencies: { a: deep } }, /deeper than 64/);
  refused({ dependencies: Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`p${i}`, { version: '1.0.0' }])) }, /more than 100000 entries/);
  refused({ dependencies: { a: 'x' } }, /must be an object/);
  refused({ dependencies: [] }, /must be an object of package names/);
  refused({ dependencies: { ['x'.repeat(215)]: {} } }, /longer than 214/);
});

test('the report reads the installed tree a bounded number of times, not once per package with an advisory (a tree of distinct packages, each with one, took minutes of CPU)', () => {
  const n = 2_000;
  const nodes = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, version: '6.0.1', path: `p${i}`, dev: false, optional: false }));
  let reads = 0;
  const installed = new Proxy(nodes, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const report = auditReport(installed, new Map(nodes.map((node, i) => [node.name, [advisory({ id: `GHSA-${i}`, name: node.name })]])));
  assert.equal(Object.keys(report.advisories).length, n);
  assert.equal(report.metadata.vulnerabilities.high, n);
  assert.ok(reads <= 10 * n, `${reads} reads of ${n} installed packages`);
});
