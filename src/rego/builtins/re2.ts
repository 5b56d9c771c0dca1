/**
 * Go (RE2) regular expression syntax translated to an equivalent JavaScript `RegExp`,
 * rejecting what RE2 rejects with Go's error text. Patterns are emitted for a non-`u` RegExp
 * (astral characters as surrogate pairs, sets that never split a pair) unless they use
 * Unicode property classes (`\pL`), which need `u` mode; non-`u` RegExps can fall back to
 * V8's linear-time engine (see regex.ts).
 *
 * Differences handled: `(?P<name>…)` names, `(?i)`/`(?m)`/`(?s)`/`(?U)` flags anywhere (also
 * mid-group), `\A` `\z` `\Q…\E`, POSIX classes `[[:alpha:]]`, Go's `\s` set, `.` not matching
 * only `\n`, `^`/`$` multi-line semantics, octal escapes, a literal `]` first in a class, a
 * literal `{` that starts no repetition, repeat counts capped at 1000. Backreferences and
 * lookaround are errors, as in RE2.
 *
 * Limitation: JavaScript matches by backtracking, RE2 in linear time. regex.ts enables V8's
 * fallback to its linear engine on excessive backtracking, which covers non-`u` RegExps
 * without lookbehind (everything but `(?m)` anchors and `\p` classes); those remain exposed,
 * bounded only by the input size caps.
 */
import { bmpLiteral, bmpSet, caseClosure, complement, DIGIT, foldOrbit, GO_SPACE, POSIX, type Range, uSet, WORD } from './re2-charset.ts';


export class RegexSyntaxError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'RegexSyntaxError';
  }
}

export interface Translated {
  readonly source: string;
  /** The RegExp needs the `u` flag (Unicode property classes). */
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

