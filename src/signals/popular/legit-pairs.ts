/**
 * Legitimate look-alike pairs, derived from the popular lists themselves: two popular names
 * within Damerau-Levenshtein (OSA) distance 1, or equal once separators and the npm scope are
 * removed. Both members are real, popular packages (react/preact, uuid/uid, boto3/boto), so the
 * look-alike engine never reports one against the other. Rules follow the derivation described
 * in the threat-data notes: DefinitelyTyped (`@types/*`) scope-strip pairs are left out, and
 * separator/scope-strip pairs are kept only when the more popular member ranks in the top 2,000.
 */
import { buildDeletionIndex } from '../lookalike/deletion-index.ts';
import { boundedOsaDistance } from '../lookalike/edit-distance.ts';
import { shapeOf, type NameRules } from '../lookalike/names.ts';
import type { PopularName } from '../lookalike/index.ts';

export type LegitPairKind = 'edit-distance-1' | 'same-after-separator-or-scope-strip';

/** `[more popular, less popular, kind]`. */
export type LegitPair = readonly [string, string, LegitPairKind];

export const SEPARATOR_PAIR_TOP_RANK = 2000;

export function deriveLegitPairs(rules: NameRules, popular: readonly PopularName[]): LegitPair[] {
  const names = [...popular].sort((a, b) => a.rank - b.rank);
  const keys = names.map((p) => shapeOf(rules, p.name).key);
  const out: LegitPair[] = [];
  const seen = new Set<string>();
  const add = (i: number, j: number, kind: LegitPairKind): void => {
    const [a, b] = i < j ? [i, j] : [j, i];
    const id = `${a}:${b}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push([names[a]?.name as string, names[b]?.name as string, kind]);
  };

  const index = buildDeletionIndex(keys, (length) => (length <= 64 ? 1 : 0));
  keys.forEach((key, i) => {
    for (const j of index.candidates(key)) {
      if (j <= i) continue;
      if (boundedOsaDistance(key, keys[j] as string, 1) === 1) add(i, j, 'edit-distance-1');
    }
  });

  const byStripped = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const shape = shapeOf(rules, key);
    const stripped = shape.flat;
    if (stripped === '') return;
    const list = byStripped.get(stripped);
    if (list === undefined) byStripped.set(stripped, [i]);
    else list.push(i);
  });
  for (const group of byStripped.values()) {
    if (group.length < 2) continue;
    for (let x = 0; x < group.length; x++) {
      for (let y = x + 1; y < group.length; y++) {
        const i = group[x] as number;
        const j = group[y] as number;
        if (Math.min(names[i]?.rank ?? Infinity, names[j]?.rank ?? Infinity) > SEPARATOR_PAIR_TOP_RANK) continue;
        if ((keys[i] as string).startsWith('@types/') || (keys[j] as string).startsWith('@types/')) continue;
        add(i, j, 'same-after-separator-or-scope-strip');
      }
    }
  }
  return out.sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] < q[1] ? -1 : p[1] > q[1] ? 1 : 0));
}
