/**
 * The look-alike indexes the gate uses, one per ecosystem, built from the bundled popular lists
 * and the configured internal names on first use (about 0.15–0.25 s of CPU each, once per process;
 * a server builds the ones its repositories need before it listens) and shared afterwards. A build that fails is retried at the next use, never cached.
 */
import { loadBundledLookalikeIndex } from '../popular/index.ts';
import type { LookalikeIndex } from '../lookalike/index.ts';

export type IndexedEcosystem = 'npm' | 'pypi';

export interface LookalikeIndexSource {
  /** The index of an ecosystem (rejects when it cannot be built). */
  get(ecosystem: IndexedEcosystem): Promise<LookalikeIndex>;
  /** Whether the index of an ecosystem is built and ready to answer at once. */
  built(ecosystem: IndexedEcosystem): boolean;
}

export interface LazyIndexOptions {
  /** Internal (private) package names per ecosystem: protected like popular ones; found upstream, dependency confusion. */
  readonly internal?: Readonly<Partial<Record<IndexedEcosystem, readonly string[]>>>;
  readonly minScore?: number;
}

export function lazyLookalikeIndexes(options: LazyIndexOptions = {}): LookalikeIndexSource {
  const building = new Map<IndexedEcosystem, Promise<LookalikeIndex>>();
  const ready = new Set<IndexedEcosystem>();
  return {
    get(ecosystem) {
      let p = building.get(ecosystem);
      if (p === undefined) {
        p = loadBundledLookalikeIndex(ecosystem, {
          internal: options.internal?.[ecosystem] ?? [],
          ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
        });
        building.set(ecosystem, p);
        p.then(
          () => ready.add(ecosystem),
          () => building.delete(ecosystem),
        );
      }
      return p;
    },
    built: (ecosystem) => ready.has(ecosystem),
  };
}

/** Indexes given up front (tests, tools). */
export function fixedLookalikeIndexes(indexes: Readonly<Partial<Record<IndexedEcosystem, LookalikeIndex>>>): LookalikeIndexSource {
  return {
    async get(ecosystem) {
      const index = indexes[ecosystem];
      if (index === undefined) throw new Error(`no look-alike index for ${ecosystem}`);
      return index;
    },
    built: (ecosystem) => indexes[ecosystem] !== undefined,
  };
}
