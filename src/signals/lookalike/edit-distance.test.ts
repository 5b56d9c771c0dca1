import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedOsaDistance, classifySingleEdit } from './edit-distance.ts';
import { areKeyboardNeighbours } from './keyboard.ts';

/** Reference OSA distance, unbounded, written the plain textbook way. */
function osa(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

test('bounded OSA distance agrees with the reference within the bound', () => {
  const words = ['', 'a', 'ab', 'ba', 'abc', 'acb', 'lodash', 'lodahs', 'l0dash', 'lodash-es', 'express', 'expresss', 'ca', 'abc', 'xyz'];
  for (const a of words) {
    for (const b of words) {
      const exact = osa(a, b);
      for (const max of [0, 1, 2, 3]) {
        assert.equal(boundedOsaDistance(a, b, max), exact <= max ? exact : max + 1, `${a} / ${b} max ${max}`);
      }
    }
  }
});

test('bounded OSA distance agrees with the reference on random strings, every bound', () => {
  let x = 42;
  const next = (k: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
  const word = (): string => Array.from({ length: next(15) }, () => 'abcab'[next(5)]).join('');
  for (let n = 0; n < 3000; n++) {
    const a = word();
    // Near neighbours as well as unrelated strings.
    const b = n % 2 === 0 ? word() : a.slice(0, next(a.length + 1)) + 'abc'.slice(0, next(3)) + a.slice(next(a.length + 1));
    const exact = osa(a, b);
    for (const max of [0, 1, 2, 3, 4, 7, 64]) {
      assert.equal(boundedOsaDistance(a, b, max), exact <= max ? exact : max + 1, `${a} / ${b} max ${max}`);
    }
  }
});

test('single edits are classified', () => {
  const cases: [string, string, string | null, string, string][] = [
    // target, candidate, technique, from, to
    ['lodash', 'lodsh', 'omission', 'a', ''],
    ['debug', 'debuug', 'repetition', '', 'u'],
    ['chalk', 'chalkx', 'insertion', '', 'x'],
    ['strip-ansi', 'strip-nasi', 'transposition', 'an', 'na'],
    ['react', 'reacr', 'keyboard-substitution', 't', 'r'],
    ['react', 'reacz', 'substitution', 't', 'z'],
    ['lodash', 'l0dash', 'homoglyph-substitution', 'o', '0'],
    ['lodash', 'lodash', null, '', ''],
    ['lodash', 'lo', null, '', ''],
    ['abcd', 'badc', null, '', ''],
  ];
  for (const [target, candidate, technique, from, to] of cases) {
    const edit = classifySingleEdit(target, candidate);
    if (technique === null) {
      assert.equal(edit, null, `${target} → ${candidate}`);
      continue;
    }
    assert.ok(edit !== null, `${target} → ${candidate}`);
    assert.equal(edit.technique, technique, `${target} → ${candidate}`);
    assert.equal(edit.from, from);
    assert.equal(edit.to, to);
  }
});

test('keyboard neighbours follow the staggered QWERTY layout', () => {
  for (const [a, b] of [['g', 't'], ['g', 'y'], ['g', 'v'], ['g', 'b'], ['g', 'f'], ['q', 'a'], ['q', '1'], ['m', 'n'], ['p', '0']]) {
    assert.ok(areKeyboardNeighbours(a as string, b as string), `${a}/${b}`);
  }
  for (const [a, b] of [['g', 'r'], ['g', 'c'], ['q', 's'], ['a', 'a'], ['m', 'q'], ['-', '_'], ['z', 'p']]) {
    assert.ok(!areKeyboardNeighbours(a as string, b as string), `${a}/${b}`);
  }
});
