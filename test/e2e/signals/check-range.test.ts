/**
 * The pre-flight check of a version range, with the real CLI and the admin API against a running
 * gateway in front of the fixture npm registry: `airlock check npm lodash@^4.17.0` and
 * `GET /-/api/check?purl=pkg:npm/lodash&range=^4.17.0` name the version npm installs through
 * Airlock, its verdict, and the newest version in range with why it is held; npm itself installs
 * that version. A batch (`POST /-/api/check`) takes `{purl, range}` beside purls.
 * `airlock check --package-json` resolves each dependency's range the same way (an alias as the
 * package it names, `latest` as what npm installs for the tag (`*`); git and other dist-tags listed as not
 * checked), and npm installing that package.json through Airlock gets the same versions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { daysAgo, signalsE2e } from './support.ts';

interface Result {
  name: string;
  requested: string | null;
  version: string | null;
  status: string;
  verdict: string | null;
  decidedBy: string[];
  resolvesTo: string | null;
  range: { range: string; satisfying: number; newest: { version: string; verdict: string; decidedBy: string[]; reasons: { message: string }[] } | null } | null;
}

/** lodash with its newest 4.17 in its cooldown; a scoped package. */
const PACKAGES = [
  {
    name: 'lodash',
    versions: [
      { version: '4.16.6', publishedAt: daysAgo(900) },
      { version: '4.17.20', publishedAt: daysAgo(400) },
      { version: '4.17.21', publishedAt: daysAgo(1) },
    ],
  },
  { name: '@acme/widget', versions: [{ version: '2.0.0', publishedAt: daysAgo(300) }, { version: '2.1.0', publishedAt: daysAgo(200) }, { version: '3.0.0', publishedAt: daysAgo(100) }], distTags: { next: '2.1.0' } },
];