  translate(): Translated {
    const source = this.alternation({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.src.length) throw new RegexSyntaxError('unexpected )', this.src);
    return { source, unicode: this.unicode, names: this.names };
  }

  private literal(c: number): string {
    if (this.fold) {
      const orbit = foldOrbit(c);
      if (orbit.length > 1) return this.set(orbit.map((x) => [x, x] as const), false);
    }
    return this.unicode ? uLiteral(c) : bmpLiteral(c, JS_SYNTAX);
  }

  private set(ranges: readonly Range[], negated: boolean): string {
    return this.unicode ? uSet(ranges, negated) : bmpSet(ranges, negated);
  }

  private peek(off = 0): string | undefined {
    return this.src[this.pos + off];
  }

  /** Alternatives until ')' or end. Flags set inside last until the end of the group. */
  private alternation(entry: Flags, depth: number): string {
    const flags = { ...entry };
    const alts: string[] = [];
    for (;;) {
      alts.push(this.sequence(flags, depth));
      if (this.peek() === '|') {
        this.pos++;
        continue;
      }
      break;
    }
    return alts.join('|');
  }

  private sequence(flags: Flags, depth: number): string {
    let out = '';
    let lastAtom: string | null = null;
    let lastRepeat: string | null = null;
    const flush = (): void => {
      if (lastAtom !== null) out += lastAtom;
      lastAtom = null;
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === '|' || c === ')') break;
      const rep = this.repetition(flags);
      if (rep !== null) {
        if (lastRepeat !== null) throw new RegexSyntaxError('invalid nested repetition operator', lastRepeat + rep.text);
        if (lastAtom === null) throw new RegexSyntaxError('missing argument to repetition operator', rep.text);
        out += `(?:${lastAtom})${rep.js}`;
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
        for (const ch of text) out += this.literal(ch.codePointAt(0) as number);
        if (last !== undefined) lastAtom = this.literal(last.codePointAt(0) as number);
        continue;
      }
      if (c === '(' && this.peek(1) === '?' && this.isFlagGroup()) {
        const before = { ...flags };
        if (this.flagGroup(flags)) {
          // (?flags:re): the flags apply inside only.
          const inner = { ...flags };
          Object.assign(flags, before);
          lastAtom = `(?:${this.alternation(inner, depth + 1)})`;
          this.expect(')');
        }
        continue;
      }
      lastAtom = this.atom(flags, depth);
    }
    flush();
    return out;
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

  private repetition(flags: Flags): { js: string; text: string } | null {
    const start = this.pos;
    const c = this.peek();
    let js: string;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      js = c;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m === null) return null;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? -1 : Number(m[3]);
      if (lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && hi < lo)) throw new RegexSyntaxError('invalid repeat count', m[0]);
      this.pos += m[0].length;
      js = m[0];
    } else return null;
    let lazy = false;
    if (this.peek() === '?') {
      this.pos++;
      lazy = true;
    }
    if (flags.U) lazy = !lazy;
    return { js: lazy ? `${js}?` : js, text: this.src.slice(start, this.pos) };
  }

  private atom(flags: Flags, depth: number): string {
    const c = this.src[this.pos] as string;
    this.fold = flags.i;
    switch (c) {
      case '(':
        return this.group(flags, depth);
      case '[':
        return this.charClass();
      case '.':
        this.pos++;
        return flags.s ? this.set([], true) : this.set([[0x0a, 0x0a]], true);
      case '^':
        this.pos++;
        return flags.m ? '(?m:^)' : '^';
      case '$':
        this.pos++;
        return flags.m ? '(?m:$)' : '$';
      case '\\':
        return this.escape();
      default: {
        const cp = this.src.codePointAt(this.pos) as number;
        this.pos += cp > 0xffff ? 2 : 1;
        return this.literal(cp);
      }
    }
  }

  private group(flags: Flags, depth: number): string {
    const start = this.pos;
    this.pos++;
    let open = '(';
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
        open = '(?:';
      } else {
        const m = /^(P?<?[=!]?)/.exec(rest);
        throw new RegexSyntaxError('invalid or unsupported Perl syntax', `(?${(m?.[1] ?? '') || (rest[0] ?? '')}`);
      }
    } else this.names.push('');
    const inner = this.alternation(flags, depth + 1);
    if (this.peek() !== ')') throw new RegexSyntaxError('missing closing )', this.src);
    this.pos++;
    return `${open}${inner})`;
  }

  private escape(): string {
    const start = this.pos;
    const c = this.src[this.pos + 1];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression', '');
    switch (c) {
      case 'A':
        this.pos += 2;
        return '^';
      case 'z':
        this.pos += 2;
        return '$';
      case 'b':
      case 'B':
        this.pos += 2;
        return `\\${c}`;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        this.pos += 2;
        return this.set(PERL_CLASSES[c.toLowerCase()] as readonly Range[], c !== c.toLowerCase());
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos + 2);
        const text = this.src.slice(this.pos + 2, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return Array.from(text, (ch) => this.literal(ch.codePointAt(0) as number)).join('');
      }
      case 'p':
      case 'P':
        return this.unicodeClass(false);
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
    const c = this.src[this.pos] as string;
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

  private unicodeClass(inClass: boolean): string {
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
    if (inClass) return js;
    return js === '' ? '[]' : `[${js}]`;
  }

  private charClass(): string {
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
          const posix = POSIX[m[2] as string];
          if (posix === undefined) throw new RegexSyntaxError('invalid character class range', m[0]);
          ranges.push(...(m[1] === '^' ? complement(posix) : posix));
          this.pos += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        const e = this.peek(1) as string;
        const perl = PERL_CLASSES[e.toLowerCase()];
        if (perl !== undefined && /[dswDSW]/.test(e)) {
          ranges.push(...(e === e.toLowerCase() ? perl : complement(perl)));
          this.pos += 2;
          continue;
        }
        if (e === 'p' || e === 'P') {
          props += this.unicodeClass(true);
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
    const folded = this.fold ? caseClosure(ranges) : ranges;
    if (props !== '') return uSet(folded, negated, props);
    return this.set(folded, negated);
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

/** Translate RE2 syntax to JavaScript regex source (see `Translated.unicode` for the flag). */
export function translateRe2(pattern: string): Translated {
  // Unicode property classes exist only in u mode; everything else is emitted for non-u mode.
  const unicode = /\\[pP]/.test(pattern);
  return new Parser(pattern, unicode).translate();
}
