/** `numbers.range`, `numbers.range_step` and `rand.intn`. */
import { fromBigInt } from '../number.ts';
import type { Value } from '../value.ts';
import { arrayOf, bigint, builtinError, fn, int, str } from './args.ts';
import type { BuiltinContext, BuiltinDecl } from './types.ts';

/** Longest range a call may build: a bigger one is a denial of service, not a policy. */
export const MAX_RANGE_LENGTH = 1_000_000;

function range(name: string, from: bigint, to: bigint, step: bigint): Value {
  const span = from <= to ? to - from : from - to;
  if (span / step + 1n > BigInt(MAX_RANGE_LENGTH)) {
    throw builtinError(name, `range of more than ${MAX_RANGE_LENGTH} numbers`);
  }
  const out: Value[] = [];
  if (from >= -9007199254740991n && to <= 9007199254740991n && to >= -9007199254740991n && from <= 9007199254740991n) {
    const a = Number(from);
    const b = Number(to);
    const s = Number(step);
    if (a <= b) for (let i = a; i <= b; i += s) out.push(i);
    else for (let i = a; i >= b; i -= s) out.push(i);
    return out;
  }
  if (from <= to) for (let i = from; i <= to; i += step) out.push(fromBigInt(i));
  else for (let i = from; i >= to; i -= step) out.push(fromBigInt(i));
  return out;
}

function randIntn(args: readonly Value[], ctx: BuiltinContext): Value {
  const seed = str('rand.intn', args, 0);
  let n = int('rand.intn', args, 1);
  if (n === 0) return 0;
  if (n < 0) n = -n;
  ctx.volatile?.();
  const key = `rand.intn:${seed}-${n}`;
  const cached = ctx.cache.get(key);
  if (typeof cached === 'number') return cached;
  const r = Math.floor(Math.random() * n);
  ctx.cache.set(key, r);
  return r;
}

export const NUMBER_BUILTINS: readonly BuiltinDecl[] = [
  fn('numbers.range', ['number', 'number'], arrayOf('number'), (args) =>
    range('numbers.range', bigint('numbers.range', args, 0), bigint('numbers.range', args, 1), 1n),
  ),
  fn('numbers.range_step', ['number', 'number', 'number'], arrayOf('number'), (args) => {
    const from = bigint('numbers.range_step', args, 0);
    const to = bigint('numbers.range_step', args, 1);
    const step = bigint('numbers.range_step', args, 2);
    if (step <= 0n) throw builtinError('numbers.range_step', 'step must be a positive integer');
    return range('numbers.range_step', from, to, step);
  }),
  fn('rand.intn', ['string', 'number'], 'number', randIntn, true),
];
