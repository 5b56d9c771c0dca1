/** Bitwise builtins on integers of any size (two's complement semantics, like Go's big.Int). */
import { fromBigInt } from '../number.ts';
import type { Value } from '../value.ts';
import { bigint, builtinError, fn, int, operandError } from './args.ts';
import type { BuiltinDecl } from './types.ts';

/** Largest shift accepted: beyond, the result is a denial of service rather than a number. */
export const MAX_SHIFT = 1 << 16;

function binary(name: string, op: (a: bigint, b: bigint) => bigint): BuiltinDecl {
  return fn(name, ['number', 'number'], 'number', (args) => fromBigInt(op(bigint(name, args, 0), bigint(name, args, 1))));
}

function shift(name: string, left: boolean) {
  return (args: readonly Value[]): Value => {
    const x = bigint(name, args, 0);
    const n = int(name, args, 1);
    if (n < 0) throw operandError(name, 2, 'must be an unsigned integer number but got a negative integer');
    if (n > MAX_SHIFT) throw builtinError(name, `shift by more than ${MAX_SHIFT} bits`);
    return fromBigInt(left ? x << BigInt(n) : x >> BigInt(n));
  };
}

export const BITS_BUILTINS: readonly BuiltinDecl[] = [
  binary('bits.and', (a, b) => a & b),
  binary('bits.or', (a, b) => a | b),
  binary('bits.xor', (a, b) => a ^ b),
  fn('bits.negate', ['number'], 'number', (args) => fromBigInt(~bigint('bits.negate', args, 0))),
  fn('bits.lsh', ['number', 'number'], 'number', shift('bits.lsh', true)),
  fn('bits.rsh', ['number', 'number'], 'number', shift('bits.rsh', false)),
];
