/** String builtins: search, split, replace, case, trimming, affixes. */
import { isInteger, toBigInt, toDecimal } from '../number.ts';
import { RSet, type Value } from '../value.ts';
import {
  anyOf,
  arg,
  arrayOf,
  builtinError,
  elementError,
  fn,
  int,
  num,
  obj,
  operandError,
  setOf,
  str,
  stringSlice,
  typeError,
} from './args.ts';
import type { BuiltinDecl } from './types.ts';
import {
  goCount,
  goLower,
  goReplaceAll,
  goReplacer,
  goSplit,
  goUpper,
  isAscii,
  reverseRunes,
  runeIndex,
  runes,
  trimCutset,
  trimSpace,
} from './unicode.ts';

function concat(args: readonly Value[]): Value {
  const sep = str('concat', args, 0);
  const coll = arg(args, 1);
  let items: readonly Value[];
  if (Array.isArray(coll)) items = coll as readonly Value[];
  else if (coll instanceof RSet) items = coll.values();
  else throw typeError('concat', 2, coll, 'set', 'array');
  if (items.length === 1 && typeof items[0] === 'string') return items[0];
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const s = items[i] as Value;
    if (typeof s !== 'string') throw elementError('concat', 2, coll, s, 'string');
    out = i === 0 ? s : out + sep + s;
  }
  return out;
}

function searchOperands(name: string, args: readonly Value[]): [string, string] {
  const base = str(name, args, 0);
  const search = str(name, args, 1);
  if (search === '') throw builtinError(name, 'empty search character');
  return [base, search];
}

function indexOf(args: readonly Value[]): Value {
  const [base, search] = searchOperands('indexof', args);
  const i = base.indexOf(search);
  return i < 0 ? -1 : runeIndex(base, i);
}

function indexOfN(args: readonly Value[]): Value {
  const [base, search] = searchOperands('indexof_n', args);
  const out: number[] = [];
  let i = base.indexOf(search);
  while (i >= 0) {
    out.push(runeIndex(base, i));
    const cp = base.codePointAt(i) as number;
    i = base.indexOf(search, i + (cp > 0xffff ? 2 : 1));
  }
  return out;
}

function substring(args: readonly Value[]): Value {
  const base = str('substring', args, 0);
  const start = int('substring', args, 1);
  const length = int('substring', args, 2);
  if (start < 0) throw builtinError('substring', 'negative offset');
  if (isAscii(base)) {
    if (start >= base.length) return '';
    return length < 0 ? base.slice(start) : base.slice(start, start + length);
  }
  const rs = runes(base);
  if (start >= rs.length) return '';
  return (length < 0 ? rs.slice(start) : rs.slice(start, start + length)).join('');
}

function formatInt(args: readonly Value[]): Value {
  const n = num('format_int', args, 0);
  const base = num('format_int', args, 1);
  const radix = base === 2 || base === 8 || base === 10 || base === 16 ? base : null;
  if (radix === null) throw operandError('format_int', 2, 'must be one of {2, 8, 10, 16}');
  let i: bigint;
  if (isInteger(n)) i = toBigInt(n) as bigint;
  else {
    const d = toDecimal(n); // truncate toward zero
    i = d.coef / 10n ** BigInt(-d.exp);
  }
  return i.toString(radix);
}

function splitN(args: readonly Value[]): Value {
  const s = str('strings.split_n', args, 0);
  const sep = str('strings.split_n', args, 1);
  const n = int('strings.split_n', args, 2);
  if (n >= 0) {
    // strings.SplitN(s, sep, n+1), keeping the first n parts.
    const parts = goSplit(s, sep);
    if (parts.length <= n) return parts;
    return parts.slice(0, n);
  }
  const parts = goSplit(s, sep);
  return parts.slice(Math.max(parts.length + n, 0));
}

function replaceN(args: readonly Value[]): Value {
  const patterns = obj('strings.replace_n', args, 0);
  const s = str('strings.replace_n', args, 1);
  const pairs: [string, string][] = [];
  let bad: string | null = null;
  patterns.forEach((k, v) => {
    if (typeof k !== 'string') {
      bad = 'non-string key found in pattern object';
      return false;
    }
    if (typeof v !== 'string') {
      bad = 'non-string value found in pattern object';
      return false;
    }
    pairs.push([k, v]);
    return true;
  });
  if (bad !== null) throw operandError('strings.replace_n', 1, bad);
  return goReplacer(s, pairs);
}

