import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePurl, parsePurl, parseNpmPackageName, parseIntegrity, formatIntegrity, normalizePypiName, combineVerdict, isAirlockError, personBeforeEmail, trimBoth, trimTrailing } from './index.ts';

test('purl round-trips scoped npm names', () => {
  const p = makePurl('npm', '@acme/ok-pkg', '1.0.0-beta.1');
  assert.equal(p, 'pkg:npm/%40acme/ok-pkg@1.0.0-beta.1');
  assert.deepEqual(parsePurl(p), { type: 'npm', namespace: '@acme', name: 'ok-pkg', version: '1.0.0-beta.1' });
});

test('a purl that is not percent-encoded text, or a part with a lone surrogate, is INVALID_PURL (it was a URIError: a 500 from the admin API)', () => {
  for (const bad of ['pkg:npm/%E0%A4%A', 'pkg:npm/a@%ZZ', 'pkg:npm/%', 'pkg:npm/%40acme/x%4']) {
    assert.throws(() => parsePurl(bad), (e) => isAirlockError(e, 'INVALID_PURL'), bad);
  }
  assert.throws(() => makePurl('npm', 'a', '1.0.0\ud800'), (e) => isAirlockError(e, 'INVALID_PURL'));
  assert.throws(() => makePurl('huggingface', 'acme/\udc00x'), (e) => isAirlockError(e, 'INVALID_PURL'));
  assert.equal(makePurl('npm', 'a', '1.0.0+b\u00e9'), 'pkg:npm/a@1.0.0%2Bb%C3%A9');
});

test('npm names: scoped, legacy mixed case accepted; malformed refused', () => {
  assert.equal(parseNpmPackageName('@types/node'), '@types/node');
  assert.equal(parseNpmPackageName('JSONStream'), 'JSONStream');
  for (const bad of ['', '@scope', '@/x', 'a/b', '.hidden', '_private', '@s/x/y', 'a b', 'x'.repeat(215)]) {
    assert.throws(() => parseNpmPackageName(bad), (e) => isAirlockError(e, 'INVALID_NAME'), bad);
  }
});

test('SRI parsing validates digest lengths and skips unknown algorithms', () => {
  const hex = 'ab'.repeat(64);
  const sri = formatIntegrity('sha512', hex);
  assert.deepEqual(parseIntegrity(`md5-xyz ${sri}`), [{ algorithm: 'sha512', hex }]);
  assert.throws(() => parseIntegrity('sha512-AAAA'), (e) => isAirlockError(e, 'INVALID_DIGEST'));
});

test('PEP 503 normalisation', () => {
  assert.equal(normalizePypiName('Foo.Bar__baz'), 'foo-bar-baz');
  assert.throws(() => normalizePypiName('-bad'));
});

test('verdict: deny wins, then quarantine, else allow', () => {
  assert.equal(combineVerdict([{ message: 'd' }], [{ message: 'q' }], []).kind, 'block');
  assert.equal(combineVerdict([], [{ message: 'q' }], []).kind, 'quarantine');
  assert.equal(combineVerdict([], [], [{ message: 'w' }]).kind, 'allow');
});

test('trimTrailing drops the run of one character at the end, and only that', () => {
  assert.equal(trimTrailing('models/a///', '/'), 'models/a');
  assert.equal(trimTrailing('///', '/'), '');
  assert.equal(trimTrailing('a/b', '/'), 'a/b');
  assert.equal(trimTrailing('a//b/', '/'), 'a//b');
  assert.equal(trimTrailing('model.bin. .', '. '), 'model.bin');
  assert.equal(trimTrailing('', '/'), '');
});

test('personBeforeEmail: the name before the first <, without the blanks before it', () => {
  assert.equal(personBeforeEmail('Jane Doe <jane@example.com> (https://example.com)'), 'Jane Doe');
  assert.equal(personBeforeEmail('Jane Doe'), 'Jane Doe');
  assert.equal(personBeforeEmail('  <jane@example.com>'), '');
  assert.equal(personBeforeEmail('a <b> <c>'), 'a');
});

test('trimBoth drops the runs of the characters at both ends', () => {
  assert.equal(trimBoth('//models/a.bin//', '/'), 'models/a.bin');
  assert.equal(trimBoth('a', '/'), 'a');
  assert.equal(trimBoth('////', '/'), '');
  assert.equal(trimBoth('/a//b/', '/'), 'a//b');
});
