/**
 * Go string semantics over JS strings: OPA indexes strings by code point (rune) and applies
 * Go's simple per-rune case mapping and white-space set.
 */

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function hasSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** The code points of s (one string per rune). */
export function runes(s: string): string[] {
  return Array.from(s);
}

/** Code-point index of a UTF-16 offset. */
export function runeIndex(s: string, utf16Index: number): number {
  if (utf16Index <= 0) return utf16Index;
  const prefix = s.slice(0, utf16Index);
  return hasSurrogates(prefix) ? Array.from(prefix).length : utf16Index;
}

/** unicode.IsSpace */
export function isGoSpace(c: number): boolean {
  switch (c) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    // Go maps rune to rune; multi-rune special casings (ß → SS) keep the original rune.
    out += m.length === ch.length || Array.from(m).length === 1 ? m : ch;
  }
  return out;
}

export function goLower(s: string): string {
  return isAscii(s) ? s.toLowerCase() : mapRunes(s, (ch) => ch.toLowerCase());
}

export function goUpper(s: string): string {
  return isAscii(s) ? s.toUpperCase() : mapRunes(s, (ch) => ch.toUpperCase());
}

/** strings.TrimLeft / TrimRight / Trim with a cutset of runes. */
export function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  if (s === '' || cutset === '') return s;
  const set = new Set(runes(cutset));
  const rs = isAscii(s) ? s.split('') : runes(s);
  let start = 0;
  let end = rs.length;
  if (left) while (start < end && set.has(rs[start] as string)) start++;
  if (right) while (end > start && set.has(rs[end - 1] as string)) end--;
  if (start === 0 && end === rs.length) return s;
  return rs.slice(start, end).join('');
}

/** strings.TrimSpace */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** strings.Split: an empty separator splits into runes. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return runes(s);
  return s.split(sep);
}

/** strings.Replace(s, old, new, -1): an empty old matches before every rune and at the end. */
export function goReplaceAll(s: string, old: string, repl: string): string {
  if (old === '') {
    let out = repl;
    for (const ch of s) out += ch + repl;
    return out;
  }
  return s.split(old).join(repl);
}

/**
 * strings.NewReplacer(pairs…).Replace(s): left to right, no overlaps, at each position the
 * first pair (in argument order) whose old string matches wins.
 */
export function goReplacer(s: string, pairs: readonly (readonly [string, string])[]): string {
  const empty = pairs.find(([o]) => o === '');
  let out = '';
  let i = 0;
  while (i <= s.length) {
    let matched = false;
    for (const [o, n] of pairs) {
      if (o !== '' && s.startsWith(o, i)) {
        out += n;
        i += o.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (empty !== undefined) out += empty[1];
    if (i === s.length) break;
    const cp = s.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    out += s.slice(i, i + width);
    i += width;
  }
  return out;
}

/** strings.Count: non-overlapping; an empty substring counts rune boundaries. */
export function goCount(s: string, sub: string): number {
  if (sub === '') return runes(s).length + 1;
  let n = 0;
  let i = s.indexOf(sub);
  while (i >= 0) {
    n++;
    i = s.indexOf(sub, i + sub.length);
  }
  return n;
}

export function reverseRunes(s: string): string {
  if (isAscii(s)) {
    let out = '';
    for (let i = s.length - 1; i >= 0; i--) out += s[i];
    return out;
  }
  return runes(s).reverse().join('');
}
