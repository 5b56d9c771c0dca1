/**
 * `int()` and `float()` text as the unpickler reads it (INT, LONG, FLOAT, GET, PUT arguments),
 * including the long runs a hostile pickle can put in one line: each took quadratic time in the
 * regular expression it replaced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePyFloat, parsePyInt } from './text.ts';

const N = 200_000;

test('int(): blanks at the ends are stripped, blanks inside are an error', () => {
  assert.equal(parsePyInt(`${'\t'.repeat(N)}-7${' '.repeat(N)}`, 10), -7n);
  assert.equal(parsePyInt(`\u0000${'\t'.repeat(N)}\t\u0000`, 10), undefined);
  assert.equal(parsePyInt(`1${'\t'.repeat(N)}2`, 10), undefined);
  assert.equal(parsePyInt(' 1_000 ', 10), 1000n);
  assert.equal(parsePyInt('1__0', 10), undefined);
});

test('int(text, 0): leading zeros are an error unless the number is zero', () => {
  assert.equal(parsePyInt('010', 0), undefined);
  assert.equal(parsePyInt('0_0_1', 0), undefined);
  assert.equal(parsePyInt('0_0', 0), 0n);
  assert.equal(parsePyInt('0x_1f', 0), 31n);
  assert.equal(parsePyInt('0'.repeat(N + 1), 0), 0n);
  assert.equal(parsePyInt(`${'0'.repeat(N)}_0`, 0), 0n);
  assert.equal(parsePyInt(`${'0'.repeat(N)}9`, 0), undefined);
  assert.equal(parsePyInt(`${'0'.repeat(N)}9`, 10), 9n);
});

test('float(): digits with an optional point and exponent, or nan and inf', () => {
  assert.equal(parsePyFloat(' 1_000.5 '), 1000.5);
  assert.equal(parsePyFloat('.5'), 0.5);
  assert.equal(parsePyFloat('5.'), 5);
  assert.equal(parsePyFloat('-1e-3'), -0.001);
  assert.equal(parsePyFloat('-inf'), -Infinity);
  for (const bad of ['.', '1e', 'e1', '1.e+', '+', '1.2.3', '1e5.0', '0x10']) assert.equal(parsePyFloat(bad), undefined, bad);
  assert.equal(parsePyFloat(`${'0'.repeat(N + 1)}\u0000`), undefined);
  assert.equal(parsePyFloat(`${'0'.repeat(N)}1.5e3`), 1500);
  assert.equal(parsePyFloat(`.${'0'.repeat(N)}`), 0);
});
