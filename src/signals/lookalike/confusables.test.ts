import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asciiSkeleton, foldUnicode, skeletonOf } from './confusables.ts';
import { loadPopularList } from '../popular/index.ts';

/** The skeleton by the general path: Unicode folding, then the three pair replacements in turn. */
const slowSkeleton = (text: string): string => asciiSkeleton(foldUnicode(text));

test('Unicode folding changes no ASCII character but its case', () => {
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    assert.equal(foldUnicode(ch), ch.toLowerCase(), `U+${c.toString(16)}`);
  }
});

test('the one-pass ASCII skeleton equals the general one (random text rich in pairs, every popular name)', async () => {
  let x = 7;
  const next = (k: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
  const alphabet = 'rnvclaeiouRNVCLmwd01|!34578$9-_.x';
  for (let n = 0; n < 20000; n++) {
    const text = Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)]).join('');
    assert.equal(skeletonOf(text), slowSkeleton(text), JSON.stringify(text));
  }
  for (const eco of ['npm', 'pypi'] as const) {
    for (const p of (await loadPopularList(eco)).names) assert.equal(skeletonOf(p.name), slowSkeleton(p.name), p.name);
  }
  assert.equal(skeletonOf('rnocha'), 'mocha');
  assert.equal(skeletonOf('lodаsh'), slowSkeleton('lodаsh'), 'non-ASCII takes the general path');
});
