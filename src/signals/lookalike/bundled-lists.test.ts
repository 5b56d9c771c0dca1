/**
 * The engine on the lists the product ships (npm-high-impact, top PyPI names): the issue's
 * examples are reported, generic names are not, and legitimate names that are not on the list
 * (each removed from it, as if new) stay under the default threshold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLookalikeIndex, DEFAULT_MIN_SCORE, type LookalikeKind } from './index.ts';
import { loadLegitPairs, loadPopularList, type PopularEcosystem } from '../popular/index.ts';

async function indexWithout(eco: PopularEcosystem, removed: readonly string[]): Promise<ReturnType<typeof createLookalikeIndex>> {
  const [list, pairs] = await Promise.all([loadPopularList(eco), loadLegitPairs(eco)]);
  const gone = new Set(removed);
  return createLookalikeIndex(list.names.filter((p) => !gone.has(p.name)), {
    rules: eco,
    legitPairs: pairs.filter(([a, b]) => !gone.has(a) && !gone.has(b)),
    minScore: 0,
  });
}

const LEGIT_NPM = ['preact', 'uid', 'semver', 'tldts-core', 'mysql', 'embla-carousel'];

test('npm: the issue examples are reported, generic names are not, legitimate new names stay quiet', async () => {
  const npm = await indexWithout('npm', LEGIT_NPM);
  const cases: [string, string, LookalikeKind][] = [
    ['@angu1ar/core', '@angular/core', 'homoglyph'],
    ['@babel-core/parser', '@babel/parser', 'scope'],
    ['types-node', '@types/node', 'scope'],
    ['client-s3', '@aws-sdk/client-s3', 'scope'],
    ['@evil/lodash', 'lodash', 'scope'],
    ['node-lodash', 'lodash', 'affix'],
    ['lodash-utils', 'lodash', 'affix'],
    ['react-js', 'react', 'affix'],
    ['lodahs', 'lodash', 'typo'],
  ];
  for (const [name, closest, kind] of cases) {
    const m = npm.match(name);
    assert.ok(m !== null && m.score >= DEFAULT_MIN_SCORE, `${name}: ${m?.closest} ${m?.score}`);
    assert.deepEqual([m.closest, m.kind], [closest, kind], name);
  }
  for (const name of ['test-23456', 'data-utils', ...LEGIT_NPM]) {
    const m = npm.match(name);
    assert.ok(m === null || m.score < DEFAULT_MIN_SCORE, `${name} should stay quiet: ${m?.closest} ${m?.technique} ${m?.score}`);
  }
});

test('pypi: typos and affixes of popular names are reported', async () => {
  const pypi = await indexWithout('pypi', []);
  for (const [name, closest] of [['reqeusts', 'requests'], ['requests2', 'requests'], ['python-requests', 'requests'], ['colourama', 'colorama']] as const) {
    const m = pypi.match(name);
    assert.ok(m !== null && m.score >= DEFAULT_MIN_SCORE, `${name}: ${m?.score}`);
    assert.equal(m.closest, closest);
  }
});
