/**
 * `createLookalikeIndex(popular, options)`: build once, then `match(name)` finds the popular or
 * internal name a name imitates and how. Popular names are never flagged; internal names asked
 * for upstream are dependency confusion; legitimate look-alike pairs are never reported.
 */
import { boundedOsaDistance } from './edit-distance.ts';
import { shapeOf } from './names.ts';
import { buildStructures, entryByKey, type Entry, type Structures } from './structures.ts';
import { DETECTORS } from './detectors.ts';
import { makeQuery, type Candidate } from './candidate.ts';
import type { LookalikeIndex, LookalikeMatch, LookalikeOptions, LookalikeTarget, PopularName } from './types.ts';

export const DEFAULT_MIN_SCORE = 0.3;
/** Names longer than this are analysed by their first characters only (bounded work). */
const MAX_ANALYSED_LENGTH = 256;

const KIND_PRIORITY: Readonly<Record<LookalikeMatch['kind'], number>> = {
  'dependency-confusion': 0,
  homoglyph: 1,
  scope: 2,
  separator: 3,
  typo: 4,
  reorder: 5,
  affix: 6,
  simplification: 7,
};

function targetOf(entry: Entry): LookalikeTarget {
  return { name: entry.name, source: entry.source, rank: entry.rank, downloads: entry.downloads };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Weight of a look-alike published under a scope that owns popular names (see above). */
const OWNED_SCOPE_FACTOR = 0.5;

/**
 * One scale for every technique, set on the tuning half of the evaluation so that the default
 * `minScore` (0.3) keeps about 90% recall of labelled look-alikes; the relative weights come
 * from the detectors. `npm run eval:signals` prints the recall / noise curve around it.
 */
const SCORE_SCALE = 1.1;

function scoreOf(c: Candidate, factor: number): number {
  return round3(Math.min(1, c.weight * c.entry.popularity * factor * SCORE_SCALE));
}

function toMatch(name: string, key: string, c: Candidate, score: number): LookalikeMatch {
  return {
    name,
    closest: c.entry.name,
    kind: c.kind,
    technique: c.technique,
    score,
    distance: boundedOsaDistance(key, c.entry.shape.key, 64),
    target: targetOf(c.entry),
    evidence: c.evidence,
  };
}

function compareMatches(a: LookalikeMatch, b: LookalikeMatch): number {
  if (a.score !== b.score) return b.score - a.score;
  const ra = a.target.rank ?? 0;
  const rb = b.target.rank ?? 0;
  if (ra !== rb) return ra - rb;
  return KIND_PRIORITY[a.kind] - KIND_PRIORITY[b.kind];
}

function matchAllIn(s: Structures, minScore: number, name: string): LookalikeMatch[] {
  const analysed = name.length > MAX_ANALYSED_LENGTH ? name.slice(0, MAX_ANALYSED_LENGTH) : name;
  const shape = shapeOf(s.rules, analysed);
  if (shape.key === '') return [];
  const internal = entryByKey(s, shape.key, 'internal');
  if (internal !== undefined) {
    return [
      {
        name,
        closest: internal.name,
        kind: 'dependency-confusion',
        technique: 'internal-name-upstream',
        score: 1,
        distance: 0,
        target: targetOf(internal),
        evidence: { internal: true },
      },
    ];
  }
  if (entryByKey(s, shape.key, 'popular') !== undefined) return [];
  const q = makeQuery(name, shape);
  // Only the owner of a scope that holds popular names publishes under it: such a name is not an
  // outsider's imitation of its siblings, and imitates others less plausibly.
  const ownedScope = shape.scope !== null && s.popularScopes.has(shape.scope);
  const best = new Map<number, LookalikeMatch>();
  for (const detect of DETECTORS) {
    for (const c of detect(q, s)) {
      if (s.legitPairs.has(shape.key, c.entry.shape.key)) continue;
      if (ownedScope && c.entry.shape.scope === shape.scope) continue;
      const score = scoreOf(c, ownedScope ? OWNED_SCOPE_FACTOR : 1);
      if (score < minScore) continue;
      const prev = best.get(c.entry.id);
      if (prev !== undefined && prev.score > score) continue;
      const m = toMatch(name, shape.key, c, score);
      if (prev === undefined || compareMatches(m, prev) < 0) best.set(c.entry.id, m);
    }
  }
  return [...best.values()].sort(compareMatches);
}

export function createLookalikeIndex(popular: readonly PopularName[], options: LookalikeOptions): LookalikeIndex {
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  const s = buildStructures(options.rules, popular, options.internal ?? [], options.legitPairs ?? []);
  return {
    rules: options.rules,
    size: s.entries.size,
    match: (name) => matchAllIn(s, minScore, name)[0] ?? null,
    matchAll: (name) => matchAllIn(s, minScore, name),
    isPopular: (name) => entryByKey(s, shapeOf(s.rules, name).key, 'popular') !== undefined,
    popularEntry: (name) => {
      const e = entryByKey(s, shapeOf(s.rules, name).key, 'popular');
      return e === undefined ? null : targetOf(e);
    },
    isInternal: (name) => entryByKey(s, shapeOf(s.rules, name).key, 'internal') !== undefined,
  };
}
