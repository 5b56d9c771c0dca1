import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../core/index.ts';
import { isVersionRange, MAX_RANGE_SETS, parseVersionRange } from './version-range.ts';

test('a version is a range where the client would read it as one', () => {
  const ranges: [Parameters<typeof isVersionRange>[0], string, boolean][] = [
    ['npm', '^4.17.0', true], ['npm', '1.x', true], ['npm', '>=2 <3', true], ['npm', '1', true], ['npm', '1.2', true], ['npm', '*', true],
    ['npm', '4.17.21', false], ['npm', 'v4.17.21', false], ['npm', 'latest', false],
    ['pypi', '>=2,<3', true], ['pypi', '~=1.4', true], ['pypi', '1.4.*', true], ['pypi', '1.x', true],
    ['pypi', '2.31.0', false], ['pypi', '1.0rc1', false],
    ['oci', '^1.2', true], ['oci', 'v1.2-alpine', false], ['huggingface', 'main', false], ['huggingface', '>=1', true],
  ];
  for (const [ecosystem, text, want] of ranges) assert.equal(isVersionRange(ecosystem, text), want, `${ecosystem} ${text}`);
});

test('npm ranges select as npm does: newest first, pre-releases only where the range names one', () => {
  const versions = ['4.16.0', '4.17.0', '4.17.21', '4.18.0-beta.1', '5.0.0', 'not-semver'];
  assert.deepEqual(parseVersionRange('npm', '^4.17.0').select(versions), ['4.17.21', '4.17.0']);
  assert.deepEqual(parseVersionRange('npm', '>=4.18.0-beta.0 <5').select(versions), ['4.18.0-beta.1']);
  assert.deepEqual(parseVersionRange('npm', '4.x || 5').select(versions), ['5.0.0', '4.17.21', '4.17.0', '4.16.0']);
  assert.equal(parseVersionRange('npm', '^4').prefersLatest, true);
});

test('PyPI specifiers select as pip does: a pre-release where nothing final matches', () => {
  const versions = ['1.3', '1.4', '1.4.7', '1.10', '2.0', '2.1b1'];
  assert.deepEqual(parseVersionRange('pypi', '~=1.4').select(versions), ['1.10', '1.4.7', '1.4']);
  assert.deepEqual(parseVersionRange('pypi', '>=2').select(versions), ['2.0']);
  assert.deepEqual(parseVersionRange('pypi', '>2.0').select(versions), ['2.1b1']);
  assert.equal(parseVersionRange('pypi', '>=2').prefersLatest, false);
});

test('a range that cannot be read, is too large, or is asked of an ecosystem without ranges is INVALID_VERSION saying why', () => {
  const refused: [Parameters<typeof parseVersionRange>[0], string, RegExp][] = [
    ['npm', '^^1', /not an npm version range: npm reads ranges such as/],
    ['npm', Array.from({ length: MAX_RANGE_SETS + 1 }, (_, i) => String(i)).join('||'), /65 comparator sets \(\|\|\); at most 64/],
    ['npm', '^1'.padEnd(257, '0'), /longer than 256 characters/],
    ['pypi', '=>2', /not a PEP 440 version specifier: "=>2" is not a clause/],
    ['oci', '^1.2', /is a range; oci has none: give an image tag or a sha256: digest/],
    ['huggingface', '>=1', /is a range; huggingface has none/],
  ];
  for (const [ecosystem, text, why] of refused) {
    assert.throws(() => parseVersionRange(ecosystem, text), (err: unknown) => isAirlockError(err, 'INVALID_VERSION') && why.test(err.message), `${ecosystem} ${text.slice(0, 40)}`);
  }
});
