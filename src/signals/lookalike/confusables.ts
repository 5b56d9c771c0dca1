/**
 * A compact confusables map. Two layers:
 *
 * 1. Unicode → ASCII: compatibility decomposition (NFKD folds full-width and mathematical
 *    letters), combining marks dropped (é → e), invisible characters dropped, and a table of
 *    cross-script look-alikes (Cyrillic, Greek, Armenian, small capitals, IPA) that NFKD keeps.
 * 2. ASCII skeleton: characters and pairs that read alike in common fonts (`0`/`o`, `1`/`l`/`i`,
 *    `rn`/`m`, `vv`/`w`, `cl`/`d`, leetspeak digits). Two names with the same skeleton and a
 *    different spelling are homoglyph look-alikes.
 *
 * The table is written for this project from the shapes of the letters; it covers the scripts
 * attackers use in practice, not the full Unicode confusables data.
 */

// Pairs of (look-alike, ASCII) written as one string per ASCII letter.
const CROSS_SCRIPT: Readonly<Record<string, string>> = {
  a: 'аαɑⱥạąå⍺',
  b: 'вьƅβḃ',
  c: 'сϲⅽċç',
  d: 'ԁⅾḋɗ',
  e: 'еεҽėẹęё',
  f: 'ƒẝ',
  g: 'ɡցġģ',
  h: 'һнհḣ',
  i: 'іιɩıӏⅰ¡',
  j: 'јȷϳ',
  k: 'кκ',
  l: 'ℓʟⅼǀ',
  m: 'мⅿṃ',
  n: 'ոηп',
  o: 'оοօσ০੦ọ',
  p: 'рρṗ',
  q: 'ԛզ',
  r: 'гʀṛ',
  s: 'ѕꜱṡ',
  t: 'тτṭ',
  u: 'υսμṳ',
  v: 'νѵⅴᴠ',
  w: 'ԝωѡᴡ',
  x: 'хχⅹ',
  y: 'уγүʏ',
  z: 'ᴢżẓ',
  '-': '‐‑‒–—―−﹣',
  '.': '·․',
  '_': '‗',
};

const SMALL_CAPS: Readonly<Record<string, string>> = {
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k',
  ᴍ: 'm', ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ᴛ: 't', ᴜ: 'u',
};

function buildUnicodeMap(): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [ascii, alikes] of Object.entries(CROSS_SCRIPT)) {
    for (const ch of alikes) map.set(ch, ascii);
  }
  for (const [ch, ascii] of Object.entries(SMALL_CAPS)) map.set(ch, ascii);
  return map;
}

const UNICODE_MAP = buildUnicodeMap();
// Combining marks and invisible formatting characters (zero-width space/joiners, BOM, soft hyphen).
const DROP_RE = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/g;

/** Fold a name to ASCII where its characters imitate ASCII ones; unknown characters stay. */
export function foldUnicode(text: string): string {
  const decomposed = text.normalize('NFKD').replace(DROP_RE, '').toLowerCase();
  let out = '';
  for (const ch of decomposed) out += UNICODE_MAP.get(ch) ?? ch;
  return out;
}

/** Invisible characters a name must never contain (reported as evidence). */
export function invisibleCharacters(text: string): string[] {
  const found = text.match(/[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/g);
  return found === null ? [] : [...new Set(found)].map((c) => `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`);
}

// Multi-character ASCII look-alikes, applied before the single-character ones.
const ASCII_PAIRS: readonly (readonly [RegExp, string])[] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl(?=[aeiou])/g, 'd'],
];

const ASCII_SINGLE: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'l',
  i: 'l',
  '|': 'l',
  '!': 'l',
  '3': 'e',
  '4': 'a',
  '5': 's',
  $: 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
};

/** The ASCII skeleton: equal skeletons read alike. Input should be folded and lower case. */
export function asciiSkeleton(text: string): string {
  let s = text;
  for (const [re, to] of ASCII_PAIRS) s = s.replace(re, to);
  let out = '';
  for (const ch of s) out += ASCII_SINGLE[ch] ?? ch;
  return out;
}

/** Full skeleton of a name: Unicode folding, then the ASCII layer. */
export function skeletonOf(text: string): string {
  return ASCII_RE.test(text) ? asciiSkeletonOfAscii(text) : asciiSkeleton(foldUnicode(text));
}

const ASCII_RE = /^[\x00-\x7f]*$/;
const VOWEL_CODES = new Set([...'aeiou'].map((c) => c.charCodeAt(0)));
const SINGLE_CODES = new Map(Object.entries(ASCII_SINGLE).map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)]));
const [R, N, V, C, L, M, W, D] = [...'rnvclmwd'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number, number];

/**
 * `skeletonOf` for ASCII text in one pass, without the Unicode layer (which changes no ASCII
 * character but its case). The pairs cannot overlap or make one another (`rn`, `vv` and `cl`
 * share no letter, and none of `m`, `w`, `d` starts a pair or is a vowel), so matching them left
 * to right in one pass equals the three replacements of `asciiSkeleton` in turn.
 */
function asciiSkeletonOfAscii(text: string): string {
  const s = text.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : -1;
    let code = c;
    if (c === R && next === N) code = M;
    else if (c === V && next === V) code = W;
    else if (c === C && next === L && VOWEL_CODES.has(i + 2 < s.length ? s.charCodeAt(i + 2) : -1)) code = D;
    if (code !== c) i++;
    out.push(SINGLE_CODES.get(code) ?? code);
  }
  return String.fromCharCode(...out);
}

/** Whether two single ASCII characters are homoglyphs of each other (`0`/`o`, `1`/`l` …). */
export function isAsciiHomoglyphPair(a: string, b: string): boolean {
  if (a === b || a.length !== 1 || b.length !== 1) return false;
  return (ASCII_SINGLE[a] ?? a) === (ASCII_SINGLE[b] ?? b);
}
