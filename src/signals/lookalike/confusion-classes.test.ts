/**
 * One table per kind of confusion: names that imitate a protected name (reported at the default
 * threshold, with the expected target and technique) and legitimate names of the same shape that
 * must stay quiet (no match, or a score under the default threshold, for the reason given).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLookalikeIndex, DEFAULT_MIN_SCORE, type LookalikeIndex, type LookalikeTechnique, type PopularName } from './index.ts';

const ranked = (names: readonly string[]): PopularName[] => names.map((name, i) => ({ name, rank: i + 1 }));

// A small npm-like list with the structures the engine learns from: families (`@aws-sdk/client-*`,
// `babel-*`, `embla-carousel-*`), words other names use (`preact-*`), routine affixes (`-core`).
const NPM = ranked([
  'react', 'lodash', 'express', 'chalk', 'debug', 'strip-ansi', 'parse-json', 'cross-spawn', 'assert-plus',
  '@types/node', '@types/react', '@ctrl/tinycolor', '@babel/core', '@babel/parser', '@babel/types',
  '@angular/core', '@typescript-eslint/parser', 'find-up', 'mocha', 'http-proxy-middleware', 'colors',
  '@aws-sdk/client-s3', '@aws-sdk/client-sqs', '@aws-sdk/client-sns', '@aws-sdk/client-lambda',
  '@storybook/semver', 'preact-render-to-string', 'embla-carousel-autoplay', 'embla-carousel-react',
  'mysql2', 'eventemitter3', 'tree-sitter-c', 'tar-stream', 'commander', 'camelcase', 'path-is-inside',
  'tldts', 'tldts-core', 'puppeteer', 'puppeteer-core', 'jest', 'jest-core', 'vite', 'vite-core', 'jsdom', 'jsdom-core',
  'babel-loader', 'babel-jest', 'babel-plugin-macros', 'babel-preset-env', 'babel-runtime', 'babel-eslint',
  'test', 'data-uri',
]);

const npm = createLookalikeIndex(NPM, { rules: 'npm', internal: ['@acme/billing', 'acme-secrets'], legitPairs: [['colors', 'color']], minScore: 0 });

const PYPI = ranked(['requests', 'python-dateutil', 'pyyaml', 'beautifulsoup4', 'colorama', 'pillow', 'willow-tree', 'boto', 'jupyterlab', 'jupyterlab-server', 'jupyterlab-widgets']);
const pypi = createLookalikeIndex(PYPI, { rules: 'pypi', minScore: 0 });

type Positive = readonly [name: string, closest: string, technique: LookalikeTechnique];
/** A legitimate name and why it must stay under the threshold. */
type Negative = readonly [name: string, why: string];

function reported(index: LookalikeIndex, rows: readonly Positive[], kind: string): void {
  for (const [name, closest, technique] of rows) {
    const m = index.match(name);
    assert.ok(m !== null, `${name} should look like ${closest}`);
    assert.equal(m.closest, closest, `${name}: closest`);
    assert.equal(m.technique, technique, `${name}: technique`);
    assert.ok(m.score >= DEFAULT_MIN_SCORE, `${name} ~ ${closest} (${kind}): score ${m.score} should reach ${DEFAULT_MIN_SCORE}`);
  }
}

function quiet(index: LookalikeIndex, rows: readonly Negative[]): void {
  for (const [name, why] of rows) {
    const m = index.match(name);
    assert.ok(m === null || m.score < DEFAULT_MIN_SCORE, `${name} should stay quiet (${why}); got ${m?.closest} ${m?.technique} ${m?.score}`);
  }
}

test('typo: slips inside words are reported; other real names are not', () => {
  reported(npm, [
    ['lodahs', 'lodash', 'transposition'],
    ['lodsh', 'lodash', 'omission'],
    ['debuug', 'debug', 'repetition'],
    ['expresq', 'express', 'substitution'],
    ['reacr', 'react', 'keyboard-substitution'],
    ['crss-spawn', 'cross-spawn', 'omission'],
    ['asfsertx-plus', 'assert-plus', 'double-typo'],
    ['strip-asni', 'strip-ansi', 'transposition'],
  ], 'typo');
  quiet(npm, [
    ['preact', '`preact` is a word other popular names use (preact-render-to-string), and the edit is at the first letter'],
    ['mysql', 'the popular name is its numbered successor (mysql2)'],
    ['eventemitter2', 'a digit for a digit in the trailing version number'],
    ['tree-sitter', 'a whole short word dropped (tree-sitter-c)'],
    ['bare-stream', 'two edits inside one short word make another word (tar-stream)'],
    ['commondir', 'two substitutions read as another word (commander)'],
  ]);
});

