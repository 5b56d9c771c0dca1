/**
 * The look-alike index structures, built once from the protected names: exact keys, separator-
 * free forms, homoglyph skeletons, token sets, simplification variants and the deletion index
 * for edit distance. Each detector asks one or a few of these maps; nothing scans the list.
 */
import { buildDeletionIndex, type DeletionIndex } from './deletion-index.ts';
import { skeletonOf } from './confusables.ts';
import { flatOf, shapeOf, type NameRules, type NameShape } from './names.ts';
import type { PopularName, TargetSource } from './types.ts';

export interface Entry {
  readonly id: number;
  /** The name as the list spells it. */
  readonly name: string;
  readonly shape: NameShape;
  readonly source: TargetSource;
  readonly rank: number | null;
  readonly downloads: number | null;
  /** 0.6..1 weight from the rank (1 for internal names and the top of the list). */
  readonly popularity: number;
  /** scope + base without separators (`@types/node` → `typesnode`). */
  readonly fullFlat: string;
  /** Length of the scope's part of `fullFlat` (0 when unscoped). */
  readonly scopeFlatLength: number;
  /** The scope without separators and its homoglyph skeleton ('' when unscoped). */
  readonly scopeFlat: string;
  readonly scopeSkeleton: string;
  /** Positions in `fullFlat` where a word of the basename ends. */
  readonly wordEnds: ReadonlySet<number>;
  readonly skeleton: string;
}

export interface Structures {
  readonly rules: NameRules;
  readonly entries: readonly Entry[];
  readonly popularKeys: ReadonlyMap<string, Entry>;
  readonly internalKeys: ReadonlyMap<string, Entry>;
  /** flat base → entries (scoped and unscoped). */
  readonly byFlatBase: ReadonlyMap<string, readonly number[]>;
  /** flat scope+base → scoped entries. */
  readonly byFullFlat: ReadonlyMap<string, readonly number[]>;
  readonly bySkeleton: ReadonlyMap<string, readonly number[]>;
  /** sorted tokens joined by a space → entries with two or more tokens. */
  readonly byTokenSet: ReadonlyMap<string, readonly number[]>;
  /** flat form with one token dropped → entries. */
  readonly byDroppedToken: ReadonlyMap<string, readonly number[]>;
  /** flat form without its non-initial vowels → entries. */
  readonly byVowelless: ReadonlyMap<string, readonly number[]>;
  /** npm scopes that own at least one protected name. */
  readonly knownScopes: ReadonlySet<string>;
  /** Over `fullFlat`: edit distance ignores separators (they have their own detector). */
  readonly deletion: DeletionIndex;
  /** `a\0b` for every legitimate pair, both orders, canonical spellings. */
  readonly legitPairs: ReadonlySet<string>;
}

/** Shortest separator-free name allowed two edits. */
export const TWO_EDIT_MIN_LENGTH = 9;
const TWO_EDIT_MAX_LENGTH = 48;
const ONE_EDIT_MAX_LENGTH = 96;

/** Edit budget of an indexed (separator-free) name: the deletion index depth. */
export function editBudget(length: number): number {
  if (length >= TWO_EDIT_MIN_LENGTH && length <= TWO_EDIT_MAX_LENGTH) return 2;
  if (length <= ONE_EDIT_MAX_LENGTH) return 1;
  return 0;
}

/** Query-side depth: deep enough to meet every name within its budget. */
export function queryDepth(length: number): number {
  if (length >= TWO_EDIT_MIN_LENGTH - 2 && length <= TWO_EDIT_MAX_LENGTH + 2) return 2;
  if (length <= ONE_EDIT_MAX_LENGTH + 1) return 1;
  return 0;
}

/**
 * Popularity weight from the rank: 1 at the top of the list, 0.6 at its end (log scale), so a
 * look-alike of a household name outscores the same look-alike of a long-tail one.
 */
export function popularityWeight(rank: number, listSize: number): number {
  if (listSize <= 1) return 1;
  const r = Math.min(Math.max(rank, 1), listSize);
  return 1 - 0.4 * (Math.log(r) / Math.log(listSize));
}

