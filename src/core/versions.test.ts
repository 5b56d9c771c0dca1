import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSemver, parseSemver } from './semver.ts';
import { comparePep440, parsePep440 } from './pep440.ts';

function ascending<T>(parse: (s: string) => T | null, cmp: (a: T, b: T) => number, list: readonly string[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      const a = parse(list[i] as string);
      const b = parse(list[j] as string);
      assert.ok(a !== null && b !== null, `${list[i]} / ${list[j]} parse`);
      assert.equal(Math.sign(cmp(a, b)), Math.sign(i - j), `${list[i]} vs ${list[j]}`);
    }
  }
}

test('semver precedence (SemVer 2.0.0 section 11)', () => {
  ascending(parseSemver, compareSemver, [
    '0.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1',
    '1.0.0', '1.0.1', '1.10.0', '2.0.0', '99999999999999999999.0.0',
  ]);
  assert.equal(compareSemver(parseSemver('v1.2.3+build.5') as never, parseSemver('1.2.3') as never), 0);
  for (const bad of ['1.2', '01.2.3', '1.2.3-', 'x', '1.2.3.4', '']) assert.equal(parseSemver(bad), null, bad);
});

test('PEP 440 ordering and normalisation', () => {
  ascending(parsePep440, comparePep440, [
    '0.9', '1.0.dev0', '1.0.dev1', '1.0a1.dev1', '1.0a1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0+abc', '1.0+5', '1.0.post1.dev1',
    '1.0.post1', '1.1', '1!0.1',
  ]);
  const same: [string, string][] = [['1.0', '1.0.0'], ['1.0RC1', '1.0rc1'], ['1.0-1', '1.0.post1'], ['1.0alpha1', '1.0a1'], ['v2.0', '2.0']];
  for (const [a, b] of same) assert.equal(comparePep440(parsePep440(a) as never, parsePep440(b) as never), 0, `${a} == ${b}`);
  for (const bad of ['', 'abc', '1.0.x', '1..0']) assert.equal(parsePep440(bad), null, bad);
});
