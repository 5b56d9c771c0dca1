import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDeletionIndex, deletionHashes } from './deletion-index.ts';
import { boundedOsaDistance } from './edit-distance.ts';

/** Deterministic pseudo-random words over a small alphabet (many near neighbours). */
function words(count: number, seed: number): string[] {
  let x = seed;
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  const out = new Set<string>();
  while (out.size < count) {
    const len = 3 + (next() % 12);
    let w = '';
    for (let i = 0; i < len; i++) w += 'abcdeo-'[next() % 7];
    out.add(w);
  }
  return [...out];
}

test('variant hashes equal the hash of the variant spelled out', () => {
  // Deleting positions from the word must give the same hash as hashing the shorter word.
  for (const w of ['lodash', 'aab', 'express-session', 'xx']) {
    const fromWord = new Set(deletionHashes(w, 2));
    for (let i = 0; i < w.length; i++) {
      const one = w.slice(0, i) + w.slice(i + 1);
      assert.ok(fromWord.has(deletionHashes(one, 0)[0] as number), `${w} minus ${i}`);
      for (let j = i + 1; j < w.length; j++) {
        const two = w.slice(0, i) + w.slice(i + 1, j) + w.slice(j + 1);
        assert.ok(fromWord.has(deletionHashes(two, 0)[0] as number), `${w} minus ${i},${j}`);
      }
    }
  }
});

test('candidates are complete for every term within the budget (brute force comparison)', () => {
  const terms = words(600, 7);
  const index = buildDeletionIndex(terms, { depthFor: () => 2 });
  for (const q of words(150, 99)) {
    const got = index.candidates(q, 2);
    terms.forEach((t, id) => {
      if (boundedOsaDistance(q, t, 2) <= 2) assert.ok(got.has(id), `${q} should find ${t}`);
    });
  }
});

test('depth 1 finds every single edit including transpositions', () => {
  const terms = ['strip-ansi', 'lodash', 'react', 'ab'];
  const index = buildDeletionIndex(terms, { depthFor: () => 1 });
  for (const [q, t] of [['strip-nasi', 0], ['lodsh', 1], ['reactt', 2], ['rfact', 2], ['ba', 3]] as const) {
    assert.ok(index.candidates(q, 1).has(t), q);
  }
  assert.equal(index.candidates('zzzzzz', 1).size, 0);
});
