import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLookalikeIndex, type LookalikeKind, type LookalikeTechnique, type PopularName } from './index.ts';

const NPM_POPULAR: PopularName[] = [
  'react', 'lodash', 'express', 'chalk', 'debug', 'strip-ansi', 'parse-json', 'cross-spawn', '@types/node',
  '@ctrl/tinycolor', '@babel/core', 'find-up', 'preact', 'mocha', 'http-proxy-middleware', 'requests-lib-xyz',
  '@typescript-eslint/parser', 'colors', 'color', 'uuid', 'uid',
].map((name, i) => ({ name, rank: i + 1 }));

const npm = createLookalikeIndex(NPM_POPULAR, {
  rules: 'npm',
  internal: ['@acme/billing', 'acme-secrets'],
  legitPairs: [['react', 'preact'], ['colors', 'color'], ['uuid', 'uid']],
  minScore: 0.2,
});

test('npm look-alikes: closest name and kind of confusion', () => {
  const cases: [string, string, LookalikeKind, LookalikeTechnique][] = [
    ['lodahs', 'lodash', 'typo', 'transposition'],
    ['lodsh', 'lodash', 'typo', 'omission'],
    ['debuug', 'debug', 'typo', 'repetition'],
    ['expresq', 'express', 'typo', 'substitution'],
    ['reacr', 'react', 'typo', 'keyboard-substitution'],
    ['l0dash', 'lodash', 'homoglyph', 'homoglyph-substitution'],
    ['rnocha', 'mocha', 'homoglyph', 'ascii-homoglyph'],
    ['lodаsh', 'lodash', 'homoglyph', 'unicode-homoglyph'], // Cyrillic а
    ['find_up', 'find-up', 'separator', 'separator-changed'],
    ['findup', 'find-up', 'separator', 'separator-changed'],
    ['types-node', '@types/node', 'scope', 'scope-flattened'],
    ['tinycolor', '@ctrl/tinycolor', 'scope', 'scope-dropped'],
    ['@ctrI/tinycolor', '@ctrl/tinycolor', 'homoglyph', 'ascii-homoglyph'],
    ['@ctrl-js/tinycolor', '@ctrl/tinycolor', 'scope', 'scope-typo'],
    ['@evil/lodash', 'lodash', 'scope', 'foreign-scope'],
    ['@typescript_eslinter/parser', '@typescript-eslint/parser', 'scope', 'scope-typo'],
    ['lodash-utils', 'lodash', 'affix', 'suffix'],
    ['node-lodash', 'lodash', 'affix', 'prefix'],
    ['lodashjs', 'lodash', 'affix', 'suffix'],
    ['express-4', 'express', 'affix', 'digits'],
    ['express-4.18.2', 'express', 'affix', 'digits'],
    ['json-parse', 'parse-json', 'reorder', 'tokens-reordered'],
    ['proxy-middleware', 'http-proxy-middleware', 'simplification', 'token-dropped'],
    ['lodashs', 'lodash', 'simplification', 'plural'],
    ['crss-spawn', 'cross-spawn', 'typo', 'omission'],
    ['acme-billing', '@acme/billing', 'scope', 'scope-flattened'],
    ['acme-secrets', 'acme-secrets', 'dependency-confusion', 'internal-name-upstream'],
  ];
  for (const [name, closest, kind, technique] of cases) {
    const m = npm.match(name);
    assert.ok(m !== null, `${name} should look like ${closest}`);
    assert.equal(m.closest, closest, name);
    assert.equal(m.kind, kind, name);
    assert.equal(m.technique, technique, name);
    assert.ok(m.score > 0 && m.score <= 1, name);
  }
});

test('popular names are never flagged; legitimate pairs are never reported', () => {
  for (const p of NPM_POPULAR) assert.equal(npm.match(p.name), null, p.name);
  assert.equal(npm.match('React'), null, 'case-insensitive popular check');
  // `preact` is on the list anyway; the pair also protects a list without it:
  const small = createLookalikeIndex([{ name: 'react', rank: 1 }], { rules: 'npm', legitPairs: [['react', 'preact']], minScore: 0 });
  assert.equal(small.match('preact'), null);
  assert.notEqual(small.match('reactt'), null);
});

test('names that look like nothing return null', () => {
  for (const name of ['completely-unrelated-name', 'zq', '@someone/something-else', 'x']) assert.equal(npm.match(name), null, name);
});

test('an internal name asked for upstream is dependency confusion', () => {
  const m = npm.match('@acme/billing');
  assert.ok(m !== null);
  assert.equal(m.kind, 'dependency-confusion');
  assert.equal(m.target.source, 'internal');
  assert.equal(m.score, 1);
  assert.ok(npm.isInternal('@ACME/billing'));
});

test('score is weighted by the popularity of the imitated name', () => {
  const list = [{ name: 'aaaa-top', rank: 1 }, ...Array.from({ length: 998 }, (_, i) => ({ name: `filler-${i}-name`, rank: i + 2 })), { name: 'bbbb-tail', rank: 1000 }];
  const idx = createLookalikeIndex(list, { rules: 'npm', minScore: 0 });
  const top = idx.match('aaaa-tpo');
  const tail = idx.match('bbbb-tial');
  assert.ok(top !== null && tail !== null);
  assert.equal(top.technique, tail.technique);
  assert.ok(top.score > tail.score, `${top.score} > ${tail.score}`);
});

test('matchAll lists every candidate best first', () => {
  const all = npm.matchAll('colour');
  assert.ok(all.length >= 1);
  for (let i = 1; i < all.length; i++) assert.ok((all[i - 1]?.score ?? 0) >= (all[i]?.score ?? 0));
});

test('pypi rules: PEP 503 spelling, no scopes', () => {
  const pypi = createLookalikeIndex(
    ['requests', 'python-dateutil', 'pyyaml', 'beautifulsoup4'].map((name, i) => ({ name, rank: i + 1 })),
    { rules: 'pypi', minScore: 0.2 },
  );
  assert.equal(pypi.match('Python_DateUtil'), null, 'normalises to a popular name');
  const cases: [string, string, LookalikeKind][] = [
    ['reqeusts', 'requests', 'typo'],
    ['python-dateutils', 'python-dateutil', 'simplification'],
    ['pythondateutil', 'python-dateutil', 'separator'],
    ['py-yaml', 'pyyaml', 'separator'],
    ['requests-py', 'requests', 'affix'],
    ['python-requests', 'requests', 'affix'],
    ['dateutil-python', 'python-dateutil', 'reorder'],
    ['rqsts', 'requests', 'simplification'],
    ['beautifulsoup', 'beautifulsoup4', 'typo'],
  ];
  for (const [name, closest, kind] of cases) {
    const m = pypi.match(name);
    assert.ok(m !== null, name);
    assert.equal(m.closest, closest, name);
    assert.equal(m.kind, kind, name);
  }
});

test('hostile input: very long names and odd characters are bounded and do not throw', () => {
  assert.doesNotThrow(() => npm.match('a'.repeat(100_000)));
  assert.doesNotThrow(() => npm.match('\u0000\uffff@/'));
  assert.doesNotThrow(() => npm.match(''));
  assert.equal(npm.match(''), null);
});
