/**
 * The look-alike index structures, built once from the protected names: exact keys, separator-
 * free forms, homoglyph skeletons, token sets, simplification variants and the deletion index
 * for edit distance. Each detector asks one or a few of these maps; nothing scans the list.
 */
import { buildDeletionIndex, type DeletionIndex } from './deletion-index.ts';
import { PREFIXES, SUFFIXES } from './affixes.ts';
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
  /**
   * How many protected names extend a word sequence (`scope/w1-w2`) with more words after it
   * (heads: `embla-carousel` heads `embla-carousel-autoplay`, `embla-carousel-react` …) or
   * before it (tails: `types` ends `prop-types`, `mime-types` …).
   */
  readonly familyHeads: ReadonlyMap<string, number>;
  readonly familyTails: ReadonlyMap<string, number>;
  /**
   * Words of the protected names (basename words and flattened scopes) → how many names use
   * them. A typo makes a non-word (`reqeusts`); an edit that lands on a word other popular names
   * use (`preact`, `willow`, `hyper`) makes another name.
   */
  readonly vocabulary: ReadonlyMap<string, number>;
  /**
   * Affix word → how many protected names are another protected name with that word added
   * (`tldts-core` beside `tldts`, `pyobjc-core` beside `pyobjc`): how routinely real packages
   * extend names with it.
   */
  readonly affixUse: ReadonlyMap<string, number>;
  /** flat form without its non-initial vowels → entries. */
  readonly byVowelless: ReadonlyMap<string, readonly number[]>;
  /** npm scopes that own at least one protected name. */
  readonly knownScopes: ReadonlySet<string>;
  /**
   * npm scopes that own a popular name. Only the owner of a scope publishes under it, so a name
   * in such a scope is the owner's, never an outsider's imitation.
   */
  readonly popularScopes: ReadonlySet<string>;
  /**
   * Scoped entries whose basename reads as one of a family of the scope (`@aws-sdk/client-s3`
   * beside other `client-*`, `@supabase/supabase-js` naming its scope), not as a name of its own
   * (`@storybook/semver`, a fork of `semver`). Without its scope, only a family member is a
   * plausible confusion.
   */
  readonly familyMembers: ReadonlySet<number>;
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

export function wordSequenceKey(scope: string | null, tokens: readonly string[]): string {
  return `${scope ?? ''}/${tokens.join('-')}`;
}

export function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

function affixUseOf(entries: readonly Entry[], byFlatBase: ReadonlyMap<string, readonly number[]>): Map<string, number> {
  const out = new Map<string, number>();
  const exists = (flat: string, scope: string | null): boolean =>
    (byFlatBase.get(flat) ?? []).some((id) => (entries[id] as Entry).shape.scope === scope);
  for (const e of entries) {
    const { tokens, scope } = e.shape;
    if (tokens.length < 2) continue;
    const first = tokens[0] as string;
    const last = tokens[tokens.length - 1] as string;
    if (PREFIXES.has(first) && exists(tokens.slice(1).join(''), scope)) out.set(first, (out.get(first) ?? 0) + 1);
    if (SUFFIXES.has(last) && exists(tokens.slice(0, -1).join(''), scope)) out.set(last, (out.get(last) ?? 0) + 1);
  }
  return out;
}

/** Ids of the scoped entries that are family members (see `Structures.familyMembers`). */
function familyMembersOf(entries: readonly Entry[]): Set<number> {
  const out = new Set<number>();
  const firsts = new Map<string, number>();
  const lasts = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  for (const e of entries) {
    const { scope, tokens } = e.shape;
    if (scope === null || tokens.length === 0) continue;
    bump(firsts, `${scope}/${tokens[0] as string}`);
    bump(lasts, `${scope}/${tokens[tokens.length - 1] as string}`);
  }
  for (const e of entries) {
    const { scope, tokens, flat } = e.shape;
    if (scope === null || tokens.length === 0) continue;
    const siblings = Math.max((firsts.get(`${scope}/${tokens[0] as string}`) ?? 0) - 1, (lasts.get(`${scope}/${tokens[tokens.length - 1] as string}`) ?? 0) - 1);
    const namesScope = scope.split(/[-_.]+/).some((w) => w.length >= 3 && flat.includes(w));
    if (siblings >= 2 || namesScope) out.add(e.id);
  }
  return out;
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
  const popularScopes = new Set<string>();
  const familyHeads = new Map<string, number>();
  const familyTails = new Map<string, number>();
  const vocabulary = new Map<string, number>();
  for (const e of entries) {
    const { shape } = e;
    push(byFlatBase, shape.flat, e.id);
    if (shape.scope !== null) {
      knownScopes.add(shape.scope);
      if (e.source === 'popular') popularScopes.add(shape.scope);
      push(byFullFlat, e.fullFlat, e.id);
    }
    push(bySkeleton, e.skeleton, e.id);
    if (shape.tokens.length >= 2) push(byTokenSet, sortedTokenKey(shape.tokens), e.id);
    for (const word of new Set(shape.scope === null ? shape.tokens : [flatOf(shape.scope), ...shape.tokens])) {
      vocabulary.set(word, (vocabulary.get(word) ?? 0) + 1);
    }
    for (let i = 1; i < shape.tokens.length; i++) {
      const head = wordSequenceKey(shape.scope, shape.tokens.slice(0, i));
      const tail = wordSequenceKey(shape.scope, shape.tokens.slice(i));
      familyHeads.set(head, (familyHeads.get(head) ?? 0) + 1);
      familyTails.set(tail, (familyTails.get(tail) ?? 0) + 1);
    }
    if (shape.tokens.length >= 3) {
      for (let i = 0; i < shape.tokens.length; i++) {
        push(byDroppedToken, shape.tokens.filter((_, k) => k !== i).join(''), e.id);
      }
    }
    if (shape.flat.length >= 5) push(byVowelless, vowelless(shape.flat), e.id);
  }

  const affixUse = affixUseOf(entries, byFlatBase);

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
    familyHeads,
    familyTails,
    affixUse,
    vocabulary,
    knownScopes,
    popularScopes,
    familyMembers: familyMembersOf(entries),
    deletion,
    legitPairs: legit,
  };
}
