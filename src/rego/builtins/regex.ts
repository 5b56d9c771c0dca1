/**
 * Regex builtins over RE2 syntax (parsed and translated by `re2.ts`), with Go's match iteration
 * semantics for find/split/replace and a bounded cache of compiled patterns. Matching takes
 * linear time, as in RE2: a pattern runs as a V8 RegExp where V8 can finish it on its own
 * linear-time engine, and on `re2-vm.ts` otherwise.
 */
import { setFlagsFromString } from 'node:v8';
import { Lru } from '../../core/index.ts';
import type { Value } from '../value.ts';
import { arg, arrayOf, builtinError, fn, int, str } from './args.ts';
import { globsIntersect } from './globs-intersect.ts';
import { emitJs, parseRe2, RegexSyntaxError, sameOnV8 } from './re2.ts';
import { compileRe2Program, type Re2Program, Re2TooCostly, type Re2Match } from './re2-vm.ts';
import type { BuiltinDecl } from './types.ts';

/*
 * RE2 guarantees linear-time matching; JavaScript backtracks, so a nested repetition such as
 * `(a+)+$` on an attacker-chosen package name could stall the gateway. V8 can switch a RegExp
 * to its linear-time engine once backtracking becomes excessive, for the patterns that engine
 * can run: non-u RegExps without lookahead whose repetition counts stay small. The first flag
 * turns that fallback on; the second lets `linearOnV8` ask V8 (with the `l` flag) whether a
 * pattern is one of them. Neither changes what any match finds. Both are process-wide and
 * idempotent.
 */
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--enable-experimental-regexp-engine');

/** Longest accepted pattern, in UTF-16 units. */
export const MAX_PATTERN_LENGTH = 64 * 1024;
/** Longest string a regex runs over: backtracking makes longer inputs a denial-of-service risk. */
export const MAX_REGEX_INPUT = 4 * 1024 * 1024;

export interface Compiled {
  /** Whether the pattern matches anywhere in `s`. */
  test(s: string): boolean;
  /** The leftmost-first match starting at or after `from` (a UTF-16 index), or null. */
  exec(s: string, from: number): Re2Match | null;
  /** Capture group names by group number (1-based); '' for unnamed groups. */
  readonly names: readonly string[];
}

/** Whether V8 can run this (non-u) source on its linear-time engine, and so fall back to it. */
function linearOnV8(source: string): boolean {
  try {
    new RegExp(source, 'l');
    return true;
  } catch {
    return false;
  }
}

interface Cached {
  readonly compiled: Compiled;
  /** Instructions of its linear-time program (0 while it runs on V8). */
  readonly instructions: number;
}

/** Instructions of a linear-time program that weigh as much in the cache as one pattern. */
const INSTRUCTIONS_PER_SLOT = 500;

/**
 * Compiled patterns by source. A pure memo of a deterministic function, shared by all
 * evaluations (compiling per call would dominate the cost of regex builtins), bounded in slots:
 * one a pattern, and one more per 500 instructions of its linear-time program. 512 slots hold
 * 512 patterns run on V8, or programs of about 250,000 instructions in all.
 */
const cache = new Lru<string, Cached>(512, (c) => 1 + Math.floor(c.instructions / INSTRUCTIONS_PER_SLOT));

function compileUncached(pattern: string): Cached {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexSyntaxError('expression too large', pattern.slice(0, 40));
  const syntax = parseRe2(pattern);
  const source = emitJs(syntax.node, syntax.unicode);
  let re: RegExp;
  try {
    re = new RegExp(source, syntax.unicode ? 'gu' : 'g');
  } catch {
    throw new RegexSyntaxError('invalid or unsupported Perl syntax', pattern);
  }
  const { names } = syntax;
  if (!syntax.unicode && sameOnV8(syntax.node) && linearOnV8(source)) {
    // V8 compiles a RegExp when it first runs, and may refuse it then ("Regular expression too
    // large"): the pattern then runs on the linear-time matcher instead.
    let program: Re2Program | null = null;
    const instead = (e: unknown): Re2Program => {
      if (!(e instanceof SyntaxError)) throw e;
      if (program === null) {
        program = compileRe2Program(syntax, pattern);
        // Still cached: weighed again with its program.
        if (cache.peek(pattern) === entry) cache.resize(pattern);
      }
      return program;
    };
    const compiled: Compiled = {
      names,
      test(s) {
        if (program !== null) return program.test(s);
        try {
          re.lastIndex = 0;
          return re.test(s);
        } catch (e) {
          return instead(e).test(s);
        }
      },
      exec(s, from) {
        if (program !== null) return program.exec(s, from);
        let m: RegExpExecArray | null;
        try {
          re.lastIndex = from;
          m = re.exec(s);
        } catch (e) {
          return instead(e).exec(s, from);
        }
        return m === null ? null : { index: m.index, end: m.index + m[0].length, groups: Array.from(m) };
      },
    };
    const entry: Cached = {
      compiled,
      get instructions() {
        return program?.size ?? 0;
      },
    };
    return entry;
  }
  const program = compileRe2Program(syntax, pattern);
  return { instructions: program.size, compiled: { names, test: (s) => program.test(s), exec: (s, from) => program.exec(s, from) } };
}