test('homoglyph: look-alike glyphs are reported; allowlisted pairs are not', () => {
  reported(npm, [
    ['l0dash', 'lodash', 'homoglyph-substitution'],
    ['rnocha', 'mocha', 'ascii-homoglyph'],
    ['lodаsh', 'lodash', 'unicode-homoglyph'], // Cyrillic а
    ['@angu1ar/core', '@angular/core', 'homoglyph-substitution'],
  ], 'homoglyph');
  const withPair = createLookalikeIndex(ranked(['json5']), { rules: 'npm', legitPairs: [['json5', 'jsons']], minScore: 0 });
  assert.equal(withPair.match('jsons'), null, 'a legitimate look-alike pair is never reported');
  assert.notEqual(withPair.match('js0n5'), null);
});

test('separator: glued or re-separated spellings; splitting a glued name into words scores lower', () => {
  reported(npm, [
    ['find_up', 'find-up', 'separator-changed'],
    ['findup', 'find-up', 'separator-changed'],
    ['stripansi', 'strip-ansi', 'separator-changed'],
  ], 'separator');
  const glued = npm.match('pathisinside');
  const split = npm.match('camel-case');
  assert.ok(glued !== null && split !== null);
  assert.ok(split.score < glued.score, `camel-case (${split.score}) splits camelcase into words; pathisinside (${glued.score}) glues path-is-inside`);
});

test('scope: flattened, dropped, mistyped and foreign scopes; owners, forks and traditions are not', () => {
  reported(npm, [
    ['types-node', '@types/node', 'scope-flattened'],
    ['typesnode', '@types/node', 'scope-flattened'],
    ['client-s3', '@aws-sdk/client-s3', 'scope-dropped'],
    ['@ctrl-js/tinycolor', '@ctrl/tinycolor', 'scope-typo'],
    ['@babel-core/parser', '@babel/parser', 'scope-typo'],
    ['@typescript_eslinter/parser', '@typescript-eslint/parser', 'scope-typo'],
    ['@evil/lodash', 'lodash', 'foreign-scope'],
    ['acme-billing', '@acme/billing', 'scope-flattened'],
  ], 'scope');
  quiet(npm, [
    ['semver', '`@storybook/semver` is a fork with a name of its own: the unscoped name is the original, not a confusion'],
    ['@babel/parserr', 'only the owner of @babel publishes under it'],
    ['@babel/lodash', 'only the owner of @babel publishes under it'],
    ['babel-types', '`babel-*` is an established unscoped naming tradition'],
    ['react', 'x is never reported against @types/x (DefinitelyTyped mirrors real packages)'],
  ]);
});

test('affix: squatter words and versions glued on; generic bases, numbered series and routine extensions are not', () => {
  reported(npm, [
    ['node-lodash', 'lodash', 'prefix'],
    ['lodash-utils', 'lodash', 'suffix'],
    ['lodashjs', 'lodash', 'suffix'],
    ['react-js', 'react', 'suffix'],
    ['express-4', 'express', 'digits'],
    ['express-4.18.2', 'express', 'digits'],
    ['chalk5', 'chalk', 'digits'],
    ['colors-dev', 'colors', 'suffix'],
  ], 'affix');
  quiet(npm, [
    ['test-23456', 'a number that is not a version, on a generic word'],
    ['test-utils', 'an affix on a generic word'],
    ['data-uri-core', '`-core` is an extension popular names use routinely (tldts-core, jest-core …)'],
  ]);
  reported(pypi, [
    ['requests2', 'requests', 'digits'],
    ['python-requests', 'requests', 'prefix'],
    ['requests-py', 'requests', 'suffix'],
  ], 'affix');
});

test('reorder: the same words in another order; allowlisted pairs are not', () => {
  reported(npm, [['json-parse', 'parse-json', 'tokens-reordered']], 'reorder');
  reported(pypi, [['dateutil-python', 'python-dateutil', 'tokens-reordered']], 'reorder');
  const withPair = createLookalikeIndex(ranked(['path-is-inside']), { rules: 'npm', legitPairs: [['path-is-inside', 'is-path-inside']], minScore: 0 });
  assert.equal(withPair.match('is-path-inside'), null);
});

test('simplification: a word or the vowels dropped, plurals; family roots are not', () => {
  reported(npm, [
    ['proxy-middleware', 'http-proxy-middleware', 'token-dropped'],
    ['lodashs', 'lodash', 'plural'],
  ], 'simplification');
  reported(pypi, [['rqsts', 'requests', 'vowels-dropped']], 'simplification');
  quiet(npm, [['embla-carousel', 'the root of a family of popular names (embla-carousel-autoplay, embla-carousel-react)']]);
  quiet(pypi, [['willow', 'a word other popular names use (willow-tree), one letter from pillow at the first letter']]);
});

test('dependency confusion: an internal name asked for upstream', () => {
  const m = npm.match('acme-secrets');
  assert.ok(m !== null);
  assert.deepEqual([m.kind, m.technique, m.score, m.target.source], ['dependency-confusion', 'internal-name-upstream', 1, 'internal']);
  assert.equal(npm.match('lodash'), null, 'a popular name is never flagged');
});