function wordEndsOf(scopeFlatLength: number, tokens: readonly string[]): Set<number> {
  const ends = new Set<number>();
  let at = scopeFlatLength;
  for (const t of tokens) {
    at += t.length;
    ends.add(at);
  }
  return ends;
}

const VOWELS_RE = /[aeiouy]/g;

export function vowelless(flat: string): string {
  return flat.slice(0, 1) + flat.slice(1).replace(VOWELS_RE, '');
}

export function sortedTokenKey(tokens: readonly string[]): string {
  return [...tokens].sort().join(' ');
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

export function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

export function buildStructures(
  rules: NameRules,
  popular: readonly PopularName[],
  internal: readonly string[],
  legitPairs: readonly (readonly [string, string])[],
): Structures {
  const entries: Entry[] = [];
  const popularKeys = new Map<string, Entry>();
  const internalKeys = new Map<string, Entry>();
  const listSize = popular.reduce((m, p) => Math.max(m, p.rank), 0);

  const add = (name: string, source: TargetSource, rank: number | null, downloads: number | null): void => {
    const shape = shapeOf(rules, name);
    const keys = source === 'popular' ? popularKeys : internalKeys;
    if (keys.has(shape.key) || shape.key === '') return;
    const scopeFlat = shape.scope === null ? '' : flatOf(shape.scope);
    const scopeFlatLength = scopeFlat.length;
    const fullFlat = flatOf(shape.scope === null ? shape.base : `${shape.scope}${shape.base}`);
    const entry: Entry = {
      id: entries.length,
      name,
      shape,
      source,
      rank,
      downloads,
      popularity: rank === null ? 1 : popularityWeight(rank, listSize),
      fullFlat,
      scopeFlatLength,
      scopeFlat,
      scopeSkeleton: skeletonOf(scopeFlat),
      wordEnds: wordEndsOf(scopeFlatLength, shape.tokens),
      skeleton: skeletonOf(fullFlat),
    };
    entries.push(entry);
    keys.set(shape.key, entry);
  };
  for (const name of internal) add(name, 'internal', null, null);
  for (const p of [...popular].sort((a, b) => a.rank - b.rank)) add(p.name, 'popular', p.rank, p.downloads ?? null);

  const byFlatBase = new Map<string, number[]>();
  const byFullFlat = new Map<string, number[]>();
  const bySkeleton = new Map<string, number[]>();
  const byTokenSet = new Map<string, number[]>();
  const byDroppedToken = new Map<string, number[]>();
  const byVowelless = new Map<string, number[]>();
  const knownScopes = new Set<string>();
  for (const e of entries) {
    const { shape } = e;
    push(byFlatBase, shape.flat, e.id);
    if (shape.scope !== null) {
      knownScopes.add(shape.scope);
      push(byFullFlat, e.fullFlat, e.id);
    }
    push(bySkeleton, e.skeleton, e.id);
    if (shape.tokens.length >= 2) push(byTokenSet, sortedTokenKey(shape.tokens), e.id);
    if (shape.tokens.length >= 3) {
      for (let i = 0; i < shape.tokens.length; i++) {
        push(byDroppedToken, shape.tokens.filter((_, k) => k !== i).join(''), e.id);
      }
    }
    if (shape.flat.length >= 5) push(byVowelless, vowelless(shape.flat), e.id);
  }

  const legit = new Set<string>();
  for (const [a, b] of legitPairs) {
    const ka = shapeOf(rules, a).key;
    const kb = shapeOf(rules, b).key;
    legit.add(pairKey(ka, kb));
    legit.add(pairKey(kb, ka));
  }

  const deletion = buildDeletionIndex(
    entries.map((e) => e.fullFlat),
    { depthFor: (term) => editBudget(term.length) },
  );
  return {
    rules,
    entries,
    popularKeys,
    internalKeys,
    byFlatBase,
    byFullFlat,
    bySkeleton,
    byTokenSet,
    byDroppedToken,
    byVowelless,
    knownScopes,
    deletion,
    legitPairs: legit,
  };
}
