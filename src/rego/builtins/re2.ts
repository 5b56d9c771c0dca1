/**
 * Go (RE2) regular expression syntax translated to an equivalent JavaScript `RegExp` (always
 * with the `u` flag), rejecting what RE2 rejects with Go's error text.
 *
 * Differences handled: `(?P<name>…)` names, `(?i)`/`(?m)`/`(?s)`/`(?U)` flags anywhere (also
 * mid-group), `\A` `\z` `\Q…\E`, POSIX classes `[[:alpha:]]`, Go's `\s` set, `.` not matching
 * only `\n`, `^`/`$` multi-line semantics, octal escapes, a literal `]` first in a class, a
 * literal `{` that starts no repetition, repeat counts capped at 1000. Backreferences and
 * lookaround are errors, as in RE2.
 *
 * Limitation: JavaScript matches by backtracking, RE2 in linear time. Callers bound pattern
 * and input sizes (see regex.ts); a pathological pattern on a large input can still be slow.
 */

export class RegexSyntaxError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'RegexSyntaxError';
  }
}

export interface Translated {
  readonly source: string;
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
const GO_SPACE: readonly [number, number][] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];

const POSIX: Readonly<Record<string, readonly [number, number][]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

const GENERAL_CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co'.split(' '),
);

function complement(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

function classChar(c: number): string {
  const ch = String.fromCodePoint(c);
  if (ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-') return `\\${ch}`;
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return `\\u{${c.toString(16)}}`;
  return ch;
}

function rangesText(ranges: readonly [number, number][]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

function literal(c: number): string {
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

  constructor(src: string) {
    this.src = src;
  }

  translate(): Translated {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const source = this.alternation(flags, flags, 0);
    if (this.pos < this.src.length) throw new RegexSyntaxError('unexpected )', this.src);
    return { source, names: this.names };
  }

  private peek(off = 0): string | undefined {
    return this.src[this.pos + off];
  }

  /** Alternatives until ')' or end; `base` are the flags the enclosing JS group runs with. */
  private alternation(base: Flags, entry: Flags, depth: number): string {
    const flags = { ...entry };
    const alts: string[] = [];
    for (;;) {
      alts.push(this.sequence(base, flags, depth));
      if (this.peek() === '|') {
        this.pos++;
        continue;
      }
      break;
    }
    return alts.join('|');
  }

  /** JS modifier group opening that switches case folding from base to flags ('' if equal). */
  private modifier(base: Flags, flags: Flags): string {
    // m and s are compiled into the translation of ^ $ and ., so only i needs a JS modifier.
    if (flags.i === base.i) return '';
    return flags.i ? '(?i:' : '(?-i:';
  }

  private sequence(base: Flags, flags: Flags, depth: number): string {
    let out = '';
    let opened = 0;
    const startMod = this.modifier(base, flags);
    if (startMod !== '') {
      out += startMod;
      opened++;
    }
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
      if (c === '(' && this.peek(1) === '?' && this.isFlagGroup()) {
        const before = { ...flags };
        const scoped = this.flagGroup(flags);
        if (scoped) {
          flush();
          // (?flags:re): flags apply inside only.
          const inner = { ...flags };
          Object.assign(flags, before);
          lastAtom = `(?:${this.modifier(flags, inner)}${this.alternation(inner, inner, depth + 1)}${this.modifier(flags, inner) === '' ? '' : ')'})`;
          this.expect(')');
        } else {
          flush();
          const mod = this.modifier(before, flags);
          if (mod !== '') {
            out += mod;
            opened++;
          }
        }
        continue;
      }
      flush();
      lastAtom = this.atom(flags, depth);
    }
    flush();
    return out + ')'.repeat(opened);
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw new RegexSyntaxError('missing closing )', this.src);
    this.pos++;
  }

  private isFlagGroup(): boolean {
    return /^[imsU-]+[:)]/.test(this.src.slice(this.pos + 2));
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
        if ((neg && !sawFlag) || (c === ')' && !sawFlag && !neg && this.pos === start + 2)) {
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
    switch (c) {
      case '(':
        return this.group(flags, depth);
      case '[':
        return this.charClass();
      case '.':
        this.pos++;
        return flags.s ? '[\\s\\S]' : '[^\\n]';
      case '^':
        this.pos++;
        return flags.m ? '(?<![^\\n])' : '^';
      case '$':
        this.pos++;
        return flags.m ? '(?![^\\n])' : '$';
      case '\\':
        return this.escape();
      default: {
        const cp = this.src.codePointAt(this.pos) as number;
        this.pos += cp > 0xffff ? 2 : 1;
        return literal(cp);
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
        if (this.names.includes(name)) throw new RegexSyntaxError('duplicate capture group name', name);
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
    const inner = this.alternation(flags, flags, depth + 1);
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
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        this.pos += 2;
        return `\\${c}`;
      case 's':
        this.pos += 2;
        return `[${rangesText(GO_SPACE)}]`;
      case 'S':
        this.pos += 2;
        return `[^${rangesText(GO_SPACE)}]`;
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos + 2);
        const text = this.src.slice(this.pos + 2, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return Array.from(text, (ch) => literal(ch.codePointAt(0) as number)).join('');
      }
      case 'p':
      case 'P':
        return this.unicodeClass(false);
      default: {
        const cp = this.escapedChar();
        if (cp === null) throw new RegexSyntaxError('invalid escape sequence', this.src.slice(start, this.pos));
        return literal(cp);
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
    let body = '';
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
          const ranges = POSIX[m[2] as string];
          if (ranges === undefined) throw new RegexSyntaxError('invalid character class range', m[0]);
          body += rangesText(m[1] === '^' ? complement(ranges) : ranges);
          this.pos += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        const e = this.peek(1);
        if (e === 'd' || e === 'D' || e === 'w' || e === 'W') {
          body += `\\${e}`;
          this.pos += 2;
          continue;
        }
        if (e === 's' || e === 'S') {
          body += rangesText(e === 's' ? GO_SPACE : complement(GO_SPACE));
          this.pos += 2;
          continue;
        }
        if (e === 'p' || e === 'P') {
          body += this.unicodeClass(true);
          continue;
        }
      }
      const lo = this.classAtom(start);
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos++;
        const hi = this.classAtom(start);
        if (hi < lo) throw new RegexSyntaxError('invalid character class range', `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
        body += `${classChar(lo)}-${classChar(hi)}`;
      } else body += classChar(lo);
    }
    if (body === '') return negated ? '[\\s\\S]' : '[]';
    return `[${negated ? '^' : ''}${body}]`;
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

/** Translate RE2 syntax to a JavaScript pattern source for `new RegExp(source, 'u')`. */
export function translateRe2(pattern: string): Translated {
  return new Parser(pattern).translate();
}
