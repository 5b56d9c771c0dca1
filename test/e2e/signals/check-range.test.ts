/**
 * The pre-flight check of a version range, with the real CLI and the admin API against a running
 * gateway in front of the fixture npm registry: `airlock check npm lodash@^4.17.0` and
 * `GET /-/api/check?purl=pkg:npm/lodash&range=^4.17.0` name the version npm installs through
 * Airlock, its verdict, and the newest version in range with why it is held; npm itself installs
 * that version. A batch (`POST /-/api/check`) takes `{purl, range}` beside purls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

test('airlock check npm NAME@RANGE and GET /-/api/check?range=: the version npm installs through Airlock, and the newest in range held', async (t) => {
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
