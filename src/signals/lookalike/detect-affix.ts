/** Combosquats: a popular name with an affix word or a number glued on. */
import { flatOf } from './names.ts';
import { GENERIC_CORES, GLUED_PREFIXES, GLUED_SUFFIXES, PREFIXES, SQUATTER_AFFIXES, SUFFIXES } from './affixes.ts';
import type { Candidate, Query } from './candidate.ts';
import type { Entry, Structures } from './structures.ts';

function affixFactor(targetFlat: string): number {
  const len = targetFlat.length;
  if (len <= 2) return 0;
  if (len === 3) return 0.4;
  if (len === 4) return 0.7;
  return 1;
}

function lookupSameScope(s: Structures, flat: string, scope: string | null): Entry[] {
  return s.byFlatBase.get(flat).map((id) => s.entries.get(id)).filter((e) => e.shape.scope === scope);
}

const VERSION_RE = /^v?\d{1,2}(?:[-_.]\d{1,3}){0,3}$/;
const DIGITS_SUFFIX_RE = /^(.*?[a-z])[-_.]?(v?\d+(?:[-_.]\d+)*)$/;

/**
 * How much an affix on `core` says: on a generic word (`test`, `utils`, `data`) gluing something
 * names a new thing more often than it imitates a package.
 */
function coreSpecificity(core: string): number {
  return GENERIC_CORES.has(core) ? 0.5 : 1;
}

/**
 * The squatter affixes weigh fully; another affix word weighs less the more popular
 * names legitimately use it (`-core`: 1/(1 + 40/10) on npm). `a+b` combines both words.
 */
function affixWordWeight(s: Structures, affix: string): number {
  let w = 1;
  for (const word of affix.split('+')) {
    if (!SQUATTER_AFFIXES.has(word)) w *= 1 / (1 + (s.affixUse.get(word) ?? 0) / 10);
  }
  return w;
}

/** Combosquats: a popular name with an affix word or digits glued on (`node-lodash`, `requests2`). */
export function affixCandidates(q: Query, s: Structures): Candidate[] {
  const out: Candidate[] = [];
  const { tokens, flat, scope, base } = q.shape;
  const seen = new Set<number>();
  const emit = (core: string, technique: 'prefix' | 'suffix' | 'digits', affix: string, weight: number): void => {
    const spec = coreSpecificity(core) * (technique === 'digits' ? 1 : affixWordWeight(s, affix));
    for (const entry of lookupSameScope(s, core, scope)) {
      if (seen.has(entry.id) || entry.shape.key === q.shape.key) continue;
      const factor = affixFactor(entry.shape.flat);
      if (factor === 0) continue;
      seen.add(entry.id);
      out.push({ entry, kind: 'affix', technique, weight: weight * factor * spec, evidence: { affix } });
    }
  };
  // Digits or a version number glued on: `ethers-6`, `cors-2.8.5`, `react18`. A number that is
  // not a version (`test-23456`, `temp240824`) reads as a numbered series, weaker.
  const digits = DIGITS_SUFFIX_RE.exec(base);
  if (digits !== null) {
    const number = digits[2] as string;
    emit(flatOf(digits[1] as string), 'digits', number, VERSION_RE.test(number) ? 0.7 : 0.4);
  }
  if (tokens.length >= 2) {
    const first = tokens[0] as string;
    const last = tokens[tokens.length - 1] as string;
    if (PREFIXES.has(first)) emit(tokens.slice(1).join(''), 'prefix', first, 0.65);
    if (SUFFIXES.has(last)) emit(tokens.slice(0, -1).join(''), 'suffix', last, 0.65);
    if (tokens.length >= 3 && PREFIXES.has(first) && SUFFIXES.has(last)) emit(tokens.slice(1, -1).join(''), 'prefix', `${first}+${last}`, 0.6);
  }
  // A squatter word after an inner word, glued or not: `reactjs-slick`, `react-js-slick`.
  for (let i = 0; i + 1 < tokens.length; i++) {
    const word = tokens[i] as string;
    const rest = (k: number, replacement: string): string => [...tokens.slice(0, k), replacement, ...tokens.slice(k + 1)].join('');
    if (i > 0 && SQUATTER_AFFIXES.has(word)) emit(rest(i, ''), 'suffix', word, 0.55);
    for (const x of SQUATTER_AFFIXES) {
      if (word.length - x.length >= 3 && word.endsWith(x)) emit(rest(i, word.slice(0, -x.length)), 'suffix', x, 0.55);
    }
  }
  for (const p of GLUED_PREFIXES) {
    if (flat.length - p.length >= 3 && flat.startsWith(p)) emit(flat.slice(p.length), 'prefix', p, 0.6);
  }
  for (const x of GLUED_SUFFIXES) {
    if (flat.length - x.length >= 3 && flat.endsWith(x)) emit(flat.slice(0, -x.length), 'suffix', x, 0.6);
  }
  return out;
}
