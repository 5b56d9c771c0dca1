/** Array builtins: concat, slice, reverse, flatten. */
import type { RArray, Value } from '../value.ts';
import { array, arrayOf, fn, int } from './args.ts';
import type { BuiltinDecl } from './types.ts';

const ARR = arrayOf('any');

function flatten(args: readonly Value[]): Value {
  const a = array('array.flatten', args, 0);
  const out: Value[] = [];
  for (const x of a) {
    if (Array.isArray(x)) for (const y of x as RArray) out.push(y);
    else out.push(x);
  }
  return out;
}

export const ARRAY_BUILTINS: readonly BuiltinDecl[] = [
  fn('array.concat', [ARR, ARR], ARR, (args) => {
    const a = array('array.concat', args, 0);
    const b = array('array.concat', args, 1);
    if (b.length === 0) return a;
    if (a.length === 0) return b;
    return a.concat(b);
  }),
  fn('array.slice', [ARR, 'number', 'number'], ARR, (args) => {
    const a = array('array.slice', args, 0);
    let start = int('array.slice', args, 1);
    let stop = int('array.slice', args, 2);
    if (stop < 0) stop = 0;
    else if (stop > a.length) stop = a.length;
    if (start < 0) start = 0;
    else if (start > stop) start = stop;
    return start === 0 && stop === a.length ? a : a.slice(start, stop);
  }),
  fn('array.reverse', [ARR], ARR, (args) => array('array.reverse', args, 0).slice().reverse()),
  fn('array.flatten', [ARR], ARR, flatten),
];
