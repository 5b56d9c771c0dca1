/**
 * Candidate generators, one per kind of confusion. Each looks the query up in one structure and
 * returns weighted candidates; `engine.ts` scores, filters and ranks them.
 */
import { boundedOsaDistance, classifySingleEdit, type SingleEdit } from './edit-distance.ts';
import { foldUnicode, skeletonOf } from './confusables.ts';
import { flatOf, type NameShape } from './names.ts';
import { GLUED_PREFIXES, GLUED_SUFFIXES, PREFIXES, SUFFIXES } from './affixes.ts';
import { editBudget, queryDepth, sortedTokenKey, vowelless, type Entry, type Structures } from './structures.ts';
import type { Evidence, LookalikeKind, LookalikeTechnique } from './types.ts';

export interface Candidate {
  readonly entry: Entry;
  readonly kind: LookalikeKind;
  readonly technique: LookalikeTechnique;
  /** Strength of the imitation before the popularity weight, 0..1. */
  readonly weight: number;
  readonly evidence: Evidence;
}

export interface Query {
  readonly raw: string;
  readonly shape: NameShape;
  readonly fullFlat: string;
  readonly skeleton: string;
}

export function makeQuery(raw: string, shape: NameShape): Query {
  const fullFlat = flatOf(shape.scope === null ? shape.base : `${shape.scope}${shape.base}`);
  return { raw, shape, fullFlat, skeleton: skeletonOf(fullFlat) };
}

/** How believable an edit-based imitation is, by the length of the imitated word. */
export function lengthFactor(length: number): number {
  if (length <= 2) return 0;
  if (length === 3) return 0.35;
  if (length === 4) return 0.6;
  if (length === 5) return 0.8;
  if (length === 6) return 0.9;
  return 1;
}

/** Length of the part of the target the edit touches: its scope or its basename. */
function touchedLength(entry: Entry, at: number): number {
  if (entry.scopeFlatLength === 0) return entry.fullFlat.length;
  return at < entry.scopeFlatLength ? entry.scopeFlatLength : entry.fullFlat.length - entry.scopeFlatLength;
}

const EDIT_WEIGHT: Readonly<Record<SingleEdit['technique'], number>> = {
  'homoglyph-substitution': 0.95,
  transposition: 0.9,
  'keyboard-substitution': 0.85,
  repetition: 0.85,
  omission: 0.8,
  insertion: 0.75,
  substitution: 0.7,
};

/** Two edits read as one slip in a long name, as two deliberate changes in a short one. */
function doubleTypoWeight(length: number): number {
  if (length >= 15) return 0.7;
  if (length >= 12) return 0.6;
  return 0.5;
}

/** An `s` added or removed at the end of a word. */
function isPluralEdit(edit: SingleEdit, entry: Entry): boolean {
  if ((edit.technique === 'insertion' || edit.technique === 'repetition') && edit.to === 's') return entry.wordEnds.has(edit.at);
  if (edit.technique === 'omission' && edit.from === 's') return entry.wordEnds.has(edit.at + 1);
  return false;
}

/**
 * Edit-distance typos over the separator-free spelling (1 edit, 2 for long names): omissions,
 * repetitions, insertions, transpositions, substitutions (keyboard-adjacent or homoglyph),
 * plurals. A scoped name is only compared with scoped names here; crossing the scope boundary is
 * the scope detector's business.
 */
export function editCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  const flat = q.fullFlat;
  const separatorsChanged = (e: Entry): boolean => e.shape.key.replace(/[^-_.]/g, '') !== q.shape.key.replace(/[^-_.]/g, '');
  for (const id of s.deletion.candidates(flat, queryDepth(flat.length))) {
    const entry = s.entries[id] as Entry;
    if ((entry.shape.scope === null) !== (q.shape.scope === null)) continue;
    const t = entry.fullFlat;
    const budget = editBudget(t.length);
    const d = boundedOsaDistance(flat, t, budget);
    if (d === 0 || d > budget) continue;
    if (d === 2) {
      out.push({ entry, kind: 'typo', technique: 'double-typo', weight: doubleTypoWeight(t.length), evidence: { distance: 2, separators_changed: separatorsChanged(entry) } });
      continue;
    }
    const edit = classifySingleEdit(t, flat);
    if (edit === null) continue;
    // A digit appended to a word is a combosquat (`express4`); the affix detector reports it.
    if ((edit.technique === 'insertion' || edit.technique === 'repetition') && /\d/.test(edit.to) && entry.wordEnds.has(edit.at)) continue;
    const factor = lengthFactor(touchedLength(entry, edit.at));
    if (factor === 0) continue;
    const evidence: Evidence = { at: edit.at, from: edit.from, to: edit.to, separators_changed: separatorsChanged(entry) };
    if (isPluralEdit(edit, entry)) {
      out.push({ entry, kind: 'simplification', technique: 'plural', weight: 0.75 * factor, evidence });
      continue;
    }
    const kind: LookalikeKind = edit.technique === 'homoglyph-substitution' ? 'homoglyph' : 'typo';
    out.push({ entry, kind, technique: edit.technique, weight: EDIT_WEIGHT[edit.technique] * factor, evidence });
  }
  return out;
}

