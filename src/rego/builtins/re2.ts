/**
 * Go (RE2) regular expression syntax: parsed into a small tree (`Re2Node`), rejecting what RE2
 * rejects with Go's error text, and translated to an equivalent JavaScript `RegExp` source.
 * Patterns are emitted for a non-`u` RegExp (astral characters as surrogate pairs, sets that
 * never split a pair) unless they use Unicode property classes (`\pL`), which need `u` mode.
 *
 * Differences handled: `(?P<name>…)` names, `(?i)`/`(?m)`/`(?s)`/`(?U)` flags anywhere (also
 * mid-group), `\A` `\z` `\Q…\E`, POSIX classes `[[:alpha:]]`, Go's `\s` set, `.` not matching
 * only `\n`, `^`/`$` multi-line semantics (a line ends at `\n` only, not at `\r` or U+2028 as in
 * JavaScript), octal escapes, a literal `]` first in a class, a literal `{` that starts no
 * repetition, repeat counts capped at 1000. Backreferences and lookaround are errors, as in RE2.
 *
 * JavaScript matches by backtracking, RE2 in linear time: regex.ts runs a translated pattern
 * on V8 only where V8 can fall back to its linear-time engine, and on `re2-vm.ts` (a
 * linear-time matcher over the same tree) otherwise.
 */
import { ownMember } from '../../core/index.ts';
import { bmpLiteral, bmpSet, caseClosure, complement, DIGIT, foldOrbit, GO_SPACE, POSIX, type Range, uSet, WORD } from './re2-charset.ts';


export class RegexSyntaxError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'RegexSyntaxError';
  }
}

/** Where an empty-width assertion holds: text or line boundaries (Go's `(?m)`), ASCII word boundaries. */
export type Re2Assertion = 'text-start' | 'text-end' | 'line-start' | 'line-end' | 'word' | 'not-word';

/**
 * A parsed pattern. A `set` matches one character: its code point ranges or (u mode only) its
 * `props`, JavaScript class escapes such as `\p{L}`, negated as a whole. A `group` with capture
 * 0 only groups (flag groups, repetition operands); `repeat` has max -1 for no upper bound.
 */
export type Re2Node =
  | { readonly kind: 'lit'; readonly cp: number }
  | { readonly kind: 'set'; readonly ranges: readonly Range[]; readonly negated: boolean; readonly props: string }
  | { readonly kind: 'assert'; readonly at: Re2Assertion }
  | { readonly kind: 'cat'; readonly items: readonly Re2Node[] }
  | { readonly kind: 'alt'; readonly items: readonly Re2Node[] }
  | { readonly kind: 'group'; readonly capture: number; readonly body: Re2Node }
  | { readonly kind: 'repeat'; readonly body: Re2Node; readonly min: number; readonly max: number; readonly greedy: boolean };

export interface Re2Syntax {
  readonly node: Re2Node;
  /** Uses Unicode property classes: the JavaScript form needs the `u` flag. */
  readonly unicode: boolean;
  /** Capture group names by group number (1-based); '' for unnamed groups. */
  readonly names: readonly string[];
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
/** Groups nested in groups, as Go's parser allows (its error past that is kept). */
const MAX_NESTING = 1000;
const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
/** \d \s \w with Go's (ASCII) meaning. */
const PERL_CLASSES: Readonly<Record<string, readonly Range[]>> = { d: DIGIT, s: GO_SPACE, w: WORD };

const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co'.split(' '),
);

function uLiteral(c: number): string {
  const ch = String.fromCodePoint(c);
  if (JS_SYNTAX.has(ch)) return `\\${ch}`;
  if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) return `\\u{${c.toString(16)}}`;
  return ch;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

class Parser {
  private pos = 0;
  private readonly names: string[] = [];
  private readonly src: string;
  private readonly unicode: boolean;
  /** Case-insensitive matching for the atom being parsed (folded into the atom itself). */
  private fold = false;

  constructor(src: string, unicode: boolean) {
    this.src = src;
    this.unicode = unicode;
  }

