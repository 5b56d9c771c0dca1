/**
 * The shape of an edit between a name and the popular name it is close to: which words it
 * touches and what kind of operations it takes. Typosquats slip inside words (`asfsertx-plus`,
 * `babel-trasveres`); legitimate neighbours differ by whole words or word swaps (`tree-sitter` /
 * `tree-sitter-c`, `tar-stream` / `bare-stream`, `commander` / `commondir`) or by version digits
 * (`eventemitter2` / `eventemitter3`). The engine weighs these apart.
 */

export interface OpCounts {
  readonly distance: number;
  /** Substitutions in an optimal alignment that uses as few of them as possible. */
  readonly substitutions: number;
  readonly transpositions: number;
}

/**
 * OSA distance with, among the optimal alignments, the fewest substitutions (then the fewest
 * transpositions). Quadratic; used only on candidates already verified to be within 2 edits.
 */
export function opCounts(a: string, b: string): OpCounts {
  const n = a.length;
  const m = b.length;
  // Cost packed as distance·2^20 + substitutions·2^10 + transpositions: exact for names up to
  // 1,023 characters (the engine analyses at most 256).
  const W_D = 1 << 20;
  const W_S = 1 << 10;
  const cell = (i: number, j: number): number => i * (m + 1) + j;
  const d = new Float64Array((n + 1) * (m + 1));
  for (let i = 0; i <= n; i++) d[cell(i, 0)] = i * W_D;
  for (let j = 0; j <= m; j++) d[cell(0, j)] = j * W_D;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const same = a.charCodeAt(i - 1) === b.charCodeAt(j - 1);
      let v = Math.min(
        (d[cell(i - 1, j)] as number) + W_D,
        (d[cell(i, j - 1)] as number) + W_D,
        (d[cell(i - 1, j - 1)] as number) + (same ? 0 : W_D + W_S),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] && !same) {
        v = Math.min(v, (d[cell(i - 2, j - 2)] as number) + W_D + 1);
      }
      d[cell(i, j)] = v;
    }
  }
  const total = d[cell(n, m)] as number;
  const distance = Math.floor(total / W_D);
  const rest = total - distance * W_D;
  return { distance, substitutions: Math.floor(rest / W_S), transpositions: rest % W_S };
}

/** How the words of two names line up. */
export type WordRelation =
  /** Same number of words, exactly one differs: `{ target, query }` are that word. */
  | { readonly kind: 'one-word'; readonly target: string; readonly query: string }
  /** Same number of words, two or more differ. */
  | { readonly kind: 'spread' }
  /** The query has one more word than the target (`stable-hash-x`), the rest equal. */
  | { readonly kind: 'word-added'; readonly word: string }
  /** The query has one word fewer (`tree-sitter` for `tree-sitter-c`), the rest equal. */
  | { readonly kind: 'word-dropped'; readonly word: string }
  /** Word boundaries moved as well (`babelspolyfil` for `babel-polyfill`). */
  | { readonly kind: 'regrouped' }
  | { readonly kind: 'same' };

function dropOne(longer: readonly string[], shorter: readonly string[]): string | null {
  for (let i = 0; i < longer.length; i++) {
    let equal = true;
    for (let k = 0; k < shorter.length && equal; k++) equal = shorter[k] === longer[k < i ? k : k + 1];
    if (equal) return longer[i] as string;
  }
  return null;
}

export function wordRelation(target: readonly string[], query: readonly string[]): WordRelation {
  if (target.length === query.length) {
    let diff = -1;
    for (let i = 0; i < target.length; i++) {
      if (target[i] === query[i]) continue;
      if (diff !== -1) return { kind: 'spread' };
      diff = i;
    }
    return diff === -1 ? { kind: 'same' } : { kind: 'one-word', target: target[diff] as string, query: query[diff] as string };
  }
  if (query.length === target.length + 1) {
    const word = dropOne(query, target);
    if (word !== null) return { kind: 'word-added', word };
  }
  if (query.length + 1 === target.length) {
    const word = dropOne(target, query);
    if (word !== null) return { kind: 'word-dropped', word };
  }
  return { kind: 'regrouped' };
}

/**
 * The words the query changed (the query's side of the differing words), when the words line up;
 * null when they do not.
 */
export function changedWords(target: readonly string[], query: readonly string[]): readonly string[] | null {
  if (target.length !== query.length) return null;
  const out: string[] = [];
  for (let i = 0; i < query.length; i++) if (target[i] !== query[i]) out.push(query[i] as string);
  return out;
}

/** Words of a name for this comparison: its scope (if any) as a word, then its basename's. */
export function wordsOf(scope: string | null, tokens: readonly string[]): readonly string[] {
  return scope === null ? tokens : [scope.replace(/[-_.]+/g, ''), ...tokens];
}

const DIGIT_RE = /^\d$/;

/**
 * Weight factor for a single edit by its shape: version siblings (a digit for a digit in the
 * number that ends a word: `eventemitter2` / `eventemitter3`, not `s4transfer`), a whole
 * short word added or dropped, a letter changed in a word of three letters or fewer (`is-map` /
 * `ts-map`), or the first letter changed (`react` / `preact`: legitimate names differ there far
 * more often than typosquats do).
 */
export function singleEditFactor(
  technique: string,
  from: string,
  to: string,
  atFirstLetter: boolean,
  inTrailingNumber: boolean,
  relation: WordRelation,
): number {
  let f = 1;
  const substitution = technique === 'substitution' || technique === 'keyboard-substitution';
  if (substitution && inTrailingNumber && DIGIT_RE.test(from) && DIGIT_RE.test(to)) f *= 0.4;
  if (relation.kind === 'word-added' || relation.kind === 'word-dropped') f *= 0.4;
  if (substitution && relation.kind === 'one-word' && relation.target.length <= 3) f *= 0.6;
  if (atFirstLetter && technique !== 'transposition') f *= 0.85;
  return f;
}

/**
 * Weight of a two-edit look-alike by its shape. Two substitutions read as another word
 * (`commondir`); a word added or dropped plus a letter, or two edits inside one short word, as a
 * different name (`es-mime-types`, `bare-stream`). Insertions, omissions and transpositions
 * spread over the words are the typosquat pattern (`asfsertx-plus`, `babel-trasveres`).
 */
export function doubleEditWeight(ops: OpCounts, relation: WordRelation, targetLength: number): number {
  if (relation.kind === 'word-added' || relation.kind === 'word-dropped') return 0.25;
  let w = ops.substitutions >= 2 ? 0.3 : ops.substitutions === 1 ? 0.45 : 0.6;
  if (relation.kind === 'spread') w += 0.1;
  else if (relation.kind === 'regrouped') w *= 0.8;
  else if (relation.kind === 'one-word' && relation.target.length <= 5) w = Math.min(w, 0.3);
  if (targetLength >= 15) w += 0.05;
  return Math.min(w, 0.7);
}