function affixOperand(name: string, args: readonly Value[], i: number): string[] {
  const v = arg(args, i);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof RSet) return stringSlice(name, args, i);
  throw typeError(name, i + 1, v, 'string', 'set', 'array');
}

function anyAffixMatch(name: string, suffix: boolean) {
  return (args: readonly Value[]): Value => {
    const strs = affixOperand(name, args, 0);
    const affixes = affixOperand(name, args, 1);
    for (const s of strs) {
      for (const a of affixes) if (suffix ? s.endsWith(a) : s.startsWith(a)) return true;
    }
    return false;
  };
}

function s1(name: string, f: (s: string) => Value): BuiltinDecl {
  return fn(name, ['string'], 'string', (args) => f(str(name, args, 0)));
}

function s2(name: string, result: 'string' | 'boolean' | 'number', f: (a: string, b: string) => Value): BuiltinDecl {
  return fn(name, ['string', 'string'], result, (args) => f(str(name, args, 0), str(name, args, 1)));
}

const STRINGS = anyOf('string', arrayOf('string'), setOf('string'));

export const STRING_BUILTINS: readonly BuiltinDecl[] = [
  fn('concat', ['string', anyOf(arrayOf('string'), setOf('string'))], 'string', concat),
  // Hot in gateway policies: written out so each call site stays monomorphic.
  fn('contains', ['string', 'string'], 'boolean', (args) => {
    const a = args[0];
    const b = args[1];
    if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
    return str('contains', args, 0).includes(str('contains', args, 1));
  }),
  fn('startswith', ['string', 'string'], 'boolean', (args) => {
    const a = args[0];
    const b = args[1];
    if (typeof a === 'string' && typeof b === 'string') return a.startsWith(b);
    return str('startswith', args, 0).startsWith(str('startswith', args, 1));
  }),
  fn('endswith', ['string', 'string'], 'boolean', (args) => {
    const a = args[0];
    const b = args[1];
    if (typeof a === 'string' && typeof b === 'string') return a.endsWith(b);
    return str('endswith', args, 0).endsWith(str('endswith', args, 1));
  }),
  fn('format_int', ['number', 'number'], 'string', formatInt),
  fn('indexof', ['string', 'string'], 'number', indexOf),
  fn('indexof_n', ['string', 'string'], arrayOf('number'), indexOfN),
  s1('lower', goLower),
  s1('upper', goUpper),
  fn('replace', ['string', 'string', 'string'], 'string', (args) =>
    goReplaceAll(str('replace', args, 0), str('replace', args, 1), str('replace', args, 2)),
  ),
  fn('strings.replace_n', [{ objectOf: { key: 'string', value: 'string' } }, 'string'], 'string', replaceN),
  fn('split', ['string', 'string'], arrayOf('string'), (args) => goSplit(str('split', args, 0), str('split', args, 1))),
  fn('strings.split_n', ['string', 'string', 'number'], arrayOf('string'), splitN),
  fn('substring', ['string', 'number', 'number'], 'string', substring),
  s2('trim', 'string', (a, b) => trimCutset(a, b, true, true)),
  s2('trim_left', 'string', (a, b) => trimCutset(a, b, true, false)),
  s2('trim_right', 'string', (a, b) => trimCutset(a, b, false, true)),
  s2('trim_prefix', 'string', (a, b) => (a.startsWith(b) ? a.slice(b.length) : a)),
  s2('trim_suffix', 'string', (a, b) => (b !== '' && a.endsWith(b) ? a.slice(0, a.length - b.length) : a)),
  s1('trim_space', trimSpace),
  fn('strings.any_prefix_match', [STRINGS, STRINGS], 'boolean', anyAffixMatch('strings.any_prefix_match', false)),
  fn('strings.any_suffix_match', [STRINGS, STRINGS], 'boolean', anyAffixMatch('strings.any_suffix_match', true)),
  s2('strings.count', 'number', goCount),
  s1('strings.reverse', reverseRunes),
];