export function compileRe2(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit.compiled;
  const entry = compileUncached(pattern);
  cache.set(pattern, entry);
  return entry.compiled;
}

function compileFor(name: string, pattern: string): Compiled {
  try {
    return compileRe2(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw builtinError(name, e.message);
    throw e;
  }
}

function inputFor(name: string, s: string): string {
  if (s.length > MAX_REGEX_INPUT) throw builtinError(name, `input longer than ${MAX_REGEX_INPUT} characters`);
  return s;
}

function width(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

/** Go's allMatches: successive non-overlapping matches; empty matches right after a match are dropped. */
export function allMatches(c: Compiled, s: string, n: number): Re2Match[] {
  const out: Re2Match[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    const m = c.exec(s, pos);
    if (m === null) break;
    const start = m.index;
    const end = m.end;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      pos += pos < s.length ? width(s, pos) : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

function matches(args: readonly Value[]): Value {
  const c = compileFor('regex.match', str('regex.match', args, 0));
  const s = inputFor('regex.match', str('regex.match', args, 1));
  return c.test(s);
}

function split(args: readonly Value[]): Value {
  const pattern = str('regex.split', args, 0);
  const c = compileFor('regex.split', pattern);
  const s = inputFor('regex.split', str('regex.split', args, 1));
  if (s === '' && pattern !== '') return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of allMatches(c, s, -1)) {
    end = m.index;
    const mEnd = m.end;
    if (mEnd !== 0) out.push(s.slice(beg, end));
    beg = mEnd;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: Re2Match, names: readonly string[]): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(template.slice(i));
    if (ref === null) {
      out += '$';
      continue;
    }
    i += ref[0].length;
    const name = (ref[1] ?? ref[2]) as string;
    let num = -1;
    if (/^\d+$/.test(name) && name.length < 9) num = Number(name);
    if (num >= 0) out += m.groups[num] ?? '';
    else {
      const idx = names.indexOf(name);
      if (idx >= 0) out += m.groups[idx + 1] ?? '';
    }
  }
  return out;
}

/** Go's ReplaceAllString. */
function replace(args: readonly Value[]): Value {
  const s = inputFor('regex.replace', str('regex.replace', args, 0));
  const c = compileFor('regex.replace', str('regex.replace', args, 1));
  const repl = str('regex.replace', args, 2);
  let out = '';
  let lastEnd = 0;
  let search = 0;
  while (search <= s.length) {
    const m = c.exec(s, search);
    if (m === null) break;
    const a0 = m.index;
    const a1 = m.end;
    out += s.slice(lastEnd, a0);
    if (a1 > lastEnd || a0 === 0) out += expand(repl, m, c.names);
    lastEnd = a1;
    const w = search < s.length ? width(s, search) : 0;
    if (search + w > a1) search += w;
    else if (search + 1 > a1) search++;
    else search = a1;
  }
  return out + s.slice(lastEnd);
}

function findN(args: readonly Value[]): Value {
  const c = compileFor('regex.find_n', str('regex.find_n', args, 0));
  const s = inputFor('regex.find_n', str('regex.find_n', args, 1));
  const n = int('regex.find_n', args, 2);
  return allMatches(c, s, n).map((m) => m.groups[0] as string);
}

function findAllSubmatch(args: readonly Value[]): Value {
  const name = 'regex.find_all_string_submatch_n';
  const c = compileFor(name, str(name, args, 0));
  const s = inputFor(name, str(name, args, 1));
  const n = int(name, args, 2);
  return allMatches(c, s, n).map((m) => m.groups.map((g) => g ?? ''));
}

function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function templateMatch(args: readonly Value[]): Value {
  const name = 'regex.template_match';
  const tpl = str(name, args, 0);
  const s = inputFor(name, str(name, args, 1));
  const start = str(name, args, 2);
  const end = str(name, args, 3);
  if (Buffer.byteLength(start) !== 1) throw builtinError(name, `start delimiter has to be exactly one character long but is ${Buffer.byteLength(start)} long`);
  if (Buffer.byteLength(end) !== 1) throw builtinError(name, `end delimiter has to be exactly one character long but is ${Buffer.byteLength(start)} long`);
  // First-level delimiter positions.
  const idxs: number[] = [];
  let level = 0;
  let idx = 0;
  for (let i = 0; i < tpl.length; i++) {
    if (tpl[i] === start) {
      level++;
      if (level === 1) idx = i;
    } else if (tpl[i] === end) {
      level--;
      if (level === 0) idxs.push(idx, i + 1);
      else if (level < 0) throw builtinError(name, `unbalanced braces in ${JSON.stringify(tpl)}`);
    }
  }
  if (level !== 0) throw builtinError(name, `unbalanced braces in ${JSON.stringify(tpl)}`);
  let pattern = '^';
  let last = 0;
  for (let i = 0; i < idxs.length; i += 2) {
    const raw = tpl.slice(last, idxs[i]);
    last = idxs[i + 1] as number;
    const part = tpl.slice((idxs[i] as number) + 1, last - 1);
    compileFor(name, `^${part}$`);
    pattern += `${quoteMeta(raw)}(${part})`;
  }
  pattern += `${quoteMeta(tpl.slice(last))}$`;
  return compileFor(name, pattern).test(s);
}

/**
 * A builtin whose search may stop for its cost (`Re2TooCostly`, from the linear-time matcher's
 * step bound) or find its pattern too large only when it first runs (a pattern V8 refused when
 * it compiled it, too large for the matcher too), reporting either as the builtin's error.
 */
function bounded(name: string, impl: (args: readonly Value[]) => Value): (args: readonly Value[]) => Value {
  return (args) => {
    try {
      return impl(args);
    } catch (e) {
      if (e instanceof Re2TooCostly || e instanceof RegexSyntaxError) throw builtinError(name, e.message);
      throw e;
    }
  };
}

export const REGEX_BUILTINS: readonly BuiltinDecl[] = [
  fn('regex.is_valid', ['string'], 'boolean', (args) => {
    const p = arg(args, 0);
    if (typeof p !== 'string') return false;
    try {
      compileRe2(p);
      return true;
    } catch (e) {
      if (e instanceof RegexSyntaxError) return false;
      throw e;
    }
  }),
  fn('regex.match', ['string', 'string'], 'boolean', bounded('regex.match', matches)),
  { ...fn('re_match', ['string', 'string'], 'boolean', bounded('re_match', matches)), deprecated: true },
  fn('regex.split', ['string', 'string'], arrayOf('string'), bounded('regex.split', split)),
  fn('regex.replace', ['string', 'string', 'string'], 'string', bounded('regex.replace', replace)),
  fn('regex.find_n', ['string', 'string', 'number'], arrayOf('string'), bounded('regex.find_n', findN)),
  fn('regex.find_all_string_submatch_n', ['string', 'string', 'number'], arrayOf(arrayOf('string')), bounded('regex.find_all_string_submatch_n', findAllSubmatch)),
  fn('regex.template_match', ['string', 'string', 'string', 'string'], 'boolean', bounded('regex.template_match', templateMatch)),
  fn('regex.globs_match', ['string', 'string'], 'boolean', (args) => {
    const a = str('regex.globs_match', args, 0);
    const b = str('regex.globs_match', args, 1);
    try {
      return globsIntersect(a, b);
    } catch (e) {
      if (e instanceof Error && e.name === 'GlobSyntaxError') throw builtinError('regex.globs_match', e.message);
      throw e;
    }
  }),
];
