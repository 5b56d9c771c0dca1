import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deriveLegitPairs,
  LEGIT_PAIRS_FILE,
  loadNpmPopular,
  loadPypiPopular,
  npmHighImpactVersion,
  parseLegitPairsFile,
  parsePopularFile,
  PYPI_POPULAR_FILE,
} from './index.ts';

const SHARED_PAIRS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'threat-data', 'popular', 'legit-lookalike-pairs.json');

test('npm list: npm-high-impact, dense ranks, no duplicates', async () => {
  const list = await loadNpmPopular();
  assert.ok(list.names.length > 10_000);
  assert.equal(list.names[0]?.rank, 1);
  assert.equal(list.names.at(-1)?.rank, list.names.length);
  assert.equal(new Set(list.names.map((n) => n.name)).size, list.names.length);
  assert.match(list.source.description, /npm-high-impact@\d+\.\d+\.\d+/);
});

test('PyPI list: bundled, PEP 503-normalised, most downloaded first, with provenance', async () => {
  const list = await loadPypiPopular();
  assert.equal(list.names.length, 15_000);
  assert.equal(list.names[0]?.name, 'boto3');
  for (const n of list.names) assert.match(n.name, /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  for (let i = 1; i < list.names.length; i++) assert.ok((list.names[i - 1]?.downloads ?? 0) >= (list.names[i]?.downloads ?? 0));
  assert.match(list.source.attribution, /10\.5281\/zenodo\.2586599/);
  assert.equal(list.source.asOf, '2026-04-01 06:34:06');
});

test('the popular file parser refuses malformed data', () => {
  const good = JSON.parse(readFileSync(PYPI_POPULAR_FILE, 'utf8')) as Record<string, unknown>;
  const bad: Record<string, unknown>[] = [
    { ...good, format: 'other' },
    { ...good, names: [['Not_Normalised', 5]] },
    { ...good, names: [['a', 1], ['b', 2]] },
    { ...good, names: [['a', -1]] },
    { ...good, source: { ...(good.source as object), doi: 3 } },
  ];
  for (const doc of bad) assert.throws(() => parsePopularFile(JSON.stringify(doc)));
});

test('legit pairs are fresh: derived from the installed npm list and the bundled PyPI list', async () => {
  const file = parseLegitPairsFile(readFileSync(LEGIT_PAIRS_FILE, 'utf8'));
  assert.equal(file.derived_from.npm, `npm-high-impact@${npmHighImpactVersion()}`, 'run scripts/derive-legit-pairs.ts after bumping npm-high-impact');
  const sha = createHash('sha256').update(readFileSync(PYPI_POPULAR_FILE)).digest('hex');
  assert.equal(file.derived_from.pypi, `pypi-popular.json sha256:${sha}`);
  const [npm, pypi] = await Promise.all([loadNpmPopular(), loadPypiPopular()]);
  assert.deepEqual(deriveLegitPairs('npm', npm.names), file.npm);
  assert.deepEqual(deriveLegitPairs('pypi', pypi.names), file.pypi);
});

test('legit pairs: derivation rules on a small list', () => {
  // Scope stripping compares basenames: @babel/core pairs with core, not with babel-core;
  // @types/* mirrors are left out.
  const names = ['react', 'preact', 'find-up', 'findup', '@babel/core', 'babel-core', '@types/node', 'node', 'lodash', 'core'].map((name, i) => ({ name, rank: i + 1 }));
  const pairs = deriveLegitPairs('npm', names).map(([a, b, k]) => `${a}|${b}|${k}`);
  assert.deepEqual(pairs.sort(), [
    '@babel/core|core|same-after-separator-or-scope-strip',
    'find-up|findup|edit-distance-1',
    'react|preact|edit-distance-1',
  ]);
});

test('every pair of the shared reference derivation is in the bundled file', { skip: !existsSync(SHARED_PAIRS) && 'shared threat data not present' }, () => {
  const ours = parseLegitPairsFile(readFileSync(LEGIT_PAIRS_FILE, 'utf8'));
  const ref = JSON.parse(readFileSync(SHARED_PAIRS, 'utf8')) as Record<'npm' | 'pypi', { more_popular: string; less_popular: string }[]>;
  for (const eco of ['npm', 'pypi'] as const) {
    const have = new Set(ours[eco].map(([a, b]) => `${a}|${b}`));
    const missing = ref[eco].filter((p) => !have.has(`${p.more_popular}|${p.less_popular}`));
    assert.deepEqual(missing, [], eco);
  }
});
