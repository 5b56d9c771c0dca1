import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDeletionIndex } from './deletion-index.ts';
import { boundedOsaDistance } from './edit-distance.ts';

/** Deterministic pseudo-random words over a small alphabet (many near neighbours). */
function words(count: number, seed: number, minLength: number, maxLength: number, alphabet = 'abcdeo-'): string[] {
  let x = seed;
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  const out = new Set<string>();
  while (out.size < count) {
    const len = minLength + (next() % (maxLength - minLength + 1));
    let w = '';
    for (let i = 0; i < len; i++) w += alphabet[next() % alphabet.length];
    out.add(w);
  }
  return [...out];
}

/** Every string one edit away from `s` (omission, insertion, substitution, transposition) over `letters`. */
function oneEdit(s: string, letters: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length) out.push(s.slice(0, i) + s.slice(i + 1));
    for (const c of letters) {
      out.push(s.slice(0, i) + c + s.slice(i));
      if (i < s.length) out.push(s.slice(0, i) + c + s.slice(i + 1));
    }
    if (i + 1 < s.length) out.push(s.slice(0, i) + (s[i + 1] as string) + (s[i] as string) + s.slice(i + 2));
  }
  return out;
}

/** Every string within two edits of `w`, over its own letters and one foreign letter. */
function twoEdits(w: string): Set<string> {
  const letters = [...new Set(`${w}x`)];
  const out = new Set<string>();
  for (const one of oneEdit(w, letters)) {
    out.add(one);
    for (const two of oneEdit(one, letters)) out.add(two);
  }
  return out;
}

/** The engine's budget shape: one edit for short and very long terms, two in between. */
const budget = (length: number): number => (length >= 5 && length <= 12 ? 2 : length <= 16 ? 1 : 0);

function assertComplete(terms: readonly string[], queries: readonly string[], budgetOf: (length: number) => number): void {
  const index = buildDeletionIndex(terms, budgetOf);
  for (const q of queries) {
    const got = index.candidates(q);
    assert.deepEqual(got, [...got].sort((a, b) => a - b), 'ascending ids');
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    const found = new Set(got);
    terms.forEach((t, id) => {
      const b = budgetOf(t.length);
      if (b > 0 && boundedOsaDistance(q, t, b) <= b) assert.ok(found.has(id), `${JSON.stringify(q)} should find ${JSON.stringify(t)} (budget ${b})`);
    });
  }
}

test('candidates are complete for random queries (brute force comparison, budgets 1 and 2)', () => {
  const terms = words(700, 7, 1, 18);
  assertComplete(terms, words(300, 99, 0, 20), budget);
});

test('every string within two edits of a term finds it, at every length around the budget limits', () => {
  // Lengths 3..14 cross both limits of `budget` (5 and 12) and split into halves both ways.
  const terms = [3, 4, 5, 6, 7, 8, 11, 12, 13, 14].map((len, i) => 'abcabdcbaadbcacd'.slice(i % 3, (i % 3) + len));
  for (const budgetOf of [budget, (m: number) => (m >= 4 ? 2 : 1), () => 1]) {
    const index = buildDeletionIndex(terms, budgetOf);
    terms.forEach((t, id) => {
      const b = budgetOf(t.length);
      for (const q of twoEdits(t)) {
        if (boundedOsaDistance(q, t, b) <= b) assert.ok(index.candidates(q).includes(id), `${q} should find ${t} (budget ${b})`);
      }
    });
  }
});

test('candidates are complete for neighbours of many terms (brute force comparison)', () => {
  const terms = words(250, 11, 3, 15, 'abcab-');
  const queries = terms.filter((_, i) => i % 25 === 0).flatMap((t) => [...twoEdits(t)].filter((_, k) => k % 5 === 0));
  assertComplete(terms, queries, budget);
});

test('transpositions across the middle of a term and edits at both ends are found', () => {
  const terms = ['abcdefgh', 'abcdefghi', 'aaaabbbb', 'ab', 'a'];
  const index = buildDeletionIndex(terms, (m) => (m >= 8 ? 2 : 1));
  for (const [q, id] of [
    ['abcedfgh', 0], ['bacdefhg', 0], ['xbcdefgy', 0], ['bcdefg', 0], ['abcdefghij', 0], ['abcdeghi', 1], ['aaabbbbb', 2],
    ['aaab', -1], ['ba', 3], ['b', 3], ['', 4], ['ab', 4],
  ] as const) {
    if (id >= 0) assert.ok(index.candidates(q).includes(id), `${q} → ${terms[id]}`);
  }
  assert.deepEqual(buildDeletionIndex(['lodash', 'react'], () => 1).candidates('zzzzzz'), []);
});

test('terms with budget 0 are not indexed; unicode code units hash like any other', () => {
  const index = buildDeletionIndex(['x'.repeat(120), 'lodаsh'], (m) => (m > 100 ? 0 : 1));
  assert.deepEqual(index.candidates('x'.repeat(119)), []);
  assert.deepEqual(index.candidates('lodаh'), [1]);
  assert.ok(index.postingCount === 7 && index.byteLength > 0);
});