  parse(): Re2Syntax {
    const node = this.alternation({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.src.length) throw new RegexSyntaxError('unexpected )', this.src);
    return { node, unicode: this.unicode, names: this.names };
  }

  private literal(c: number): Re2Node {
    if (this.fold) {
      const orbit = foldOrbit(c);
      if (orbit.length > 1) return set(orbit.map((x) => [x, x] as const), false);
    }
    return { kind: 'lit', cp: c };
  }

  private peek(off = 0): string | undefined {
    return this.src[this.pos + off];
  }

  /** Alternatives until ')' or end. Flags set inside last until the end of the group. */
  private alternation(entry: Flags, depth: number): Re2Node {
    if (depth > MAX_NESTING) throw new RegexSyntaxError('expression nests too deeply', this.src);
    const flags = { ...entry };
    const alts: Re2Node[] = [];
    for (;;) {
      alts.push(this.sequence(flags, depth));
      if (this.peek() === '|') {
        this.pos++;
        continue;
      }
      break;
    }
    return alts.length === 1 ? (alts[0] as Re2Node) : { kind: 'alt', items: alts };
  }

  private sequence(flags: Flags, depth: number): Re2Node {
    const out: Re2Node[] = [];
    let lastAtom: Re2Node | null = null;
    let lastRepeat: string | null = null;
    const flush = (): void => {
      if (lastAtom !== null) out.push(lastAtom);
      lastAtom = null;
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === '|' || c === ')') break;
      const rep = this.repetition(flags);
      if (rep !== null) {
        if (lastRepeat !== null) throw new RegexSyntaxError('invalid nested repetition operator', lastRepeat + rep.text);
        if (lastAtom === null) throw new RegexSyntaxError('missing argument to repetition operator', rep.text);
        const node: Re2Node = { kind: 'repeat', body: lastAtom, min: rep.min, max: rep.max, greedy: rep.greedy };
        // Go checks only counts of 2 or more, which keeps its walks of the tree below linear.
        if ((rep.min >= 2 || rep.max >= 2) && !repeatIsValid(node, MAX_REPEAT)) throw new RegexSyntaxError('invalid repeat count', rep.text);
        out.push(node);
        lastAtom = null;
        lastRepeat = rep.text;
        continue;
      }
      lastRepeat = null;
      flush();
      if (c === '\\' && this.peek(1) === 'Q') {
        // \Q…\E: literal runes, a following repetition applies to the last one only.
        this.fold = flags.i;
        const end = this.src.indexOf('\\E', this.pos + 2);
        const text = Array.from(this.src.slice(this.pos + 2, end < 0 ? undefined : end));
        this.pos = end < 0 ? this.src.length : end + 2;
        const last = text.pop();
        for (const ch of text) out.push(this.literal(ch.codePointAt(0) as number));
        if (last !== undefined) lastAtom = this.literal(last.codePointAt(0) as number);
        continue;
      }
      if (c === '(' && this.peek(1) === '?' && this.isFlagGroup()) {
        const before = { ...flags };
        if (this.flagGroup(flags)) {
          // (?flags:re): the flags apply inside only.
          const inner = { ...flags };
          Object.assign(flags, before);
          lastAtom = { kind: 'group', capture: 0, body: this.alternation(inner, depth + 1) };
          this.expect(')');
        }
        continue;
      }
      lastAtom = this.atom(flags, depth);
    }
    flush();
    return out.length === 1 ? (out[0] as Re2Node) : { kind: 'cat', items: out };
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw new RegexSyntaxError('missing closing )', this.src);
    this.pos++;
  }

