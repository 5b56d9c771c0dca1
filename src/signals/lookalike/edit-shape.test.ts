import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedWords, doubleEditWeight, opCounts, singleEditFactor, wordRelation, wordsOf } from './edit-shape.ts';
import { boundedOsaDistance } from './edit-distance.ts';

test('opCounts: the OSA distance, with the fewest substitutions among optimal alignments', () => {
  const cases: [string, string, number, number, number][] = [
    // target, query, distance, substitutions, transpositions
    ['lodash', 'lodash', 0, 0, 0],
    ['lodash', 'lodahs', 1, 0, 1],
    ['commander', 'commondir', 2, 2, 0],
    ['assertplus', 'asfsertxplus', 2, 0, 0],
    ['createhash', 'createhshs', 2, 0, 0], // an omission and an insertion beat two substitutions
    ['tarstream', 'barestream', 2, 1, 0],
    ['playwright', 'playwrgith', 2, 0, 2],
    ['abc', 'xyz', 3, 3, 0],
  ];
  for (const [a, b, distance, substitutions, transpositions] of cases) {
    assert.deepEqual(opCounts(a, b), { distance, substitutions, transpositions }, `${a} → ${b}`);
  }
  const words = ['', 'a', 'ab', 'ba', 'lodash', 'lodahs', 'l0dash', 'express', 'expresss', 'react', 'preact', 'reactjs'];
  for (const a of words) for (const b of words) assert.equal(opCounts(a, b).distance, boundedOsaDistance(a, b, 99), `${a} / ${b}`);
});

test('wordRelation: how the words of two names line up', () => {
  assert.deepEqual(wordRelation(['strip', 'ansi'], ['strip', 'asni']), { kind: 'one-word', target: 'ansi', query: 'asni' });
  assert.deepEqual(wordRelation(['assert', 'plus'], ['asfsertx', 'pluss']), { kind: 'spread' });
  assert.deepEqual(wordRelation(['tree', 'sitter', 'c'], ['tree', 'sitter']), { kind: 'word-dropped', word: 'c' });
  assert.deepEqual(wordRelation(['stable', 'hash'], ['stable', 'hash', 'x']), { kind: 'word-added', word: 'x' });
  assert.deepEqual(wordRelation(['babel', 'polyfill'], ['babelspolyfil']), { kind: 'regrouped' });
  assert.deepEqual(wordRelation(['a', 'b'], ['a', 'b']), { kind: 'same' });
  assert.deepEqual(wordsOf('types', ['node']), ['types', 'node']);
  assert.deepEqual(wordsOf('typescript-eslint', ['parser']), ['typescripteslint', 'parser']);
  assert.deepEqual(changedWords(['react'], ['preact']), ['preact']);
  assert.equal(changedWords(['a', 'b'], ['ab']), null);
});

test('doubleEditWeight: slips spread over words outweigh word swaps and added words', () => {
  const spread = doubleEditWeight(opCounts('assertplus', 'asfsertxplus'), wordRelation(['assert', 'plus'], ['asfsertx', 'plus']), 10);
  const longWordSlips = doubleEditWeight(opCounts('babeltraverse', 'babeltrasveres'), { kind: 'one-word', target: 'traverse', query: 'trasveres' }, 13);
  const twoSubstitutions = doubleEditWeight(opCounts('commander', 'commondir'), { kind: 'one-word', target: 'commander', query: 'commondir' }, 9);
  const shortWordSwap = doubleEditWeight(opCounts('tarstream', 'barestream'), wordRelation(['tar', 'stream'], ['bare', 'stream']), 9);
  const wordAdded = doubleEditWeight(opCounts('mimetypes', 'esmimetypes'), wordRelation(['mime', 'types'], ['es', 'mime', 'types']), 9);
  assert.ok(spread > twoSubstitutions && longWordSlips > twoSubstitutions, `${spread} ${longWordSlips} > ${twoSubstitutions}`);
  assert.ok(twoSubstitutions >= shortWordSwap && shortWordSwap > wordAdded, `${twoSubstitutions} ≥ ${shortWordSwap} > ${wordAdded}`);
  assert.ok(spread <= 0.7 && wordAdded > 0);
});

test('singleEditFactor: version digits, whole words, short words and first letters weigh less', () => {
  const plain = singleEditFactor('omission', 'a', '', false, false, { kind: 'one-word', target: 'lodash', query: 'lodsh' });
  assert.equal(plain, 1);
  assert.ok(singleEditFactor('substitution', '2', '3', false, true, { kind: 'one-word', target: 'eventemitter2', query: 'eventemitter3' }) < 0.5);
  assert.equal(singleEditFactor('substitution', '3', '4', false, false, { kind: 'one-word', target: 's3transfer', query: 's4transfer' }), 1, 'a digit inside a word is not a version');
  assert.ok(singleEditFactor('omission', 'c', '', false, false, { kind: 'word-dropped', word: 'c' }) < 0.5);
  assert.ok(singleEditFactor('substitution', 'i', 't', true, false, { kind: 'one-word', target: 'is', query: 'ts' }) < 0.6);
  assert.ok(singleEditFactor('insertion', '', 'p', true, false, { kind: 'one-word', target: 'react', query: 'preact' }) < 1);
  assert.equal(singleEditFactor('transposition', 'ab', 'ba', true, false, { kind: 'one-word', target: 'abc', query: 'bac' }), 1);
});
