/**
 * `airlock check --package-json` with the real CLI against a running gateway in front of the
 * fixture npm registry: each dependency's range resolved to the version npm installs through
 * Airlock (the newest in range is in its cooldown: the older allowed one), an alias resolved as
 * the package it names, `latest` judged as a check without a version, git and other dist-tags
 * listed as not checked; the real npm, installing that package.json through Airlock, gets the
 * same versions. A range that installs nothing allowed exits 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { daysAgo, signalsE2e } from './support.ts';

interface Result {
  key: string;
  alias: string | null;
  name: string;
  requested: string | null;
  version: string | null;
  verdict: string | null;
  status: string;
  resolvesTo: string | null;
}

test('airlock check --package-json: the versions npm installs through Airlock, an alias as the package it names, git and dist-tags not checked', async (t) => {
  const s = await signalsE2e({
    packages: [
      {
        name: 'lodash',
        versions: [
          { version: '4.16.6', publishedAt: daysAgo(900) },
          { version: '4.17.20', publishedAt: daysAgo(400) },
          { version: '4.17.21', publishedAt: daysAgo(1) },
        ],
      },
      { name: '@acme/widget', versions: [{ version: '2.0.0', publishedAt: daysAgo(300) }, { version: '2.1.0', publishedAt: daysAgo(200) }, { version: '3.0.0', publishedAt: daysAgo(100) }] },
    ],
  });
  t.after(() => s.close());
  const p = await s.project();
  const file = join(p.dir, 'package.json');
  const manifest = (deps: Record<string, string>) => writeFile(file, `${JSON.stringify({ name: 'e2e-project', version: '1.0.0', private: true, dependencies: deps, devDependencies: { 'widget-alias': 'npm:@acme/widget@^2.0.0' } }, null, 2)}\n`);
  await manifest({ lodash: '^4.17.0', '@acme/widget': 'latest', gitdep: 'git+https://example.invalid/u/r.git', tagged: 'next' });

  const table = await s.cli(['check', '--package-json', file]);
  assert.equal(table.code, 0, table.output);
  assert.match(table.stdout, /^lodash\s+4\.17\.20 \(\^4\.17\.0\)\s+ALLOW/m, 'the newest in range, 4.17.21, is in its cooldown');
  assert.match(table.stdout, /^@acme\/widget\s+2\.1\.0 \(\^2\.0\.0\)\s+ALLOW/m, 'the alias is checked as the package it names');
  assert.match(table.stdout, /^@acme\/widget\s+3\.0\.0\s+ALLOW/m, 'latest: the check without a version');
  assert.match(table.stdout, /^not checked:\n {2}dependencies\.gitdep: a git dependency \(git\+https:\/\/example\.invalid\/u\/r\.git\): not from the registry\n {2}dependencies\.tagged: the dist-tag next: not checked/m);
  assert.match(table.stdout, /^3 allow, 0 quarantine, 0 block, 0 not found, 0 error; 2 dependencies are not checked \(skipped\)$/m);

  const json = await s.cli(['check', '--package-json', file, '--format', 'json']);
  assert.equal(json.code, 0, json.output);
  const out = JSON.parse(json.stdout) as { packageJson: string; results: Result[]; skipped: { path: string }[] };
  assert.equal(out.packageJson, file);
  assert.deepEqual(
    out.results.map((r) => `${r.key} ${r.alias ?? '-'} ${r.name} ${r.requested ?? '-'} ${r.version ?? '-'} ${r.verdict ?? r.status} ${r.resolvesTo ?? '-'}`),
    [
      'dependencies.lodash - lodash ^4.17.0 4.17.20 allow 4.17.20',
      'dependencies.@acme/widget - @acme/widget - 3.0.0 allow 3.0.0',
      'devDependencies.widget-alias widget-alias @acme/widget ^2.0.0 2.1.0 allow 2.1.0',
    ],
  );
  assert.deepEqual(out.skipped.map((x) => x.path), ['dependencies.gitdep', 'dependencies.tagged']);

  // The real npm, installing the registry dependencies of that package.json through Airlock.
  await manifest({ lodash: '^4.17.0' });
  const installed = await p.npm(['install']);
  assert.equal(installed.code, 0, installed.output);
  const version = async (dir: string) => (JSON.parse(await readFile(join(p.dir, 'node_modules', dir, 'package.json'), 'utf8')) as { name: string; version: string });
  assert.equal((await version('lodash')).version, '4.17.20');
  const aliased = await version('widget-alias');
  assert.deepEqual([aliased.name, aliased.version], ['@acme/widget', '2.1.0']);

  // A range only a held version satisfies installs nothing allowed: exit 1.
  await manifest({ lodash: '~4.17.21' });
  const held = await s.cli(['check', '--package-json', file]);
  assert.equal(held.code, 1, held.output);
  assert.match(held.stdout, /^lodash\s+4\.17\.21 \(~4\.17\.21\)\s+QUARANTINE\s+cooldown/m);

  // Hostile input: an error naming the file and the key, exit 1.
  await writeFile(file, JSON.stringify({ dependencies: { lodash: 4 } }));
  const bad = await s.cli(['check', '--package-json', file]);
  assert.equal(bad.code, 1, bad.output);
  assert.equal(bad.stderr, `airlock check: ${file}: dependencies.lodash: not a string (a version, range, tag, URL or path)\n`);
});
