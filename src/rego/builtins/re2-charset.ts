/**
 * Character sets for the RE2 translator: code point ranges (POSIX classes, Go's \s, \d, \w and
 * their complements) and their emission as JavaScript regex source, either for `u`-mode
 * RegExps or for non-`u` RegExps, where an astral code point is a UTF-16 surrogate pair and a
 * set must not match half of one.
 */

export type Range = readonly [number, number];

export const MAX_CODE_POINT = 0x10ffff;
const SURROGATES: Range = [0xd800, 0xdfff];

export const GO_SPACE: readonly Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
export const DIGIT: readonly Range[] = [[0x30, 0x39]];
export const WORD: readonly Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

export const POSIX: Readonly<Record<string, readonly Range[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** Sorted, merged ranges. */
export function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function hex4(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

/** A code point inside a u-mode class. */
function uClassChar(c: number): string {
  const ch = String.fromCodePoint(c);
  if (ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-') return `\\${ch}`;
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return `\\u{${c.toString(16)}}`;
  return ch;
}

/** A BMP code unit inside a non-u class. */
function bmpClassChar(c: number): string {
  if (c >= 0x20 && c < 0x7f) {
    const ch = String.fromCharCode(c);
    return ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-' ? `\\${ch}` : ch;
  }
  return hex4(c);
}

export function uRangesText(ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? uClassChar(lo) : `${uClassChar(lo)}-${uClassChar(hi)}`)).join('');
}

/** A set as u-mode source; `extra` are class escapes such as \p{L} (kept verbatim). */
export function uSet(ranges: readonly Range[], negated: boolean, extra = ''): string {
  const body = uRangesText(normalize(ranges)) + extra;
  if (body === '') return negated ? '[\\s\\S]' : '[]';
  return `[${negated ? '^' : ''}${body}]`;
}

function high(c: number): number {
  return 0xd800 + ((c - 0x10000) >> 10);
}

function low(c: number): number {
  return 0xdc00 + ((c - 0x10000) & 0x3ff);
}

/** Surrogate-pair alternatives matching the astral range [lo, hi]. */
function astralAlternatives(lo: number, hi: number): string[] {
  const hl = high(lo);
  const hh = high(hi);
  const unit = (a: number, b: number): string => (a === b ? hex4(a) : `[${hex4(a)}-${hex4(b)}]`);
  if (hl === hh) return [`${hex4(hl)}${unit(low(lo), low(hi))}`];
  const out = [`${hex4(hl)}${unit(low(lo), 0xdfff)}`];
  if (hh - hl > 1) out.push(`${unit(hl + 1, hh - 1)}[\\udc00-\\udfff]`);
  out.push(`${hex4(hh)}${unit(0xdc00, low(hi))}`);
  return out;
}

/**
 * A set as non-u source. Negated sets are complemented first, so that neither form can match
 * half of a surrogate pair (lone surrogates are never matched).
 */
export function bmpSet(ranges: readonly Range[], negated: boolean): string {
  let set = normalize(ranges);
  if (negated) set = complement(set);
  const bmp: Range[] = [];
  const alts: string[] = [];
  for (const [lo, hi] of set) {
    // Drop surrogates; split at the BMP boundary.
    const parts: Range[] = [];
    if (lo < SURROGATES[0]) parts.push([lo, Math.min(hi, SURROGATES[0] - 1)]);
    if (hi > SURROGATES[1]) parts.push([Math.max(lo, SURROGATES[1] + 1), hi]);
    for (const [a, b] of parts) {
      if (a <= 0xffff) bmp.push([a, Math.min(b, 0xffff)]);
      if (b > 0xffff) alts.push(...astralAlternatives(Math.max(a, 0x10000), b));
    }
  }
  const cls = bmp.map(([a, b]) => (a === b ? bmpClassChar(a) : `${bmpClassChar(a)}-${bmpClassChar(b)}`)).join('');
  if (alts.length === 0) return `[${cls}]`;
  return `(?:${alts.join('|')}${cls === '' ? '' : `|[${cls}]`})`;
}

/** A literal code point in non-u source. */
export function bmpLiteral(c: number, syntax: ReadonlySet<string>): string {
  if (c > 0xffff) return `${hex4(high(c))}${hex4(low(c))}`;
  const ch = String.fromCharCode(c);
  if (syntax.has(ch)) return `\\${ch}`;
  return c >= 0x20 && c < 0x7f ? ch : hex4(c);
}

/** Case-fold orbits (code points equal under simple case folding), built on first use. */
let foldGroups: Map<number, readonly number[]> | null = null;

function single(s: string): number | null {
  const cp = s.codePointAt(0) as number;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : null;
}

function buildFoldGroups(): Map<number, readonly number[]> {
  const byKey = new Map<number, number[]>();
  for (let c = 0; c <= 0x1ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCodePoint(c);
    const up = ch.toUpperCase();
    const lo = ch.toLowerCase();
    if (up === ch && lo === ch) continue;
    // Simple folding: map through the upper case, then the lower case, one code point each.
    const u = single(up) ?? c;
    const key = single(String.fromCodePoint(u).toLowerCase()) ?? u;
    const group = byKey.get(key) ?? [key];
    if (!group.includes(c)) group.push(c);
    if (!group.includes(u)) group.push(u);
    byKey.set(key, group);
  }
  const out = new Map<number, readonly number[]>();
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    for (const c of group) out.set(c, group);
  }
  return out;
}

/** The code points equal to c ignoring case (c alone if none). */
export function foldOrbit(c: number): readonly number[] {
  foldGroups ??= buildFoldGroups();
  return foldGroups.get(c) ?? [c];
}

/** Ranges extended with every case variant of their members. */
export function caseClosure(ranges: readonly Range[]): Range[] {
  foldGroups ??= buildFoldGroups();
  const out: Range[] = [...ranges];
  const norm = normalize(ranges);
  for (const [c, group] of foldGroups) {
    if (norm.some(([lo, hi]) => c >= lo && c <= hi)) for (const g of group) out.push([g, g]);
  }
  return normalize(out);
}
