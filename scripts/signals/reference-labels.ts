/**
 * The evaluation's reference labeller, step 1: which popular names a known-malicious name could
 * imitate, and how, by name shape alone. It is deliberately plain — brute force over the popular
 * list, textbook distance, a short documented rule per class — so that the labels do not inherit
 * the engine's index, scoring, thresholds or allowlist. It imports nothing from src/signals.
 * Equality rules use plain maps; the distance rule scans every popular name of a nearby length
 * with the textbook distance (after a pigeonhole pre-filter that cannot drop a true pair).
 * Step 2 (`label-audit.ts`) decides which of these shape matches are imitations.
 *
 * Rules (every class that matches is reported, in this order; step 2 takes the first that
 * survives its checks):
 *   homoglyph      the name has non-ASCII characters and equals the target once folded
 *                  (NFKD, marks dropped, a few Cyrillic/Greek letters), or one substitution from
 *                  the table 0→o 1→l 1→i l→i rn→m vv→w 5→s 3→e 4→a 9→g 8→b 7→t turns the
 *                  target into the name (or back); target ≥ 4 letters.
 *   scope (npm)    same basename under another scope (`@x/b` vs `@y/b`), a popular unscoped name
 *                  under a scope (`@x/b` vs `b`), a popular scoped name without its scope
 *                  (`b` vs `@y/b`), or the scope folded into the name (`y-b`, `yb`); basename
 *                  ≥ 5 letters, and not a basename that 3 or more popular names share.
 *   separator      equal once `-`, `_`, `.` are removed (same scope).
 *   affix          the target plus one word from the list: prefixes js, node, py,
 *                  python; suffixes js, cli, utils, dev, lib, api; or digits (incl. `2`),
 *                  with or without a separator; target ≥ 4 letters. (Before typo: `react18`
 *                  is within two edits of `react` too, but it is the target plus a number.)
 *   typo           OSA distance 1 to a target of ≥ 4 letters (without separators and scope),
 *                  or distance 2 to a target of ≥ 10.
 *   reorder        the same words (split on separators) in another order, two or more words.
 *   simplification one word of a target with three or more words dropped, or all vowels after
 *                  the first letter dropped (at least two removed), target ≥ 5 letters.
 */

export type RefClass = 'homoglyph' | 'scope' | 'separator' | 'typo' | 'reorder' | 'affix' | 'simplification';
export const REF_CLASSES: readonly RefClass[] = ['homoglyph', 'scope', 'separator', 'affix', 'typo', 'reorder', 'simplification'];

/** One class of shape match for a name. */
export interface RefHit {
  readonly cls: RefClass;
  /** Every popular name (canonical) the rule matched, most popular first. */
  readonly targets: readonly string[];
}

/** A name and its shape matches, in class order (empty: looks like no popular name). */
export interface RefHits {
  readonly name: string;
  readonly hits: readonly RefHit[];
}

export type RefEcosystem = 'npm' | 'pypi';

export function refCanonical(eco: RefEcosystem, name: string): string {
  const lower = name.toLowerCase();
  return eco === 'pypi' ? lower.replace(/[-_.]+/g, '-') : lower;
}

function split(eco: RefEcosystem, key: string): { scope: string | null; base: string } {
  if (eco === 'npm' && key.startsWith('@') && key.includes('/')) {
    const i = key.indexOf('/');
    return { scope: key.slice(1, i), base: key.slice(i + 1) };
  }
  return { scope: null, base: key };
}

const strip = (s: string): string => s.replace(/[-_.]/g, '');
const words = (s: string): string[] => s.split(/[-_.]+/).filter((w) => w !== '');

/** Textbook OSA distance (dynamic programming over three rolling rows). */
export function refOsa(a: string, b: string): number {
  let twoUp = new Array<number>(b.length + 1).fill(0);
  let up = Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (twoUp[j - 2] as number) + 1);
      row[j] = v;
    }
    [twoUp, up, row] = [up, row, twoUp];
  }
  return up[b.length] as number;
}

const FOLD: Readonly<Record<string, string>> = { а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ο: 'o', α: 'a', ν: 'v', ρ: 'p', ι: 'i', κ: 'k', τ: 't' };
function refFold(s: string): string {
  return [...s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()].map((c) => FOLD[c] ?? c).join('');
}

