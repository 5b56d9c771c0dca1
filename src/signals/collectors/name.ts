/**
 * `input.facts.name` and `input.facts.lookalike`: what the name says and which popular or
 * internal name it imitates — computed once per package (every version shares them) and kept
 * while the index they were computed with is the current one (it changes when a package is
 * published under a new name to a hosted repository).
 */
import { lookalikeFacts, nameFacts, NO_LOOKALIKE } from '../facts.ts';
import type { LookalikeIndex } from '../lookalike/index.ts';
import { asJson, packageOf, type CachingCollector, type FactsDoc } from './types.ts';
import type { LookalikeIndexSource } from './indexes.ts';
import { TtlCache } from './ttl-cache.ts';

export interface NameCollectorDeps {
  readonly indexes: LookalikeIndexSource;
}

const FOREVER = 365 * 86_400_000;

/** Which index facts were computed with, without keeping an index that was replaced alive. */
const indexIds = new WeakMap<LookalikeIndex, number>();
let lastIndexId = 0;

function indexId(index: LookalikeIndex | null): number {
  if (index === null) return 0;
  let id = indexIds.get(index);
  if (id === undefined) {
    id = ++lastIndexId;
    indexIds.set(index, id);
  }
  return id;
}

export function nameCollector(deps: NameCollectorDeps, options: { readonly maxPackages?: number } = {}): CachingCollector {
  const memo = new TtlCache<string, { readonly index: number; readonly facts: FactsDoc }>(options.maxPackages ?? 20_000, FOREVER);
  return {
    id: 'signals.name',
    cache: memo,
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const key = `${pkg.ecosystem}\0${pkg.name}`;
      const now = req.now.getTime();
      const index = pkg.ecosystem === 'npm' || pkg.ecosystem === 'pypi' ? await deps.indexes.get(pkg.ecosystem) : null;
      let kept = memo.get(key, now);
      if (kept === undefined || kept.index !== indexId(index)) {
        let facts: FactsDoc;
        if (index !== null) {
          const popular = index.popularEntry(pkg.name);
          facts = {
            name: asJson(nameFacts(pkg.name, popular === null ? null : { rank: popular.rank, downloads: popular.downloads }, index.isInternal(pkg.name))),
            lookalike: asJson(lookalikeFacts(index.match(pkg.name))),
          };
        } else {
          facts = { name: asJson(nameFacts(pkg.name, null, false)), lookalike: asJson(NO_LOOKALIKE) };
        }
        kept = { index: indexId(index), facts };
        memo.set(key, kept, now);
      }
      const same = kept.facts;
      return req.candidates.map(() => same);
    },
  };
}
