/**
 * `regex.globs_match`: whether two "regex globs" (literal characters, `.`, `[...]` sets with
 * ranges, each optionally followed by `*` or `+`, `\` escapes) can match a common non-empty
 * string. Same algorithm and error texts as the glob-intersection library OPA uses, quirks
 * included, so answers agree with OPA.
 */

export class GlobSyntaxError extends Error {
  constructor(input: string[], pos: number, message: string) {
    super(`input:${input.join('')}, pos:${pos}, ${message}: the input provided is invalid`);
    this.name = 'GlobSyntaxError';
  }
}

type Flag = 0 | 1 | 2; // none, plus, star

type Token =
  | { readonly kind: 'char'; readonly r: string; flag: Flag }
  | { readonly kind: 'dot'; flag: Flag }
  | { readonly kind: 'set'; readonly runes: ReadonlySet<string>; flag: Flag };

interface Rune {
  readonly r: string;
  readonly escaped: boolean;
  readonly next: number;
}

function nextRune(input: string[], i: number): Rune | null {
  if (i >= input.length) return null;
  const c = input[i] as string;
  if (c === '\\') {
    if (i === input.length - 1) throw new GlobSyntaxError(input, i, 'input ends with a \\ (escape) character');
    return { r: input[i + 1] as string, escaped: true, next: i + 2 };
  }
  return { r: c, escaped: false, next: i + 1 };
}

function tokenSet(input: string[], start: number): { token: Token; next: number } {
  const runes = new Set<string>();
  let prev: string | null = null;
  let i = start;
  for (;;) {
    const n = nextRune(input, i);
    if (n === null) throw new GlobSyntaxError(input, i, 'found [ without matching ]');
    i = n.next;
    if (!n.escaped && n.r === '-') {
      if (prev === null) throw new GlobSyntaxError(input, i, "range character '-' must be preceded by a Unicode character");
      if (i >= input.length - 1) throw new GlobSyntaxError(input, i, "range character '-' must be followed by a Unicode character");
      const hi = nextRune(input, i) as Rune;
      i = hi.next;
      if (!hi.escaped && (hi.r === ']' || hi.r === '-')) {
        throw new GlobSyntaxError(input, i, "range character '-' cannot be followed by a special symbol");
      }
      const lo = prev.codePointAt(0) as number;
      const top = hi.r.codePointAt(0) as number;
      if (top < lo) throw new GlobSyntaxError(input, i, `range is out of order: '${hi.r}' comes before '${prev}' in Unicode`);
      if (top - lo > 0x10000) throw new GlobSyntaxError(input, i, 'range too large');
      for (let x = lo; x <= top; x++) runes.add(String.fromCodePoint(x));
      prev = null;
      continue;
    }
    if (!n.escaped && n.r === ']') return { token: { kind: 'set', runes, flag: 0 }, next: i };
    runes.add(n.r);
    prev = n.r;
  }
}

function tokenize(text: string): Token[] {
  const input = Array.from(text);
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    const n = nextRune(input, i);
    if (n === null) return tokens;
    i = n.next;
    let token: Token;
    if (!n.escaped && n.r === '.') token = { kind: 'dot', flag: 0 };
    else if (!n.escaped && n.r === ']') throw new GlobSyntaxError(input, i, "set-close ']' with no preceding '['");
    else if (!n.escaped && n.r === '[') {
      const s = tokenSet(input, i);
      token = s.token;
      i = s.next;
    } else if (!n.escaped && (n.r === '+' || n.r === '*')) {
      throw new GlobSyntaxError(input, i, `flag '${n.r}' must be preceded by a non-flag`);
    } else token = { kind: 'char', r: n.r, flag: 0 };
    const f = nextRune(input, i);
    if (f !== null && !f.escaped && (f.r === '+' || f.r === '*')) {
      token.flag = f.r === '+' ? 1 : 2;
      i = f.next;
    }
    tokens.push(token);
  }
}

function match(a: Token, b: Token): boolean {
  if (a.kind === 'dot' || b.kind === 'dot') return true;
  if (a.kind === 'char' && b.kind === 'char') return a.r === b.r;
  if (a.kind === 'char' && b.kind === 'set') return b.runes.has(a.r);
  if (a.kind === 'set' && b.kind === 'char') return a.runes.has(b.r);
  if (a.kind === 'set' && b.kind === 'set') {
    for (const r of a.runes) if (b.runes.has(r)) return true;
  }
  return false;
}

function trim(g1: Token[], g2: Token[]): [Token[], Token[]] | null {
  let l = 0;
  for (; l < g1.length && l < g2.length && g1[l]!.flag === 0 && g2[l]!.flag === 0; l++) {
    if (!match(g1[l]!, g2[l]!)) return null;
  }
  if (l > 0) l--;
  let r1 = g1.length - 1;
  let r2 = g2.length - 1;
  for (; r1 >= 0 && r1 >= l && r2 >= 0 && r2 >= l && g1[r1]!.flag === 0 && g2[r2]!.flag === 0; r1--, r2--) {
    if (!match(g1[r1]!, g2[r2]!)) return null;
  }
  if (r1 < g1.length - 1) {
    r1++;
    r2++;
  }
  return [g1.slice(l, r1 + 1), g2.slice(l, r2 + 1)];
}

function intersectNormal(g1: Token[], g2: Token[]): boolean {
  let i = 0;
  let j = 0;
  for (; i < g1.length && j < g2.length; i++, j++) {
    if (g1[i]!.flag === 0 && g2[j]!.flag === 0) {
      if (!match(g1[i]!, g2[j]!)) return false;
    } else return intersectSpecial(g1.slice(i), g2.slice(j));
  }
  return i === g1.length && j === g2.length;
}

function intersectSpecial(g1: Token[], g2: Token[]): boolean {
  const [flagged, other] = g1[0]!.flag !== 0 ? [g1, g2] : [g2, g1];
  if (flagged[0]!.flag === 1) {
    if (!match(flagged[0]!, other[0]!)) return false;
    return intersectStar(flagged, other.slice(1));
  }
  return intersectStar(flagged, other);
}

function intersectStar(starred: Token[], other: Token[]): boolean {
  const star = starred[0]!;
  const next = starred[1];
  for (let i = 0; i < other.length; i++) {
    const t = other[i]!;
    if (next !== undefined && match(t, next)) {
      if (intersectNormal(starred.slice(1), other.slice(i))) return true;
      if (!match(t, star)) return false;
    } else if (!match(t, star)) return false;
  }
  return next === undefined;
}

export function globsIntersect(a: string, b: string): boolean {
  const g = trim(tokenize(a), tokenize(b));
  return g !== null && intersectNormal(g[0], g[1]);
}