const GLYPHS: readonly (readonly [string, string])[] = [
  ['o', '0'], ['l', '1'], ['i', '1'], ['i', 'l'], ['m', 'rn'], ['w', 'vv'], ['s', '5'], ['e', '3'], ['a', '4'], ['g', '9'], ['b', '8'], ['t', '7'],
];

/** Every spelling one table substitution away from `s` (both directions of each pair). */
function glyphVariants(s: string): string[] {
  const out: string[] = [];
  for (const [x, y] of GLYPHS) {
    for (const [p, q] of [[x, y], [y, x]] as const) {
      let at = s.indexOf(p);
      while (at !== -1) {
        out.push(s.slice(0, at) + q + s.slice(at + p.length));
        at = s.indexOf(p, at + 1);
      }
    }
  }
  return out;
}

const AFFIX_PREFIXES = ['js', 'node', 'py', 'python'];
const AFFIX_SUFFIXES = ['js', 'cli', 'utils', 'dev', 'lib', 'api'];

/** The cores a name could be "core + affix word" of (flat spellings). */
function affixCores(flatName: string): string[] {
  const out: string[] = [];
  for (const p of AFFIX_PREFIXES) if (flatName.startsWith(p)) out.push(flatName.slice(p.length));
  for (const x of AFFIX_SUFFIXES) if (flatName.endsWith(x)) out.push(flatName.slice(0, flatName.length - x.length));
  const digits = /^(.*?)\d+$/.exec(flatName);
  if (digits !== null) out.push(digits[1] as string);
  return out.filter((c) => c.length >= 4);
}

interface Shape {
  readonly key: string;
  readonly scope: string | null;
  readonly base: string;
  readonly flatBase: string;
  readonly flatFull: string;
  readonly words: readonly string[];
  readonly sortedWords: string;
  readonly mask: readonly [number, number];
}

function shape(eco: RefEcosystem, key: string): Shape {
  const { scope, base } = split(eco, key);
  const w = words(base);
  return {
    key,
    scope,
    base,
    flatBase: strip(base),
    flatFull: strip((scope ?? '') + base),
    words: w,
    sortedWords: [...w].sort().join(' '),
    mask: charMask(key),
  };
}

/**
 * Necessary condition for OSA distance ≤ k: split `t` into 2k+1 pieces; each edit (a
 * transposition may straddle two pieces) spoils at most two, so one piece occurs in `q` as is.
 */
function sharesPiece(q: string, t: string, k: number): boolean {
  const pieces = 2 * k + 1;
  const size = Math.floor(t.length / pieces);
  if (size === 0) return true;
  for (let i = 0; i < pieces; i++) {
    const piece = t.slice(i * size, i === pieces - 1 ? t.length : (i + 1) * size);
    if (q.includes(piece)) return true;
  }
  return false;
}

/** The set of characters of `s` as two 32-bit masks (a-z, 0-9, separators; others share a bit). */
function charMask(s: string): readonly [number, number] {
  let lo = 0;
  let hi = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c >= 97 && c <= 122) lo |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) hi |= 1 << (c - 48);
    else if (c === 45 || c === 95 || c === 46) hi |= 1 << (10 + (c % 3));
    else hi |= 1 << 20;
  }
  return [lo, hi];
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/**
 * Necessary condition for OSA distance ≤ k: each edit removes at most one distinct character
 * from either side's character set, so each side has at most k characters the other lacks.
 */
function charSetsClose(a: readonly [number, number], b: readonly [number, number], k: number): boolean {
  return (
    popcount(a[0] & ~b[0]) + popcount(a[1] & ~b[1]) <= k && popcount(b[0] & ~a[0]) + popcount(b[1] & ~a[1]) <= k
  );
}

class Multi {
  readonly map = new Map<string, Shape[]>();
  add(key: string, s: Shape): void {
    const list = this.map.get(key);
    if (list === undefined) this.map.set(key, [s]);
    else list.push(s);
  }
  get(key: string): readonly Shape[] {
    return this.map.get(key) ?? [];
  }
}