test('airlock check npm NAME@RANGE and GET /-/api/check?range=: the version npm installs through Airlock, and the newest in range held', async (t) => {
  const s = await signalsE2e({ packages: PACKAGES });
  t.after(() => s.close());

  // The newest in range is in its cooldown: an install gets the older one Airlock allows, so exit 0.
  const text = await s.cli(['check', 'npm', 'lodash@^4.17.0']);
  assert.equal(text.code, 0, text.output);
  assert.match(text.stdout, /^lodash@4\.17\.20 \(pkg:npm\/lodash@4\.17\.20\): ALLOW$/m);
  assert.match(text.stdout, /^ {2}an install of lodash@\^4\.17\.0 gets 4\.17\.20 through Airlock \(2 listed versions satisfy it\)$/m);
  assert.match(text.stdout, /^ {2}newest in range: 4\.17\.21: QUARANTINE — decided by cooldown\n {4}- .*\[cooldown\]$/m);

  const json = await s.cli(['check', 'npm', 'lodash@^4.17.0', '--format', 'json']);
  assert.equal(json.code, 0, json.output);
  const cli = JSON.parse(json.stdout) as Result;
  const api = await s.api<Result>('GET', `check?${new URLSearchParams({ purl: 'pkg:npm/lodash', range: '^4.17.0' })}`);
  assert.equal(api.status, 200);
  for (const r of [cli, api.body]) {
    assert.deepEqual([r.status, r.requested, r.version, r.verdict, r.resolvesTo], ['judged', '^4.17.0', '4.17.20', 'allow', '4.17.20']);
    assert.deepEqual([r.range?.range, r.range?.satisfying, r.range?.newest?.version, r.range?.newest?.verdict, r.range?.newest?.decidedBy], ['^4.17.0', 2, '4.17.21', 'quarantine', ['cooldown']]);
  }

  // What npm does with the same range through Airlock.
  const p = await s.project();
  const installed = await p.npm(['install', 'lodash@^4.17.0']);
  assert.equal(installed.code, 0, installed.output);
  assert.equal((JSON.parse(await readFile(join(p.dir, 'node_modules/lodash/package.json'), 'utf8')) as { version: string }).version, '4.17.20');

  // Only a held version satisfies it: the install fails, exit 1, and the held one is judged.
  const held = await s.cli(['check', 'npm', 'lodash@~4.17.21']);
  assert.equal(held.code, 1, held.output);
  assert.match(held.stdout, /^lodash@4\.17\.21 \(pkg:npm\/lodash@4\.17\.21\): QUARANTINE — decided by cooldown$/m);
  assert.match(held.stdout, /^ {2}an install of lodash@~4\.17\.21 gets no version Airlock allows \(1 listed version satisfies it\): it fails; 4\.17\.21 is the one judged here$/m);

  // A scoped name splits at its last @; a range nothing satisfies is not found; several at once are one call.
  const many = await s.cli(['check', 'npm', '@acme/widget@^2.0.0', 'lodash@^5', 'lodash@4.16.6', '--format', 'json']);
  assert.equal(many.code, 1, many.output);
  assert.deepEqual(
    (JSON.parse(many.stdout) as Result[]).map((r) => `${r.name} ${r.requested ?? ''} ${r.version ?? ''} ${r.verdict ?? r.status}`),
    ['@acme/widget ^2.0.0 2.1.0 allow', 'lodash ^5  version-not-found', 'lodash 4.16.6 4.16.6 allow'],
  );
  const bad = await s.cli(['check', 'npm', 'lodash@^^4']);
  assert.equal(bad.code, 2, bad.output);
  assert.match(bad.stderr, /"\^\^4" is not an npm version range/);

  // The batch: {purl, range} beside purls, results in order.
  const batch = await s.api<{ summary: Record<string, number>; results: Result[] }>('POST', 'check', {
    packages: ['pkg:npm/lodash@4.17.21', { purl: 'pkg:npm/lodash', range: '>=4.16 <4.17' }, { purl: 'pkg:npm/%40acme/widget', range: '*' }],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.deepEqual(batch.body.results.map((r) => `${r.requested ?? ''} ${r.version ?? ''} ${r.verdict ?? r.status}`), ['4.17.21 4.17.21 quarantine', '>=4.16 <4.17 4.16.6 allow', '* 3.0.0 allow']);
  assert.deepEqual(batch.body.summary, { allow: 2, quarantine: 1, block: 0, notFound: 0, error: 0 });

  // Refused: a purl with a version and a range; a range npm cannot read; a batch item without its range.
  const both = await s.api<{ code: string; error: string }>('GET', `check?${new URLSearchParams({ purl: 'pkg:npm/lodash@4.17.20', range: '^4' })}`);
  assert.deepEqual([both.status, both.body.code], [400, 'BAD_REQUEST']);
  assert.match(both.body.error, /give a version in the purl or a range, not both/);
  const unreadable = await s.api<{ code: string; error: string }>('GET', `check?${new URLSearchParams({ purl: 'pkg:npm/lodash', range: '^^4' })}`);
  assert.deepEqual([unreadable.status, unreadable.body.code], [400, 'INVALID_VERSION']);
  const noRange = await s.api<{ code: string }>('POST', 'check', { packages: [{ purl: 'pkg:npm/lodash' }] });
  assert.equal(noRange.status, 400);
});

interface DependencyResult {
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
  const s = await signalsE2e({ packages: PACKAGES });
  t.after(() => s.close());
  const p = await s.project();
  const file = join(p.dir, 'package.json');
  const manifest = (deps: Record<string, string>) => writeFile(file, `${JSON.stringify({ name: 'e2e-project', version: '1.0.0', private: true, dependencies: deps, devDependencies: { 'widget-alias': 'npm:@acme/widget@^2.0.0', 'lodash-latest': 'npm:lodash@latest' } }, null, 2)}\n`);
  await manifest({ lodash: '^4.17.0', '@acme/widget': 'latest', gitdep: 'git+https://example.invalid/u/r.git', 'widget-next': 'npm:@acme/widget@next' });

  const table = await s.cli(['check', '--package-json', file]);
  assert.equal(table.code, 0, table.output);
  assert.match(table.stdout, /^lodash\s+4\.17\.20 \(\^4\.17\.0\)\s+ALLOW/m, 'the newest in range, 4.17.21, is in its cooldown');
  assert.match(table.stdout, /^@acme\/widget\s+2\.1\.0 \(\^2\.0\.0\)\s+ALLOW/m, 'the alias is checked as the package it names');
  assert.match(table.stdout, /^@acme\/widget\s+3\.0\.0\s+ALLOW/m, 'latest: the version the tag names');
  assert.match(table.stdout, /^@acme\/widget\s+2\.1\.0\s+ALLOW/m, 'next: the version the tag names');
  assert.match(table.stdout, /^lodash\s+4\.17\.20\s+ALLOW/m, "latest of lodash: the tag Airlock serves names 4.17.20, 4.17.21 being in its cooldown");
  assert.match(table.stdout, /^not checked:\n {2}dependencies\.gitdep: a git dependency \(git\+https:\/\/example\.invalid\/u\/r\.git\): not from the registry\n/m);
  assert.match(table.stdout, /^5 allow, 0 quarantine, 0 block, 0 not found, 0 error; 1 dependencies are not checked \(skipped\)$/m);

  const json = await s.cli(['check', '--package-json', file, '--format', 'json']);
  assert.equal(json.code, 0, json.output);
  const out = JSON.parse(json.stdout) as { packageJson: string; results: DependencyResult[]; skipped: { path: string }[] };
  assert.equal(out.packageJson, file);
  assert.deepEqual(
    out.results.map((r) => `${r.key} ${r.alias ?? '-'} ${r.name} ${r.requested ?? '-'} ${r.version ?? '-'} ${r.verdict ?? r.status} ${r.resolvesTo ?? '-'}`),
    [
      'dependencies.lodash - lodash ^4.17.0 4.17.20 allow 4.17.20',
      'dependencies.@acme/widget - @acme/widget latest 3.0.0 allow -',
      'dependencies.widget-next widget-next @acme/widget next 2.1.0 allow -',
      'devDependencies.widget-alias widget-alias @acme/widget ^2.0.0 2.1.0 allow 2.1.0',
      'devDependencies.lodash-latest lodash-latest lodash latest 4.17.20 allow -',
    ],
  );
  assert.deepEqual(out.skipped.map((x) => x.path), ['dependencies.gitdep']);

  // The real npm, installing the registry dependencies of that package.json through Airlock.
  await manifest({ lodash: '^4.17.0' });
  const installed = await p.npm(['install']);
  assert.equal(installed.code, 0, installed.output);
  const version = async (dir: string) => (JSON.parse(await readFile(join(p.dir, 'node_modules', dir, 'package.json'), 'utf8')) as { name: string; version: string });
  assert.equal((await version('lodash')).version, '4.17.20');
  const aliased = await version('widget-alias');
  assert.deepEqual([aliased.name, aliased.version], ['@acme/widget', '2.1.0']);
  const latest = await version('lodash-latest');
  assert.deepEqual([latest.name, latest.version], ['lodash', '4.17.20']);

  // A dist-tag the package does not have: not found, exit 1.
  await manifest({ '@acme/widget': 'beta' });
  const untagged = await s.cli(['check', '--package-json', file]);
  assert.equal(untagged.code, 1, untagged.output);
  assert.match(untagged.stdout, /^@acme\/widget\s+beta\s+NOT FOUND\s+@acme\/widget has no version beta/m);

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
