/**
 * Look-alikes and dependency confusion with the real npm client and the default policy: a young
 * package imitating a popular name is quarantined, the popular name itself never is, and an
 * upstream package with exactly the name of a configured internal package is blocked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daysAgo, signalsE2e } from './support.ts';

test('look-alikes: a young typo of a popular name is quarantined; the popular name is not; an internal name upstream is blocked', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'lodahs', versions: [{ version: '4.17.21', publishedAt: daysAgo(5) }] },
      { name: 'lodash', versions: [{ version: '4.17.21', publishedAt: daysAgo(5) }] },
      { name: 'acme-billing-core', versions: [{ version: '99.0.0', publishedAt: daysAgo(6) }] },
    ],
    config: { signals: { internalNames: { npm: ['acme-billing-core'] } } },
  });
  t.after(() => s.close());
  const p = await s.project();

  const typo = await p.npm(['install', 'lodahs']);
  assert.notEqual(typo.code, 0);
  assert.match(typo.output, /lodahs@4\.17\.21 is quarantined by Airlock: lodahs looks like lodash \(transposition, score 0\.\d+\); the package is 5 days old \[lookalike\.young\]/);

  const popular = await p.npm(['install', 'lodash']);
  assert.equal(popular.code, 0, popular.output);
  assert.equal((await p.readJson('node_modules/lodash/package.json'))['version'], '4.17.21');
  const lodash = await s.api<{ verdict: string; facts: { name: { popular: boolean }; lookalike: { closest: string | null } } }>('GET', `check?purl=${encodeURIComponent('pkg:npm/lodash@4.17.21')}`);
  assert.deepEqual([lodash.body.verdict, lodash.body.facts.name.popular, lodash.body.facts.lookalike.closest], ['allow', true, null]);

  const confusion = await p.npm(['install', 'acme-billing-core']);
  assert.notEqual(confusion.code, 0);
  assert.match(confusion.output, /acme-billing-core@99\.0\.0 is blocked by Airlock policy: acme-billing-core is an internal package name, but this one comes from the public upstream \(dependency confusion\) \[dependency_confusion\]/);
  const tarball = await fetch(`${s.registryUrl}acme-billing-core/-/acme-billing-core-99.0.0.tgz`);
  assert.equal(tarball.status, 403, 'the tarball is refused too (lockfile installs)');
});
