/**
 * Optimal-string-alignment distance (Damerau-Levenshtein without repeated edits of one
 * substring) with an upper bound, and the classification of a single edit. Strings are compared
 * by UTF-16 code unit, which is exact for the ASCII names registries allow.
 */
import { areKeyboardNeighbours } from './keyboard.ts';
import { isAsciiHomoglyphPair } from './confusables.ts';

/**
 * The distance, or `max + 1` as soon as it is known to exceed `max`. Only the diagonal band
 * |i − j| ≤ max is computed: an alignment of cost ≤ max never leaves it, so the band gives the
 * exact distance whenever it is within the bound, in O(max · length) steps.
 */
export function boundedOsaDistance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0 || m === 0) return Math.max(n, m) <= max ? Math.max(n, m) : max + 1;
  const over = max + 1;
  // Three rows of m + 1 cells in one buffer: two rows back, the previous row, the current row.
  const rows = new Int32Array(3 * (m + 1));
  let prev2 = 0;
  let prev = m + 1;
  let cur = 2 * (m + 1);
  for (let j = 0; j <= m; j++) rows[prev + j] = j <= max ? j : over;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    // Cells just outside the band read as "over the bound" (they may hold an older row's values).
    rows[cur] = i <= max ? i : over;
    if (lo > 1) rows[cur + lo - 1] = over;
    if (hi < m) rows[cur + hi + 1] = over;
    let rowMin = lo === 1 ? (rows[cur] as number) : over;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min((rows[prev + j] as number) + 1, (rows[cur + j - 1] as number) + 1, (rows[prev + j - 1] as number) + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        v = Math.min(v, (rows[prev2 + j - 2] as number) + 1);
      }
      if (v > over) v = over;
      rows[cur + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return over;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  const d = rows[prev + m] as number;
  return d <= max ? d : over;
}

/** How one edit turns the popular name into the candidate. */
export type EditTechnique =
  | 'omission'
  | 'repetition'
  | 'insertion'
  | 'transposition'
  | 'substitution'
  | 'keyboard-substitution'
  | 'homoglyph-substitution';

export interface SingleEdit {
  readonly technique: EditTechnique;
  /** Index in the popular name where the edit happens. */
  readonly at: number;
  /** Characters involved: `[from, to]` (empty string for none). */
  readonly from: string;
  readonly to: string;
}

/**
 * Classify the edit that turns `target` into `candidate`, when they are exactly one OSA edit
 * apart; null otherwise.
 */
export function classifySingleEdit(target: string, candidate: string): SingleEdit | null {
  const n = target.length;
  const m = candidate.length;
  let i = 0;
  while (i < n && i < m && target[i] === candidate[i]) i++;
  if (m === n - 1) {
    // A character of the target is missing.
    if (target.slice(i + 1) !== candidate.slice(i)) return null;
    return { technique: 'omission', at: i, from: target[i] ?? '', to: '' };
  }
  if (m === n + 1) {
    if (candidate.slice(i + 1) !== target.slice(i)) return null;
    const added = candidate[i] ?? '';
    const repeated = added === candidate[i - 1] || added === candidate[i + 1];
    return { technique: repeated ? 'repetition' : 'insertion', at: i, from: '', to: added };
  }
  if (m !== n || i === n) return null;
  const from = target[i] ?? '';
  const to = candidate[i] ?? '';
  if (target.slice(i + 1) === candidate.slice(i + 1)) {
    if (isAsciiHomoglyphPair(from, to)) return { technique: 'homoglyph-substitution', at: i, from, to };
    const technique = areKeyboardNeighbours(from, to) ? 'keyboard-substitution' : 'substitution';
    return { technique, at: i, from, to };
  }
  if (
    i + 1 < n &&
    target[i] === candidate[i + 1] &&
    target[i + 1] === candidate[i] &&
    target.slice(i + 2) === candidate.slice(i + 2)
  ) {
    return { technique: 'transposition', at: i, from: target.slice(i, i + 2), to: candidate.slice(i, i + 2) };
  }
  return null;
}