/** Shape matches of every name that is not itself popular and matches some rule. */
export function referenceHits(eco: RefEcosystem, names: readonly string[], popular: readonly string[]): RefHits[] {
  const targets = popular.map((p) => shape(eco, refCanonical(eco, p)));
  const byKey = new Map(targets.map((t) => [t.key, t] as const));
  const byFlatBase = new Multi();
  const byFlatFull = new Multi();
  const bySortedWords = new Multi();
  const bySimplified = new Multi();
  const byLength = new Map<number, Shape[]>();
  for (const t of targets) {
    byFlatBase.add(t.flatBase, t);
    if (t.scope !== null) byFlatFull.add(t.flatFull, t);
    if (t.words.length >= 2) bySortedWords.add(t.sortedWords, t);
    if (t.words.length >= 3) t.words.forEach((_, i) => bySimplified.add(t.words.filter((__, k) => k !== i).join(''), t));
    if (t.flatBase.length >= 5) {
      const dv = (t.flatBase[0] as string) + t.flatBase.slice(1).replace(/[aeiouy]/g, '');
      if (t.flatBase.length - dv.length >= 2) bySimplified.add(dv, t);
    }
    const list = byLength.get(t.key.length) ?? [];
    list.push(t);
    byLength.set(t.key.length, list);
  }
  const out: RefHits[] = [];
  const rankOf = new Map(targets.map((t, i) => [t.key, i] as const));
  for (const raw of names) {
    const name = refCanonical(eco, raw);
    if (byKey.has(name)) continue;
    const q = shape(eco, name);
    const hits = new Map<RefClass, Set<string>>();
    const hit = (cls: RefClass, t: Shape): void => {
      const set = hits.get(cls) ?? new Set<string>();
      set.add(t.key);
      hits.set(cls, set);
    };
    // homoglyph
    if (/[^\x20-\x7e]/.test(name)) {
      const t = byKey.get(refFold(name));
      if (t !== undefined && t.flatFull.length >= 4) hit('homoglyph', t);
    } else {
      for (const v of glyphVariants(name)) {
        const t = byKey.get(v);
        if (t !== undefined && t.flatFull.length >= 4) hit('homoglyph', t);
      }
    }
    // scope
    if (eco === 'npm') {
      const specific = q.flatBase.length >= 5 && byFlatBase.get(q.flatBase).length < 3;
      if (specific) for (const t of byFlatBase.get(q.flatBase)) if ((q.scope !== null || t.scope !== null) && q.scope !== t.scope) hit('scope', t);
      if (q.scope === null) for (const t of byFlatFull.get(q.flatBase)) if (t.flatBase.length >= 3) hit('scope', t);
    }
    // separator
    for (const t of byFlatBase.get(q.flatBase)) if (t.scope === q.scope && t.base !== q.base) hit('separator', t);
    // typo: plain pairwise scan over targets of nearby length
    for (let len = name.length - 2; len <= name.length + 2; len++) {
      for (const t of byLength.get(len) ?? []) {
        if (t.flatBase.length < 4) continue;
        const k = t.flatBase.length >= 10 ? 2 : 1;
        if (Math.abs(len - name.length) > k || !charSetsClose(q.mask, t.mask, k) || !sharesPiece(name, t.key, k)) continue;
        const d = refOsa(name, t.key);
        if (d >= 1 && d <= k) hit('typo', t);
      }
    }
    // reorder
    if (q.words.length >= 2) for (const t of bySortedWords.get(q.sortedWords)) if (t.scope === q.scope && t.words.join(' ') !== q.words.join(' ')) hit('reorder', t);
    // affix
    for (const core of affixCores(q.flatBase)) for (const t of byFlatBase.get(core)) if (t.scope === q.scope) hit('affix', t);
    // simplification
    if (q.flatBase.length >= 3) for (const t of bySimplified.get(q.flatBase)) if (t.scope === q.scope) hit('simplification', t);

    const found: RefHit[] = [];
    for (const cls of REF_CLASSES) {
      const set = hits.get(cls);
      if (set !== undefined) found.push({ cls, targets: [...set].sort((a, b) => (rankOf.get(a) ?? 0) - (rankOf.get(b) ?? 0)) });
    }
    if (found.length > 0) out.push({ name, hits: found });
  }
  return out;
}

/** Exported for the audit step (same textbook definitions). */
export { shape as refShape, strip as refStrip, words as refWords, refFold };
export type { Shape as RefShape };
