/**
 * Edit-distance look-alikes: one edit (two for long names) over the separator-free spelling,
 * weighed by the shape of the edit (`edit-shape.ts`) and by whether it lands on real words.
 */
import { boundedOsaDistance, classifySingleEdit, type SingleEdit } from './edit-distance.ts';
import { changedWords, doubleEditWeight, opCounts, singleEditFactor, wordRelation, wordsOf } from './edit-shape.ts';
import { lengthFactor, type Candidate, type Query } from './candidate.ts';
import { editBudget, endsWord, type Entry, type Structures } from './structures.ts';
import type { Evidence, LookalikeKind } from './types.ts';

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

/** Weight of an edit that turns a word into another word the protected names use. */
const KNOWN_WORD_FACTOR = 0.45;
const KNOWN_INFLECTION_FACTOR = 0.65;

/**
 * Every word the query changed is a word other protected names use: the edit made another name
 * out of real words (`preact`, `willow`), not a slip. Words are compared whole; names whose words
 * do not line up (a separator added or removed) are not judged here.
 */
function landsOnKnownWords(s: Structures, targetWords: readonly string[], queryWords: readonly string[]): boolean {
  const changed = changedWords(targetWords, queryWords);
  return changed !== null && changed.length > 0 && changed.every((w) => s.vocabulary.has(w));
}

/** The edit only adds or removes letters at the end of a word (`resolver`, `plugins`, `sizer`). */
function inflection(edit: SingleEdit, entry: Entry): boolean {
  if (edit.technique === 'omission') return endsWord(entry, edit.at + 1);
  if (edit.technique === 'insertion' || edit.technique === 'repetition') return endsWord(entry, edit.at);
  return false;
}

/** Position `at` of the target lies in the run of digits that ends one of its words. */
function inTrailingNumber(entry: Entry, at: number): boolean {
  const t = entry.fullFlat;
  let end = at;
  while (end < t.length && /\d/.test(t[end] as string) && !endsWord(entry, end)) end++;
  return end <= t.length && (endsWord(entry, end) || end === t.length) && /\d/.test(t[at] ?? '');
}

/** An `s` added or removed at the end of a word. */
function isPluralEdit(edit: SingleEdit, entry: Entry): boolean {
  if ((edit.technique === 'insertion' || edit.technique === 'repetition') && edit.to === 's') return endsWord(entry, edit.at);
  if (edit.technique === 'omission' && edit.from === 's') return endsWord(entry, edit.at + 1);
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
  const queryWords = wordsOf(q.shape.scope, q.shape.tokens);
  for (const id of s.deletion.candidates(flat)) {
    const entry = s.entries.get(id);
    if ((entry.shape.scope === null) !== (q.shape.scope === null)) continue;
    const t = entry.fullFlat;
    const budget = editBudget(t.length);
    const d = boundedOsaDistance(flat, t, budget);
    if (d === 0 || d > budget) continue;
    const targetWords = wordsOf(entry.shape.scope, entry.shape.tokens);
    const relation = wordRelation(targetWords, queryWords);
    const realWords = landsOnKnownWords(s, targetWords, queryWords);
    const wordFactor = realWords ? KNOWN_WORD_FACTOR : 1;
    if (d === 2) {
      const ops = opCounts(t, flat);
      // Two edits that move letters across the scope boundary (`@evil/test-utils` against
      // `@vitest/utils`) are not a slip in either part.
      const acrossScope = entry.shape.scope !== null && relation.kind === 'regrouped' ? 0.3 : 1;
      out.push({
        entry,
        kind: 'typo',
        technique: 'double-typo',
        weight: doubleEditWeight(ops, relation, t.length) * wordFactor * acrossScope,
        evidence: { distance: 2, substitutions: ops.substitutions, words: relation.kind, known_words: realWords, separators_changed: separatorsChanged(entry) },
      });
      continue;
    }
    const edit = classifySingleEdit(t, flat);
    if (edit === null) continue;
    // A digit appended to a word is a combosquat (`express4`); the affix detector reports it.
    if ((edit.technique === 'insertion' || edit.technique === 'repetition') && /\d/.test(edit.to) && endsWord(entry, edit.at)) continue;
    // The target is a numbered successor of the name (`mysql` beside `mysql2`, `json` beside
    // `json5`): a version sibling, rarely an imitation.
    const versionSibling = edit.technique === 'omission' && /\d/.test(edit.from) && endsWord(entry, edit.at + 1);
    const factor = lengthFactor(touchedLength(entry, edit.at));
    if (factor === 0) continue;
    const evidence: Evidence = { at: edit.at, from: edit.from, to: edit.to, known_words: realWords, separators_changed: separatorsChanged(entry) };
    // Another known word: weaker still when the edit swaps letters inside it than when it only
    // inflects its end (`plugins`, `resolver`), which squatters do too.
    const singleWordFactor = realWords && inflection(edit, entry) ? KNOWN_INFLECTION_FACTOR : wordFactor;
    const shapeFactor =
      singleEditFactor(edit.technique, edit.from, edit.to, edit.at === 0 || edit.at === entry.scopeFlatLength, inTrailingNumber(entry, edit.at), relation) *
      singleWordFactor *
      (versionSibling ? 0.4 : 1);
    if (isPluralEdit(edit, entry)) {
      out.push({ entry, kind: 'simplification', technique: 'plural', weight: 0.75 * factor * singleWordFactor, evidence });
      continue;
    }
    const kind: LookalikeKind = edit.technique === 'homoglyph-substitution' ? 'homoglyph' : 'typo';
    out.push({ entry, kind, technique: edit.technique, weight: EDIT_WEIGHT[edit.technique] * factor * shapeFactor, evidence });
  }
  return out;
}
