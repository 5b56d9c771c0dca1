/**
 * Runs the gate-side fact collectors for some versions of one package and merges what they
 * return into each version's facts. A collector that throws, returns the wrong number of fact
 * objects, or supplies a key that is already set fails the whole batch (the gate then fails
 * closed for every version in it).
 */
import type { Json, RequestContext } from '../storage/ports/index.ts';
import type { FactCollector, Facts, VersionCandidate } from './types.ts';

export interface CollectArgs {
  readonly phase: 'metadata' | 'artifact';
  readonly candidates: readonly VersionCandidate[];
  readonly history: readonly VersionCandidate[];
  readonly request: RequestContext | null;
  readonly now: Date;
}

export async function collectFacts(collectors: readonly FactCollector[], args: CollectArgs): Promise<Facts[]> {
  if (collectors.length === 0) return args.candidates.map((c) => c.facts);
  const merged: { [k: string]: Json }[] = args.candidates.map((c) => ({ ...c.facts }));
  for (const collector of collectors) {
    let more: readonly Facts[];
    try {
      more = await collector.collect(args);
    } catch (err) {
      throw new Error(`fact collector ${collector.id} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (more.length !== merged.length) {
      throw new Error(`fact collector ${collector.id} returned facts for ${more.length} versions, not ${merged.length}`);
    }
    for (let i = 0; i < more.length; i++) {
      const into = merged[i] as { [k: string]: Json };
      const facts = more[i] as Facts;
      // Once per version and collector on every metadata judgement: no entry arrays.
      for (const k in facts) {
        if (!Object.hasOwn(facts, k)) continue;
        if (Object.hasOwn(into, k)) throw new Error(`fact collector ${collector.id} supplies facts.${k}, which is already set`);
        into[k] = facts[k] as Json;
      }
    }
  }
  return merged;
}

/** The package's versions for history-aware collectors, with `candidate` in place of its own entry. */
export function historyWith(candidate: VersionCandidate, history: readonly VersionCandidate[] | undefined): readonly VersionCandidate[] {
  if (history === undefined || history.length === 0) return [candidate];
  const v = candidate.subject.version;
  let found = false;
  const out = history.map((h) => {
    if (h.subject.version !== v) return h;
    found = true;
    return candidate;
  });
  if (!found) out.push(candidate);
  return out;
}

/** Groups candidates by package (repo, ecosystem, name), keeping their order. */
export function byPackage<T extends { readonly c: VersionCandidate }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const s = item.c.subject;
    const k = `${s.repo}\0${s.ecosystem}\0${s.name}`;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [item]);
    else g.push(item);
  }
  return [...groups.values()];
}

/** Candidates grouped by package (repo, ecosystem, name), keeping their order; one package needs no copy. */
export function packagesOf(candidates: readonly VersionCandidate[]): (readonly VersionCandidate[])[] {
  const first = candidates[0]?.subject;
  if (first === undefined) return [];
  if (candidates.every((c) => c.subject.name === first.name && c.subject.repo === first.repo && c.subject.ecosystem === first.ecosystem)) return [candidates];
  return byPackage(candidates.map((c) => ({ c }))).map((g) => g.map((x) => x.c));
}
