/**
 * The look-alike index structures, built once from the protected names: exact keys, separator-
 * free forms, homoglyph skeletons, token sets, simplification variants, word and family counts,
 * and the deletion index for edit distance. Each detector asks one or a few of these lookups;
 * nothing scans the list. Every lookup is a table of hashed postings over the entries (see
 * `lookups.ts`) and the entries are made when first needed (`entries.ts`): what the index keeps
 * is typed arrays, the names as the list spells them, and the entries that queries came near.
 */
import { DeletionIndexBuilder, type DeletionIndex } from './deletion-index.ts';
import { AffixCounter, FamilyCounter } from './build-counters.ts';
import { skeletonOf } from './confusables.ts';
import { EntryTable, type Entry } from './entries.ts';
import { IdLookup, PairSet, type KeyCheck } from './lookups.ts';
import { shapeOf, type NameRules } from './names.ts';
import type { PopularName } from './types.ts';

export { endsWord, popularityWeight, type Entry, type EntryTable } from './entries.ts';

export interface Structures {
  readonly rules: NameRules;
  readonly entries: EntryTable;
  /** By canonical key: popular names and internal names (an entry's `source` says which). */
  readonly byKey: IdLookup;
  /** flat base → entries (scoped and unscoped). */
  readonly byFlatBase: IdLookup;
  /** flat scope+base → scoped entries. */
  readonly byFullFlat: IdLookup;
  readonly bySkeleton: IdLookup;
  /** sorted tokens joined by a space → entries with two or more tokens. */
  readonly byTokenSet: IdLookup;
  /** flat form with one token dropped → entries with three or more tokens. */
  readonly byDroppedToken: IdLookup;
  /**
   * Entries that extend a word sequence (`scope/w1-w2`) with more words after it (heads:
   * `embla-carousel` heads `embla-carousel-autoplay`, `embla-carousel-react` …) or before it
   * (tails: `types` ends `prop-types`, `mime-types` …); `count` says how many.
   */
  readonly familyHeads: IdLookup;
  readonly familyTails: IdLookup;
  /**
   * Words of the protected names (basename words and flattened scopes). A typo makes a non-word
   * (`reqeusts`); an edit that lands on a word other popular names use (`preact`, `willow`,
   * `hyper`) makes another name.
   */
  readonly vocabulary: IdLookup;
  /**
   * Affix word → how many protected names are another protected name with that word added
   * (`tldts-core` beside `tldts`, `pyobjc-core` beside `pyobjc`): how routinely real packages
   * extend names with it.
   */
  readonly affixUse: ReadonlyMap<string, number>;
  /** flat form without its non-initial vowels → entries with a flat form of 5+ letters. */
  readonly byVowelless: IdLookup;
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
   * plausible confusion. One flag per entry id.
   */
  readonly familyMembers: Uint8Array;
  /** Over `fullFlat`: edit distance ignores separators (they have their own detector). */
  readonly deletion: DeletionIndex;
  /** The legitimate pairs, canonical spellings, either order. */
  readonly legitPairs: PairSet;
}

/** Shortest separator-free name allowed two edits. */
export const TWO_EDIT_MIN_LENGTH = 9;
const TWO_EDIT_MAX_LENGTH = 48;
const ONE_EDIT_MAX_LENGTH = 96;

/** Edit budget of an indexed (separator-free) name: the edit distance it is compared within. */
export function editBudget(length: number): number {
  if (length >= TWO_EDIT_MIN_LENGTH && length <= TWO_EDIT_MAX_LENGTH) return 2;
  if (length <= ONE_EDIT_MAX_LENGTH) return 1;
  return 0;
}

const VOWELS_RE = /[aeiouy]/g;

export function vowelless(flat: string): string {
  return flat.slice(0, 1) + flat.slice(1).replace(VOWELS_RE, '');
}

export function sortedTokenKey(tokens: readonly string[]): string {
  return [...tokens].sort().join(' ');
}

export function wordSequenceKey(scope: string | null, tokens: readonly string[]): string {
  return `${scope ?? ''}/${tokens.join('-')}`;
}

/** Word `which` of the entry: its flattened scope (if any) first, then its basename's words. */
function wordAt(e: Entry, which: number): string | undefined {
  if (e.shape.scope === null) return e.shape.tokens[which];
  return which === 0 ? e.scopeFlat : e.shape.tokens[which - 1];
}

/** The separator-free name without word `i` (`flat` is the words joined). */
function droppedToken(flat: string, tokens: readonly string[], i: number): string {
  let start = 0;
  for (let k = 0; k < i; k++) start += (tokens[k] as string).length;
  return flat.slice(0, start) + flat.slice(start + (tokens[i] as string).length);
}

/** The protected name that has this canonical key, from the given source. */
export function entryByKey(s: Structures, key: string, source: Entry['source']): Entry | undefined {
  for (const id of s.byKey.get(key)) {
    if (s.entries.sourceOf(id) === source) return s.entries.get(id);
  }
  return undefined;
}

/** Heads (`which` = i − 1: the first i words) or tails (the words from i on), i = 1 … words − 1. */
function familyKey(e: { readonly shape: { readonly scope: string | null; readonly tokens: readonly string[] } }, which: number, tail: boolean): string {
  const { scope, tokens } = e.shape;
  return wordSequenceKey(scope, tail ? tokens.slice(which + 1) : tokens.slice(0, which + 1));
}

