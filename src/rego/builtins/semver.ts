/** `semver.compare` and `semver.is_valid`, with the parser OPA uses (an optional `v` prefix is accepted). */
import type { Value } from '../value.ts';
import { arg, builtinError, fn, str } from './args.ts';
import { goQuote } from './term-text.ts';
import type { BuiltinDecl } from './types.ts';

export interface SemVer {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly meta: string;
}

const IDENT = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const GO_INT = /^[+-]?\d+$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function parseInt64(s: string): bigint | null {
  if (!GO_INT.test(s)) return null;
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

export function parseSemVer(text: string): SemVer | null {
  let version = text.startsWith('v') ? text.slice(1) : text;
  let meta: string;
  let pre: string;
  [version, meta] = cut(version, '+');
  if (meta !== '' && !IDENT.test(meta)) return null;
  [version, pre] = cut(version, '-');
  if (pre !== '' && !IDENT.test(pre)) return null;
  const parts = version.split('.');
  if (parts.length !== 3) return null;
  const [major, minor, patch] = parts.map(parseInt64);
  if (major == null || minor == null || patch == null) return null;
  return { major, minor, patch, pre, meta };
}

function isDecimal(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] > b[k] ? 1 : -1;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  let [x, restA] = cut(a.pre, '.');
  let [y, restB] = cut(b.pre, '.');
  for (;;) {
    if (x === '' && y !== '') return -1;
    if (x !== '' && y === '') return 1;
    const xi = isDecimal(x);
    const yi = isDecimal(y);
    if (xi && !yi) return -1;
    if (!xi && yi) return 1;
    if (xi && yi) {
      const p = BigInt(x);
      const q = BigInt(y);
      if (p !== q) return p > q ? 1 : -1;
    } else if (x !== y) return x > y ? 1 : -1;
    if (restA !== '' && restB === '') return 1;
    if (restA === '' && restB !== '') return -1;
    [x, restA] = cut(restA, '.');
    [y, restB] = cut(restB, '.');
    if (x === '' && y === '') return 0;
  }
}

export const SEMVER_BUILTINS: readonly BuiltinDecl[] = [
  fn('semver.compare', ['string', 'string'], 'number', (args) => {
    const a = str('semver.compare', args, 0);
    const b = str('semver.compare', args, 1);
    const va = parseSemVer(a);
    if (va === null) throw builtinError('semver.compare', `operand 1: string ${goQuote(a)} is not a valid SemVer`);
    const vb = parseSemVer(b);
    if (vb === null) throw builtinError('semver.compare', `operand 2: string ${goQuote(b)} is not a valid SemVer`);
    return compareSemVer(va, vb);
  }),
  fn('semver.is_valid', ['any'], 'boolean', (args) => {
    const v: Value = arg(args, 0);
    return typeof v === 'string' && parseSemVer(v) !== null;
  }),
];
