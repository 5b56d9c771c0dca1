/**
 * The binary float emulation checked against an independent oracle: at 53 bits of precision
 * it must reproduce IEEE-754 double arithmetic (JavaScript's + * /) and JavaScript's shortest
 * decimal representation exactly; at 64 bits it must give OPA's answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binAdd, binFromDecimal, binMul, binQuo, binSub, binToDecimal, type BinFloat } from './binary-float.ts';
import { divideNumbers, formatNumber, multiplyNumbers, parseDecimal, parseNumber, type RNumber } from './number.ts';

function fromDouble(x: number, prec: number): BinFloat {
  const d = parseDecimal(String(x).replace('e+', 'e')) as { coef: bigint; exp: number };
  return binFromDecimal(d.coef, d.exp, prec);
}

function toDouble(b: BinFloat): number {
  const d = binToDecimal(b);
  return Number(`${d.coef}e${d.exp}`);
}

/** Deterministic pseudo-random doubles over a wide range of magnitudes. */
function* doubles(n: number): Generator<number> {
  let s = 0x2545f491;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const mant = next() * 2 - 1;
    const exp = Math.floor(next() * 80) - 40;
    yield mant * 10 ** exp;
  }
}

test('53-bit emulation reproduces IEEE double + - * /', () => {
  const xs = [...doubles(400)];
  for (let i = 0; i + 1 < xs.length; i++) {
    const a = xs[i] as number;
    const b = xs[i + 1] as number;
    const fa = fromDouble(a, 53);
    const fb = fromDouble(b, 53);
    assert.equal(toDouble(binAdd(fa, fb)), a + b, `${a} + ${b}`);
    assert.equal(toDouble(binSub(fa, fb)), a - b, `${a} - ${b}`);
    assert.equal(toDouble(binMul(fa, fb)), a * b, `${a} * ${b}`);
    if (b !== 0) assert.equal(toDouble(binQuo(fa, fb)), a / b, `${a} / ${b}`);
  }
});

test('53-bit shortest decimal equals JavaScript String(x)', () => {
  for (const x of doubles(2000)) {
    const d = binToDecimal(fromDouble(x, 53));
    assert.equal(Number(`${d.coef}e${d.exp}`), x);
    const digits = (d.coef < 0n ? -d.coef : d.coef).toString();
    const js = String(Math.abs(x)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    assert.equal(digits.replace(/0+$/, ''), js, `digits of ${x}`);
  }
});

test('64-bit results match OPA', () => {
  const cases: [RNumber, RNumber, string][] = [
    [1, 3, '0.33333333333333333334'],
    [2, 3, '0.6666666666666666667'],
    [1, 7, '0.14285714285714285714'],
    [10, 4, '2.5'],
    [parseNumber('1e3') as RNumber, 8, '125'],
  ];
  for (const [a, b, want] of cases) assert.equal(formatNumber(divideNumbers(a, b)), want, `${formatNumber(a)} / ${formatNumber(b)}`);
  assert.equal(formatNumber(multiplyNumbers(3.3, 3)), '9.9');
  assert.equal(formatNumber(multiplyNumbers(0.1, 3)), '0.3');
});
