/**
 * The integer fast paths of the number representation (big integers as doubles when a double's
 * shortest decimal spells them; exact integer add, subtract and multiply on such doubles) held
 * against the general decimal path on seeded random integers around every boundary they use.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { addNumbers, BigNum, fromBigInt, fromDecimal, multiplyNumbers, parseDecimal, subtractNumbers, type RNumber } from './number.ts';

/** The exact integer an RNumber stands for, through its decimal text. */
function exact(n: RNumber): bigint {
  const d = parseDecimal(typeof n === 'number' ? String(n).replace('e+', 'e') : n.toString()) as { coef: bigint; exp: number };
  assert.ok(d.exp >= 0, `${String(n)} is an integer`);
  return d.coef * 10n ** BigInt(d.exp);
}

function same(got: RNumber, want: RNumber, what: string): void {
  if (typeof want === 'number') assert.equal(got, want, what);
  else {
    assert.ok(got instanceof BigNum, `${what}: ${String(got)} should be a BigNum`);
    assert.deepEqual([got.coef, got.exp], [want.coef, want.exp], what);
  }
}

/** Integers around the fast paths' boundaries: 2^53, nanosecond timestamps, 1e21, doubles' own decimals and their neighbours. */
function integers(n: number, seed: number): bigint[] {
  const r = seededRandom(seed);
  const digits = (k: number): bigint => {
    let s = String(1 + Math.floor(r() * 9));
    for (let i = 1; i < k; i++) s += String(Math.floor(r() * 10));
    return BigInt(s);
  };
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let v: bigint;
    switch (i % 6) {
      case 0: // a double's shortest decimal (canonical as a number)
        v = exact(Math.floor(2 ** (50 + r() * 22) * (1 + r())));
        break;
      case 1: // one off a double's decimal (usually a BigNum)
        v = exact(Math.floor(2 ** (53 + r() * 17) * (1 + r()))) + (r() < 0.5 ? 1n : -1n);
        break;
      case 2: // nanosecond timestamps, at millisecond and nanosecond precision
        v = BigInt(Math.floor(r() * 4e12)) * (r() < 0.5 ? 1_000_000n : 1n) + (r() < 0.5 ? 0n : BigInt(Math.floor(r() * 1e6)));
        break;
      case 3: // right around 1e21, where String(x) turns to exponent notation
        v = 10n ** 21n + BigInt(Math.floor((r() - 0.5) * 2 ** 22)) * 2n ** 18n;
        break;
      case 4: // right around 2^53
        v = 2n ** 53n + BigInt(Math.floor((r() - 0.5) * 64));
        break;
      default: // any number of digits
        v = digits(1 + Math.floor(r() * 30));
    }
    out.push(r() < 0.3 ? -v : v);
  }
  return out;
}

test('fromBigInt gives the canonical form the general decimal path gives', () => {
  let numbers = 0;
  let bigs = 0;
  for (const i of integers(30_000, 7)) {
    const got = fromBigInt(i);
    same(got, fromDecimal(i, 0), `fromBigInt(${i})`);
    if (typeof got === 'number') numbers++;
    else bigs++;
  }
  // Both outcomes are exercised, not just one of them.
  assert.ok(numbers > 5_000 && bigs > 5_000, `numbers ${numbers}, BigNums ${bigs}`);
});

test('integer add, subtract and multiply are exact on big doubles and agree with the decimal path', () => {
  const xs = integers(12_000, 11);
  const ys = integers(12_000, 13);
  for (let k = 0; k < xs.length; k++) {
    const a = fromBigInt(xs[k] as bigint);
    const b = fromBigInt(ys[k] as bigint);
    const [x, y] = [exact(a), exact(b)];
    same(addNumbers(a, b), fromDecimal(x + y, 0), `${String(a)} + ${String(b)}`);
    same(subtractNumbers(a, b), fromDecimal(x - y, 0), `${String(a)} - ${String(b)}`);
    same(multiplyNumbers(a, b), fromDecimal(x * y, 0), `${String(a)} * ${String(b)}`);
  }
});

test('a nanosecond age is exact: the difference of two timestamps as doubles is not rounded', () => {
  const now = fromBigInt(1_763_700_000_123_000_000n);
  const published = fromBigInt(1_700_000_000_000_000_001n);
  assert.ok(published instanceof BigNum);
  same(subtractNumbers(now, published), fromDecimal(63_700_000_122_999_999n, 0), 'age');
  // A double's own digits stand for themselves, not for its binary value (…064).
  same(subtractNumbers(fromBigInt(1_585_852_421_593_912_000n), 1), fromDecimal(1_585_852_421_593_911_999n, 0), 'minus one');
});