/**
 * How each lookup verifies a posting: the key recomputed from the entry. Defined here, outside
 * `buildStructures`, so that the closures the structures keep do not keep the build's
 * temporary arrays alive with them.
 */
const CHECKS = {
  byKey: (e: Entry, _: number, k: string) => e.shape.key === k,
  byFlatBase: (e: Entry, _: number, k: string) => e.shape.flat === k,
  byFullFlat: (e: Entry, _: number, k: string) => e.shape.scope !== null && e.fullFlat === k,
  bySkeleton: (e: Entry, _: number, k: string) => skeletonOf(e.fullFlat) === k,
  byTokenSet: (e: Entry, _: number, k: string) => e.shape.tokens.length >= 2 && sortedTokenKey(e.shape.tokens) === k,
  byDroppedToken: (e: Entry, i: number, k: string) => e.shape.tokens.length >= 3 && i < e.shape.tokens.length && droppedToken(e.shape.flat, e.shape.tokens, i) === k,
  byVowelless: (e: Entry, _: number, k: string) => e.shape.flat.length >= 5 && vowelless(e.shape.flat) === k,
  vocabulary: (e: Entry, i: number, k: string) => wordAt(e, i) === k,
  familyHeads: (e: Entry, i: number, k: string) => i + 1 < e.shape.tokens.length && familyKey(e, i, false) === k,
  familyTails: (e: Entry, i: number, k: string) => i + 1 < e.shape.tokens.length && familyKey(e, i, true) === k,
} as const;

type LookupName = keyof typeof CHECKS;

function verifier(entries: EntryTable, check: (e: Entry, which: number, key: string) => boolean): KeyCheck {
  return (id, which, key) => check(entries.get(id), which, key);
}

export function buildStructures(
  rules: NameRules,
  popular: readonly PopularName[],
  internal: readonly string[],
  legitPairs: readonly (readonly [string, string])[],
): Structures {
  const capacity = popular.length + internal.length;
  const builders = {
    byKey: IdLookup.builder(0x01),
    byFlatBase: IdLookup.builder(0x02),
    byFullFlat: IdLookup.builder(0x03),
    bySkeleton: IdLookup.builder(0x04),
    byTokenSet: IdLookup.builder(0x05),
    byDroppedToken: IdLookup.builder(0x06),
    byVowelless: IdLookup.builder(0x07),
    vocabulary: IdLookup.builder(0x08),
    familyHeads: IdLookup.builder(0x09),
    familyTails: IdLookup.builder(0x0a),
  };
  const deletion = new DeletionIndexBuilder(editBudget, capacity);
  const families = new FamilyCounter();
  const affixes = new AffixCounter();
  const knownScopes = new Set<string>();
  const popularScopes = new Set<string>();
  const entries = EntryTable.build(rules, popular, internal, (e) => {
    const { id, shape, fullFlat } = e;
    const { scope, tokens, flat } = shape;
    builders.byKey.add(shape.key, id);
    builders.byFlatBase.add(flat, id);
    if (scope !== null) {
      builders.byFullFlat.add(fullFlat, id);
      knownScopes.add(scope);
      if (e.source === 'popular') popularScopes.add(scope);
      families.add(id, scope, tokens, flat);
    }
    builders.bySkeleton.add(skeletonOf(fullFlat), id);
    if (tokens.length >= 2) builders.byTokenSet.add(sortedTokenKey(tokens), id);
    if (tokens.length >= 3) tokens.forEach((_, i) => builders.byDroppedToken.add(droppedToken(flat, tokens, i), id, i));
    if (flat.length >= 5) builders.byVowelless.add(vowelless(flat), id);
    if (scope !== null) builders.vocabulary.add(e.scopeFlat, id, 0);
    tokens.forEach((t, i) => builders.vocabulary.add(t, id, scope === null ? i : i + 1));
    for (let i = 0; i + 1 < tokens.length; i++) {
      builders.familyHeads.add(familyKey(e, i, false), id, i);
      builders.familyTails.add(familyKey(e, i, true), id, i);
    }
    affixes.add(tokens, scope);
    deletion.add(id, fullFlat);
  });
  const size = entries.size;
  const lookups = {} as Record<LookupName, IdLookup>;
  for (const name of Object.keys(CHECKS) as LookupName[]) lookups[name] = builders[name].build(size, verifier(entries, CHECKS[name]));
  const { byKey, byFlatBase } = lookups;
  const affixUse = affixes.counts(entries, byFlatBase);

  // Canonical spellings of the pairs (the list's own string when the name is spelled canonically).
  const canonical = (name: string): string => {
    const key = shapeOf(rules, name).key;
    const id = byKey.unverified(key).find((i) => entries.nameOf(i) === key);
    return id === undefined ? key : entries.nameOf(id);
  };
  const pairs = PairSet.build(legitPairs.map(([a, b]) => [canonical(a), canonical(b)] as const));
  entries.keepEntries();
  return {
    rules,
    entries,
    ...lookups,
    affixUse,
    knownScopes,
    popularScopes,
    familyMembers: families.members(size),
    deletion: deletion.build(),
    legitPairs: pairs,
  };
}