  private isFlagGroup(): boolean {
    return /^[imsU-]*[:)]/.test(this.src.slice(this.pos + 2));
  }

  /** Parses (?flags) or (?flags: and updates flags; returns true for the scoped form. */
  private flagGroup(flags: Flags): boolean {
    const start = this.pos;
    this.pos += 2;
    let neg = false;
    let sawFlag = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RegexSyntaxError('missing closing )', this.src);
      if (c === ':' || c === ')') {
        if (neg && !sawFlag) {
          throw new RegexSyntaxError('invalid or unsupported Perl syntax', this.src.slice(start, this.pos + 1));
        }
        this.pos++;
        return c === ':';
      }
      if (c === '-') {
        if (neg) throw new RegexSyntaxError('invalid or unsupported Perl syntax', this.src.slice(start, this.pos + 1));
        neg = true;
        sawFlag = false;
      } else if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        flags[c] = !neg;
        sawFlag = true;
      } else throw new RegexSyntaxError('invalid or unsupported Perl syntax', this.src.slice(start, this.pos + 1));
      this.pos++;
    }
  }

  private repetition(flags: Flags): { min: number; max: number; greedy: boolean; text: string } | null {
    const start = this.pos;
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : -1;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m === null) return null;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? -1 : Number(m[3]);
      if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo)) throw new RegexSyntaxError('invalid repeat count', m[0]);
      this.pos += m[0].length;
      min = lo;
      max = hi;
    } else return null;
    let lazy = false;
    if (this.peek() === '?') {
      this.pos++;
      lazy = true;
    }
    if (flags.U) lazy = !lazy;
    return { min, max, greedy: !lazy, text: this.src.slice(start, this.pos) };
  }

  private atom(flags: Flags, depth: number): Re2Node {
    const c = this.src[this.pos] as string;
    this.fold = flags.i;
    switch (c) {
      case '(':
        return this.group(flags, depth);
      case '[':
        return this.charClass();
      case '.':
        this.pos++;
        return flags.s ? set([], true) : set([[0x0a, 0x0a]], true);
      case '^':
        this.pos++;
        return { kind: 'assert', at: flags.m ? 'line-start' : 'text-start' };
      case '$':
        this.pos++;
        return { kind: 'assert', at: flags.m ? 'line-end' : 'text-end' };
      case '\\':
        return this.escape();
      default: {
        const cp = this.src.codePointAt(this.pos) as number;
        this.pos += cp > 0xffff ? 2 : 1;
        return this.literal(cp);
      }
    }
  }

  private group(flags: Flags, depth: number): Re2Node {
    const start = this.pos;
    this.pos++;
    let capture = -1;
    if (this.peek() === '?') {
      const rest = this.src.slice(this.pos + 1);
      const named = /^P?<([^>]*)>/.exec(rest);
      if (named !== null && !(rest.startsWith('<=') || rest.startsWith('<!'))) {
        const name = named[1] as string;
        if (name === '' || !/^[A-Za-z0-9_]+$/.test(name)) {
          throw new RegexSyntaxError('invalid named capture', this.src.slice(start, this.pos + 1 + named[0].length));
        }
        this.pos += 1 + named[0].length;
        this.names.push(name);
      } else if (rest.startsWith(':')) {
        this.pos += 2;
        capture = 0;
      } else {
        const m = /^(P?<?[=!]?)/.exec(rest);
        throw new RegexSyntaxError('invalid or unsupported Perl syntax', `(?${(m?.[1] ?? '') || (rest[0] ?? '')}`);
      }
    } else this.names.push('');
    if (capture < 0) capture = this.names.length;
    const body = this.alternation(flags, depth + 1);
    if (this.peek() !== ')') throw new RegexSyntaxError('missing closing )', this.src);
    this.pos++;
    return { kind: 'group', capture, body };
  }

  private escape(): Re2Node {
    const start = this.pos;
    const c = this.src[this.pos + 1];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression', '');
    switch (c) {
      case 'A':
        this.pos += 2;
        return { kind: 'assert', at: 'text-start' };
      case 'z':
        this.pos += 2;
        return { kind: 'assert', at: 'text-end' };
      case 'b':
      case 'B':
        this.pos += 2;
        return { kind: 'assert', at: c === 'b' ? 'word' : 'not-word' };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        this.pos += 2;
        return set(PERL_CLASSES[c.toLowerCase()] as readonly Range[], c !== c.toLowerCase());
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos + 2);
        const text = this.src.slice(this.pos + 2, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return { kind: 'cat', items: Array.from(text, (ch) => this.literal(ch.codePointAt(0) as number)) };
      }
      case 'p':
      case 'P':
        return set([], false, this.unicodeClass());
      default: {
        const cp = this.escapedChar();
        if (cp === null) throw new RegexSyntaxError('invalid escape sequence', this.src.slice(start, this.pos));
        return this.literal(cp);
      }
    }
  }

  /** A single-character escape (after '\'): returns the code point, or null if invalid. */
  private escapedChar(): number | null {
    const start = this.pos;
    this.pos++;
    const c = this.src[this.pos];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression', '');
    this.pos++;
    switch (c) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 't':
        return 9;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 'v':
        return 11;
      case 'x': {
        const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.pos));
        if (braced !== null) {
          const v = parseInt(braced[1] as string, 16);
          this.pos += braced[0].length;
          return v > 0x10ffff ? null : v;
        }
        const two = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.pos));
        if (two === null) {
          this.pos = Math.min(this.src.length, start + 4);
          return null;
        }
        this.pos += 2;
        return parseInt(two[0], 16);
      }
      default:
        break;
    }
    if (c >= '0' && c <= '7') {
      if (c !== '0' && !/[0-7]/.test(this.src[this.pos] ?? '')) return null; // backreference
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(this.src[this.pos] ?? '')) {
        digits += this.src[this.pos];
        this.pos++;
      }
      return parseInt(digits, 8);
    }
    const cp = c.codePointAt(0) as number;
    if (cp < 0x80 && !isWordChar(c)) return cp; // escaped punctuation
    return null;
  }

  /** A `\p` or `\P` class as JavaScript class escapes ('' for none). */
  private unicodeClass(): string {
    const start = this.pos;
    const negated = this.src[this.pos + 1] === 'P';
    this.pos += 2;
    let name: string;
    if (this.peek() === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) throw new RegexSyntaxError('invalid character class range', this.src.slice(start));
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.peek() ?? '';
      this.pos++;
    }
    let neg = negated;
    if (name.startsWith('^')) {
      neg = !neg;
      name = name.slice(1);
    }
    const text = this.src.slice(start, this.pos);
    let js: string;
    if (name === 'Any') js = neg ? '' : '\\u{0}-\\u{10ffff}';
    else if (GENERAL_CATEGORIES.has(name)) js = `\\${neg ? 'P' : 'p'}{${name}}`;
    else if (/^[A-Z][A-Za-z_]*$/.test(name)) js = `\\${neg ? 'P' : 'p'}{Script=${name}}`;
    else throw new RegexSyntaxError('invalid character class range', text);
    try {
      new RegExp(`[${js}]`, 'u');
    } catch {
      throw new RegexSyntaxError('invalid character class range', text);
    }
    return js;
  }

  private charClass(): Re2Node {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const ranges: Range[] = [];
    let props = '';
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RegexSyntaxError('missing closing ]', this.src.slice(start));
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
        if (m !== null) {
          const posix = ownMember(POSIX, m[2] as string);
          if (posix === undefined) throw new RegexSyntaxError('invalid character class range', m[0]);
          ranges.push(...(m[1] === '^' ? complement(posix) : posix));
          this.pos += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        const e = this.peek(1);
        if (e === undefined) throw new RegexSyntaxError('trailing backslash at end of expression', '');
        const perl = PERL_CLASSES[e.toLowerCase()];
        if (perl !== undefined && /[dswDSW]/.test(e)) {
          ranges.push(...(e === e.toLowerCase() ? perl : complement(perl)));
          this.pos += 2;
          continue;
        }
        if (e === 'p' || e === 'P') {
          props += this.unicodeClass();
          continue;
        }
      }
      const lo = this.classAtom(start);
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos++;
        const hi = this.classAtom(start);
        if (hi < lo) throw new RegexSyntaxError('invalid character class range', `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    return set(this.fold ? caseClosure(ranges) : ranges, negated, props);
  }

  private classAtom(classStart: number): number {
    const c = this.peek();
    if (c === undefined) throw new RegexSyntaxError('missing closing ]', this.src.slice(classStart));
    if (c === '\\') {
      const escStart = this.pos;
      const cp = this.escapedChar();
      if (cp === null) throw new RegexSyntaxError('invalid escape sequence', this.src.slice(escStart, this.pos));
      return cp;
    }
    const cp = this.src.codePointAt(this.pos) as number;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function set(ranges: readonly Range[], negated: boolean, props = ''): Re2Node {
  return { kind: 'set', ranges, negated, props };
}

/**
 * Go's `repeatIsValid`: nested repetitions may make at most `limit` copies of the innermost
 * thing (`(a{2}){501}` is "invalid repeat count" though each count is within 1000). An unbounded
 * repetition counts as its minimum.
 */
function repeatIsValid(node: Re2Node, limit: number): boolean {
  let n = limit;
  switch (node.kind) {
    case 'repeat': {
      if (node.max === 0) return true;
      const m = node.max < 0 ? node.min : node.max;
      if (m > n) return false;
      if (m > 0) n = Math.floor(n / m);
      return repeatIsValid(node.body, n);
    }
    case 'group':
      return repeatIsValid(node.body, n);
    case 'cat':
    case 'alt':
      return node.items.every((x) => repeatIsValid(x, n));
    default:
      return true;
  }
}

/** Whether the pattern can match without reading anything. */
function nullable(node: Re2Node): boolean {
  switch (node.kind) {
    case 'lit':
    case 'set':
      return false;
    case 'assert':
      return true;
    case 'cat':
      return node.items.every(nullable);
    case 'alt':
      return node.items.some(nullable);
    case 'group':
      return nullable(node.body);
    case 'repeat':
      return node.min === 0 || nullable(node.body);
  }
}

/**
 * Whether JavaScript's backtracking finds what RE2 finds for this pattern. It does not in three
 * places. JavaScript forgets a capture group's text at each iteration of a repetition that
 * can iterate more than once (`(a|(b))+` on "ba" leaves group 2 empty; RE2 keeps "b"). It refuses an iteration that reads
 * nothing and tries the other ways instead, where RE2 takes it and stops iterating: `(|a)+` on
 * "aa" matches "aa" in JavaScript and "" in RE2, and `(a*)?` on "b" leaves group 1 unset in
 * JavaScript and empty in RE2. And a non-u RegExp also looks between the two halves of a
 * surrogate pair, a position RE2 does not have, where `\B` holds (`\B` finds a match in "a😀a"
 * there; RE2 finds none).
 */
export function sameOnV8(node: Re2Node, inRepeat = false): boolean {
  switch (node.kind) {
    case 'group':
      return !(inRepeat && node.capture > 0) && sameOnV8(node.body, inRepeat);
    case 'repeat':
      // One iteration at most (`(x)?`) leaves nothing to forget.
      return !nullable(node.body) && sameOnV8(node.body, inRepeat || node.max !== 1);
    case 'cat':
    case 'alt':
      return node.items.every((x) => sameOnV8(x, inRepeat));
    case 'assert':
      return node.at !== 'not-word';
    default:
      return true;
  }
}

/** Parse RE2 syntax (throws `RegexSyntaxError` with Go's message). */
export function parseRe2(pattern: string): Re2Syntax {
  // Unicode property classes exist only in u mode; everything else is emitted for non-u mode.
  const unicode = /\\[pP]/.test(pattern);
  return new Parser(pattern, unicode).parse();
}

const ASSERTIONS: Readonly<Record<Re2Assertion, string>> = {
  'text-start': '^',
  'text-end': '$',
  // Go's lines end at \n only; JavaScript's `m` flag also ends them at \r, U+2028 and U+2029.
  'line-start': '(?<=^|\\n)',
  'line-end': '(?=\\n|$)',
  word: '\\b',
  'not-word': '\\B',
};

function quantifier(min: number, max: number, greedy: boolean): string {
  const q = min === 0 && max === -1 ? '*' : min === 1 && max === -1 ? '+' : min === 0 && max === 1 ? '?' : max === -1 ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
  return greedy ? q : `${q}?`;
}

/** JavaScript regex source for a parsed pattern (u mode when `unicode`). */
export function emitJs(node: Re2Node, unicode: boolean): string {
  switch (node.kind) {
    case 'lit':
      return unicode ? uLiteral(node.cp) : bmpLiteral(node.cp, JS_SYNTAX);
    case 'set':
      return unicode ? uSet(node.ranges, node.negated, node.props) : bmpSet(node.ranges, node.negated);
    case 'assert':
      return ASSERTIONS[node.at];
    case 'cat':
      return node.items.map((x) => emitJs(x, unicode)).join('');
    case 'alt':
      return node.items.map((x) => emitJs(x, unicode)).join('|');
    case 'group':
      return `${node.capture === 0 ? '(?:' : '('}${emitJs(node.body, unicode)})`;
    case 'repeat':
      return `(?:${emitJs(node.body, unicode)})${quantifier(node.min, node.max, node.greedy)}`;
  }
}
