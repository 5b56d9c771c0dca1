import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SPECIFIER_CLAUSES, parsePep440Specifier, satisfiesPep440, SpecifierError } from './pep440-specifier.ts';

/** [specifier, versions that satisfy it, versions that do not]. */
const CASES: readonly [string, readonly string[], readonly string[]][] = [
  ['>=2,<3', ['2.0', '2.9.9', '2.0.post1'], ['1.9', '3.0', '3.0a1', '2.5rc1', '2.5.dev0']],
  ['~=1.4', ['1.4', '1.4.7', '1.9'], ['1.3.9', '2.0', '1.5a1']],
  ['~=1.4.2', ['1.4.2', '1.4.9'], ['1.5.0', '1.4.1']],
  ['==1.4.*', ['1.4', '1.4.0', '1.4.11', '1.4.2.post1'], ['1.5', '1.40', '1.3.9']],
  ['!=1.5.1,>=1.5', ['1.5', '1.5.2', '1.5.1.post1'], ['1.5.1', '1.4']],
  ['==1.0', ['1.0', '1.0.0', '1.0+local.7'], ['1.0.1', '1.0.post1']],
  ['==1.0+abc', ['1.0+abc'], ['1.0', '1.0+abd']],
  ['<3', ['2.9'], ['3.0.dev1', '3.0rc1']],
  ['<3rc2', ['3.0rc1', '2.9'], ['3.0rc2']],
  ['>1.0', ['1.1', '1.0.1'], ['1.0.post1', '1.0', '1.0+x']],
  ['>1.0.post1', ['1.0.post2'], ['1.0.post1']],
  ['>=1.0a1', ['1.0a1', '1.0', '1.1b2'], ['0.9']],
  ['===1.0-Custom', ['1.0-custom'], ['1.0']],
  ['1.4', ['1.4.0'], ['1.4.1']],
  ['1.4.*', ['1.4.9'], ['1.5']],
];

test('PEP 440 specifiers match as pip matches them', () => {
  for (const [text, yes, no] of CASES) {
    const spec = parsePep440Specifier(text);
    for (const v of yes) assert.equal(satisfiesPep440(spec, v), true, `${v} satisfies ${text}`);
    for (const v of no) assert.equal(satisfiesPep440(spec, v), false, `${v} does not satisfy ${text}`);
  }
});

test('pre-releases satisfy a specifier only when it names one, or when asked to', () => {
  const spec = parsePep440Specifier('>=2');
  assert.equal(spec.prereleases, false);
  assert.equal(satisfiesPep440(spec, '2.1b1'), false);
  assert.equal(satisfiesPep440(spec, '2.1b1', true), true);
  assert.equal(parsePep440Specifier('>=2.0b1').prereleases, true);
  assert.equal(parsePep440Specifier('!=2.0b1').prereleases, false);
  // `===` of a text that reads as a pre-release names one (pip then matches it without --pre).
  assert.equal(parsePep440Specifier('===2.0b1').prereleases, true);
  assert.equal(satisfiesPep440(parsePep440Specifier('===2.0b1'), '2.0b1'), true);
  assert.equal(parsePep440Specifier('===2.0-custom').prereleases, false);
  // Even where pre-releases may match, `<3` leaves out 3's own (PEP 440's exclusive ordered comparison).
  const below = parsePep440Specifier('<3');
  assert.deepEqual(['2.9rc1', '3.0rc1', '3.0.dev0'].map((v) => satisfiesPep440(below, v, true)), [true, false, false]);
});

test('a specifier pins a version with == (not a .* prefix) or ===', () => {
  const pins: [string, boolean][] = [['==1.4', true], ['===1.4', true], ['>=1,==1.4.2', true], ['==1.4.*', false], ['>=1.4', false], ['!=1.4', false], ['~=1.4', false]];
  for (const [text, want] of pins) assert.equal(parsePep440Specifier(text).pinned, want, text);
});

test('specifiers that cannot be read are refused saying why; the clauses are bounded', () => {
  const refused: [string, RegExp][] = [
    ['>=', /not a clause/],
    ['=>2', /not a clause/],
    ['>=2,,<3', /an empty clause/],
    ['>=2.*', /only == and != take a \.\* prefix/],
    ['~=1', /~= needs a version of two parts/],
    ['>=1.0+abc', /only == and != take a local version label/],
    ['==1.0a1.*', /a \.\* prefix is a release/],
    ['>=banana', /is not a PEP 440 version/],
    [Array.from({ length: MAX_SPECIFIER_CLAUSES + 1 }, () => '>0').join(','), /65 clauses; at most 64/],
    ['>=1'.padEnd(300, '0'), /longer than 256 characters/],
  ];
  for (const [text, why] of refused) assert.throws(() => parsePep440Specifier(text), (err: unknown) => err instanceof SpecifierError && why.test(err.message), text.slice(0, 40));
  assert.equal(parsePep440Specifier(Array.from({ length: MAX_SPECIFIER_CLAUSES }, () => '>0').join(',')).clauses.length, 64);
});
