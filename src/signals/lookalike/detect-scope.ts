/** npm scope confusion: a scope dropped, added, flattened into the name, mistyped or foreign. */
import { boundedOsaDistance } from './edit-distance.ts';
import { skeletonOf } from './confusables.ts';
import { flatOf, tokensOf } from './names.ts';
import { lengthFactor, type Candidate, type Query } from './candidate.ts';
import { wordSequenceKey, type Structures } from './structures.ts';

/** Popular names extending a word sequence for it to count as a family head. */
const FAMILY_MIN = 5;

/** DefinitelyTyped publishes `@types/x` for real packages `x`: a mirror, never an impostor. */
const TYPES_SCOPE = 'types';

/**
 * How specific a basename is: 1 when one protected name has it, lower when many share it
 * (`core`, `utils`, `config` under many scopes). `@types/*` mirrors do not count.
 */
function specificity(s: Structures, flatBase: string): number {
  let n = 0;
  for (const id of s.byFlatBase.get(flatBase)) if (s.entries.get(id).shape.scope !== TYPES_SCOPE) n++;
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
    for (const id of s.byFullFlat.get(q.fullFlat)) {
      const entry = s.entries.get(id);
      // `babel-core` for `@babel/core`: when the scope's word already heads many unscoped popular
      // names (`babel-*`, `rollup-plugin-*`), the flattened spelling is a naming tradition (often
      // the package's own name before it moved into the scope), not a trick.
      const scopeWords = tokensOf(entry.shape.scope ?? '');
      const tradition = s.familyHeads.count(wordSequenceKey(null, scopeWords), FAMILY_MIN) >= FAMILY_MIN;
      out.push({
        entry,
        kind: 'scope',
        technique: 'scope-flattened',
        weight: tradition ? 0.35 : 0.85,
        evidence: { scope: entry.shape.scope, naming_tradition: tradition },
      });
    }
    // `tinycolor` for `@ctrl/tinycolor` (but `x` for `@types/x` is the typed package itself).
    const dropSpec = specificity(s, flat);
    for (const id of s.byFlatBase.get(flat)) {
      const entry = s.entries.get(id);
      if (entry.shape.scope === null || entry.shape.scope === TYPES_SCOPE) continue;
      // A basename that is a name of its own (`semver` for `@storybook/semver`) is more likely
      // the original than a confusion; a family member's (`client-s3`) is not.
      const family = s.familyMembers[entry.id] === 1 ? 1 : flat.length >= 12 || q.shape.tokens.length >= 3 ? 0.75 : 0.45;

      out.push({
        entry,
        kind: 'scope',
        technique: 'scope-dropped',
        weight: 0.7 * baseFactor * dropSpec * family,
        evidence: { scope: entry.shape.scope, family_member: family === 1 },
      });
    }
    return out;
  }
  const scopeFlat = flatOf(scope);
  const scopeSkeleton = skeletonOf(scopeFlat);
  const knownScope = s.knownScopes.has(scope);
  const sameBase = s.byFlatBase.get(flat);
  const spec = specificity(s, flat);
  // Scope typos are also edit-distance typos of the whole name (the edit detector finds those);
  // the distance here only matters for basenames few names share.
  const measureDistance = sameBase.length <= 32;
  for (const id of sameBase) {
    const entry = s.entries.get(id);
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
      // A scoped name's identity is its scope: `@x/logging` does not imitate
      // `@google-cloud/logging` (most such names are a company's own packages), unless the
      // basename carries the other scope's name (`@x/fingerprintjs` for
      // `@fingerprintjs/fingerprintjs`).
      const carriesScope = tScopeFlat.length >= 4 && flat.includes(tScopeFlat);
      out.push({
        entry,
        kind: 'scope',
        technique: 'foreign-scope',
        weight: (carriesScope ? 0.55 : 0.25) * baseFactor * spec,
        evidence: { scope, imitated_scope: tScope },
      });
    }
  }
  return out;
}