/** Same letters, different separators (`find-up` / `findup` / `find_up`), same scope. */
export function separatorCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  for (const id of s.byFlatBase.get(q.shape.flat) ?? []) {
    const entry = s.entries[id] as Entry;
    if (entry.shape.key === q.shape.key || entry.shape.scope !== q.shape.scope) continue;
    out.push({ entry, kind: 'separator', technique: 'separator-changed', weight: 0.9, evidence: { separators: q.shape.base.replace(/[^-_.]/g, '') } });
  }
  return out;
}

/** Same skeleton, different letters: Unicode confusables or ASCII look-alikes (`rn`/`m`, `0`/`o`). */
export function homoglyphCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  for (const id of s.bySkeleton.get(q.skeleton) ?? []) {
    const entry = s.entries[id] as Entry;
    if (entry.shape.key === q.shape.key || entry.fullFlat === q.fullFlat) continue;
    const unicode = q.shape.nonAscii && flatOf(foldUnicode(q.fullFlat)) === entry.fullFlat;
    const factor = Math.max(lengthFactor(entry.fullFlat.length), 0.35);
    out.push({
      entry,
      kind: 'homoglyph',
      technique: unicode || q.shape.nonAscii ? 'unicode-homoglyph' : 'ascii-homoglyph',
      weight: (q.shape.nonAscii ? 0.98 : 0.9) * factor,
      evidence: { skeleton: q.skeleton },
    });
  }
  return out;
}

/** DefinitelyTyped publishes `@types/x` for real packages `x`: a mirror, never an impostor. */
const TYPES_SCOPE = 'types';

/**
 * How specific a basename is: 1 when one protected name has it, lower when many share it
 * (`core`, `utils`, `config` under many scopes). `@types/*` mirrors do not count.
 */
function specificity(s: Structures, flatBase: string): number {
  let n = 0;
  for (const id of s.byFlatBase.get(flatBase) ?? []) if ((s.entries[id] as Entry).shape.scope !== TYPES_SCOPE) n++;
  return n <= 1 ? 1 : 1 / Math.sqrt(n);
}

/** npm scope confusion: dropped, added, flattened, mistyped or foreign scopes. */
export function scopeCandidates(q: Query, s: Structures): Candidate[] {
  if (s.rules !== 'npm') return [];
  const out: Candidate[] = [];
  const { scope, flat } = q.shape;
  const baseFactor = lengthFactor(flat.length);
  if (scope === null) {
    // `types-node` / `typesnode` for `@types/node`.
    for (const id of s.byFullFlat.get(q.fullFlat) ?? []) {
      const entry = s.entries[id] as Entry;
      out.push({ entry, kind: 'scope', technique: 'scope-flattened', weight: 0.85, evidence: { scope: entry.shape.scope } });
    }
    // `tinycolor` for `@ctrl/tinycolor` (but `x` for `@types/x` is the typed package itself).
    const dropSpec = specificity(s, flat);
    for (const id of s.byFlatBase.get(flat) ?? []) {
      const entry = s.entries[id] as Entry;
      if (entry.shape.scope === null || entry.shape.scope === TYPES_SCOPE) continue;
      out.push({
        entry,
        kind: 'scope',
        technique: 'scope-dropped',
        weight: 0.7 * baseFactor * dropSpec,
        evidence: { scope: entry.shape.scope },
      });
    }
    return out;
  }
  const scopeFlat = flatOf(scope);
  const scopeSkeleton = skeletonOf(scopeFlat);
  const knownScope = s.knownScopes.has(scope);
  const sameBase = s.byFlatBase.get(flat) ?? [];
  const spec = specificity(s, flat);
  // Scope typos are also edit-distance typos of the whole name (the edit detector finds those);
  // the distance here only matters for basenames few names share.
  const measureDistance = sameBase.length <= 32;
  for (const id of sameBase) {
    const entry = s.entries[id] as Entry;
    const tScope = entry.shape.scope;
    if (entry.shape.key === q.shape.key) continue;
    if (tScope === null) {
      // `@evil/lodash` republishes a popular unscoped name under an unknown scope.
      if (knownScope) continue;
      out.push({ entry, kind: 'scope', technique: 'foreign-scope', weight: 0.7 * baseFactor * spec, evidence: { scope } });
      continue;
    }
    if (tScope === scope) continue; // separator change inside one scope
    const tScopeFlat = entry.scopeFlat;
    const scopeDistance = measureDistance ? boundedOsaDistance(scopeFlat, tScopeFlat, 2) : 3;
    const similar =
      scopeFlat === tScopeFlat ||
      scopeSkeleton === entry.scopeSkeleton ||
      (scopeDistance <= 1 && tScopeFlat.length >= 4) ||
      (scopeDistance <= 2 && tScopeFlat.length >= 7) ||
      (scopeFlat.includes(tScopeFlat) && tScopeFlat.length >= 4);
    if (similar) {
      out.push({ entry, kind: 'scope', technique: 'scope-typo', weight: 0.9, evidence: { scope, imitated_scope: tScope } });
    } else if (!knownScope) {
      out.push({
        entry,
        kind: 'scope',
        technique: 'foreign-scope',
        weight: 0.55 * baseFactor * spec,
        evidence: { scope, imitated_scope: tScope },
      });
    }
  }
  return out;
}

