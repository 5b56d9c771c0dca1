/**
 * `input.facts.name` and `input.facts.lookalike`: what the name says and which popular or
 * internal name it imitates — computed once per package (every version shares them) and kept
 * (the indexes do not change while the process runs).
 */
import { lookalikeFacts, nameFacts, NO_LOOKALIKE } from '../facts.ts';
import { asJson, packageOf, type FactsDoc, type SignalCollector } from './types.ts';
import type { LookalikeIndexSource } from './indexes.ts';
import { TtlCache } from './ttl-cache.ts';

export interface NameCollectorDeps {
  readonly indexes: LookalikeIndexSource;
}

const FOREVER = 365 * 86_400_000;

export function nameCollector(deps: NameCollectorDeps, options: { readonly maxPackages?: number } = {}): SignalCollector {
  const memo = new TtlCache<string, FactsDoc>(options.maxPackages ?? 20_000, FOREVER);
  return {
    id: 'signals.name',
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const key = `${pkg.ecosystem}\0${pkg.name}`;
      const now = req.now.getTime();
      let facts = memo.get(key, now);
      if (facts === undefined) {
        if (pkg.ecosystem === 'npm' || pkg.ecosystem === 'pypi') {
          const index = await deps.indexes.get(pkg.ecosystem);
          const popular = index.popularEntry(pkg.name);
          facts = {
            name: asJson(nameFacts(pkg.name, popular === null ? null : { rank: popular.rank, downloads: popular.downloads }, index.isInternal(pkg.name))),
            lookalike: asJson(lookalikeFacts(index.match(pkg.name))),
          };
        } else {
          facts = { name: asJson(nameFacts(pkg.name, null, false)), lookalike: asJson(NO_LOOKALIKE) };
        }
        memo.set(key, facts, now);
      }
      const same = facts;
      return req.candidates.map(() => same);
    },
  };
}
