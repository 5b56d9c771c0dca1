/**
 * Candidate generators, one per kind of confusion. Each looks the query up in one structure and
 * returns weighted candidates; `engine.ts` scores, filters and ranks them. The larger ones live
 * in their own files (`detect-edit.ts`, `detect-scope.ts`, `detect-affix.ts`).
 */
import { foldUnicode } from './confusables.ts';
import { flatOf } from './names.ts';
import { lengthFactor, type Candidate, type Query } from './candidate.ts';
import { editCandidates } from './detect-edit.ts';
import { scopeCandidates } from './detect-scope.ts';
import { affixCandidates } from './detect-affix.ts';
import { sortedTokenKey, vowelless, wordSequenceKey, type Structures } from './structures.ts';

/** Same letters, different separators (`find-up` / `findup` / `find_up`), same scope. */
export function separatorCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  for (const id of s.byFlatBase.get(q.shape.flat)) {
    const entry = s.entries.get(id);
    if (entry.shape.key === q.shape.key || entry.shape.scope !== q.shape.scope) continue;
    // Squatters glue words together (`pythonbinance`); splitting a glued name into words
    // (`camel-case` beside `camelcase`) is how people respell names.
    const split = q.shape.tokens.length > entry.shape.tokens.length;
    out.push({ entry, kind: 'separator', technique: 'separator-changed', weight: split ? 0.55 : 0.9, evidence: { separators: q.shape.base.replace(/[^-_.]/g, ''), split } });
  }
  return out;
}

/** Same skeleton, different letters: Unicode confusables or ASCII look-alikes (`rn`/`m`, `0`/`o`). */
export function homoglyphCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  for (const id of s.bySkeleton.get(q.skeleton)) {
    const entry = s.entries.get(id);
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

/** The same words in another order (`json-parse` for `parse-json`). */
export function reorderCandidates(q: Query, s: Structures): Candidate[] {
  if (q.shape.tokens.length < 2) return [];
  const out: Candidate[] = [];
  for (const id of s.byTokenSet.get(sortedTokenKey(q.shape.tokens))) {
    const entry = s.entries.get(id);
    if (entry.shape.scope !== q.shape.scope || entry.shape.tokens.join(' ') === q.shape.tokens.join(' ')) continue;
    out.push({ entry, kind: 'reorder', technique: 'tokens-reordered', weight: 0.8, evidence: { tokens: q.shape.tokens } });
  }
  return out;
}

/** Simplified spellings: a word dropped (`proxy-middleware`), vowels dropped (`rqsts`). */
export function simplificationCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  const { flat, scope } = q.shape;
  // A name that several protected names extend is the root of a family (`embla-carousel`),
  // not a simplified member.
  const family = wordSequenceKey(scope, q.shape.tokens);
  const root = s.familyHeads.count(family, 2) + s.familyTails.count(family, 2) >= 2;
  for (const id of s.byDroppedToken.get(flat)) {
    const entry = s.entries.get(id);
    if (entry.shape.scope !== scope || entry.shape.key === q.shape.key) continue;
    const dropped = entry.shape.tokens.find((t) => !q.shape.tokens.includes(t)) ?? null;
    // A one- or two-letter word marks a variant (`tree-sitter-c`, `d3-force-3d`, `-v2`).
    const variant = dropped !== null && dropped.length <= 2;
    out.push({
      entry,
      kind: 'simplification',
      technique: 'token-dropped',
      weight: (root ? 0.25 : 0.42) * (variant ? 0.5 : 1),
      evidence: { dropped, family_root: root },
    });
  }
  if (flat.length >= 3 && flat === vowelless(flat)) {
    for (const id of s.byVowelless.get(flat)) {
      const entry = s.entries.get(id);
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