function affixFactor(targetFlat: string): number {
  const len = targetFlat.length;
  if (len <= 2) return 0;
  if (len === 3) return 0.4;
  if (len === 4) return 0.7;
  return 1;
}

function lookupSameScope(s: Structures, flat: string, scope: string | null): Entry[] {
  return (s.byFlatBase.get(flat) ?? []).map((id) => s.entries[id] as Entry).filter((e) => e.shape.scope === scope);
}

/** Combosquats: a popular name with an affix word or digits glued on (`node-lodash`, `requests2`). */
export function affixCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  const { tokens, flat, scope } = q.shape;
  const seen = new Set<number>();
  const emit = (core: string, technique: 'prefix' | 'suffix' | 'digits', affix: string, weight: number): void => {
    for (const entry of lookupSameScope(s, core, scope)) {
      if (seen.has(entry.id) || entry.shape.key === q.shape.key) continue;
      const factor = affixFactor(entry.shape.flat);
      if (factor === 0) continue;
      seen.add(entry.id);
      out.push({ entry, kind: 'affix', technique, weight: weight * factor, evidence: { affix } });
    }
  };
  if (tokens.length >= 2) {
    const first = tokens[0] as string;
    const last = tokens[tokens.length - 1] as string;
    if (PREFIXES.has(first)) emit(tokens.slice(1).join(''), 'prefix', first, 0.65);
    if (SUFFIXES.has(last)) emit(tokens.slice(0, -1).join(''), 'suffix', last, 0.65);
    if (tokens.length >= 3 && PREFIXES.has(first) && SUFFIXES.has(last)) emit(tokens.slice(1, -1).join(''), 'prefix', `${first}+${last}`, 0.6);
    // Digits or a version number glued on: `ethers-6`, `cors-2.8.5`.
    let k = tokens.length;
    while (k > 1 && /^\d+$/.test(tokens[k - 1] as string)) k--;
    if (k < tokens.length) emit(tokens.slice(0, k).join(''), 'digits', tokens.slice(k).join('.'), 0.7);
  }
  for (const p of GLUED_PREFIXES) {
    if (flat.length - p.length >= 3 && flat.startsWith(p)) emit(flat.slice(p.length), 'prefix', p, 0.6);
  }
  for (const x of GLUED_SUFFIXES) {
    if (flat.length - x.length >= 3 && flat.endsWith(x)) emit(flat.slice(0, -x.length), 'suffix', x, 0.6);
  }
  const digits = /^(.{3,}?)(\d+)$/.exec(flat);
  if (digits !== null) emit(digits[1] as string, 'digits', digits[2] as string, 0.7);
  return out;
}

/** The same words in another order (`json-parse` for `parse-json`). */
export function reorderCandidates(q: Query, s: Structures): Candidate[] {
  if (q.shape.tokens.length < 2) return [];
  const out: Candidate[] = [];
  for (const id of s.byTokenSet.get(sortedTokenKey(q.shape.tokens)) ?? []) {
    const entry = s.entries[id] as Entry;
    if (entry.shape.scope !== q.shape.scope || entry.shape.tokens.join(' ') === q.shape.tokens.join(' ')) continue;
    out.push({ entry, kind: 'reorder', technique: 'tokens-reordered', weight: 0.8, evidence: { tokens: q.shape.tokens } });
  }
  return out;
}

/** Simplified spellings: a word dropped (`proxy-middleware`), vowels dropped (`rqsts`). */
export function simplificationCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  const { flat, scope } = q.shape;
  for (const id of s.byDroppedToken.get(flat) ?? []) {
    const entry = s.entries[id] as Entry;
    if (entry.shape.scope !== scope || entry.shape.key === q.shape.key) continue;
    const dropped = entry.shape.tokens.find((t) => !q.shape.tokens.includes(t)) ?? null;
    out.push({ entry, kind: 'simplification', technique: 'token-dropped', weight: 0.5, evidence: { dropped } });
  }
  if (flat.length >= 3 && flat === vowelless(flat)) {
    for (const id of s.byVowelless.get(flat) ?? []) {
      const entry = s.entries[id] as Entry;
      if (entry.shape.scope !== scope || entry.shape.flat === flat) continue;
      const removed = entry.shape.flat.length - flat.length;
      if (removed < 2) continue;
      out.push({ entry, kind: 'simplification', technique: 'vowels-dropped', weight: 0.6, evidence: { removed } });
    }
  }
  return out;
}

export const DETECTORS: readonly ((q: Query, s: Structures) => Candidate[])[] = [
  editCandidates,
  separatorCandidates,
  homoglyphCandidates,
  scopeCandidates,
  affixCandidates,
  reorderCandidates,
  simplificationCandidates,
];
