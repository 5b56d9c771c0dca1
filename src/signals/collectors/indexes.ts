/**
 * The look-alike indexes the gate uses, one per ecosystem, built from the bundled popular lists
 * and the configured internal names on first use (about 0.15–0.25 s of CPU each, once per process;
 * `airlock serve` asks for those of the ecosystems it serves before it answers) and shared
 * afterwards. A build that fails is retried at the next use, never cached.
 */
import { loadBundledLookalikeIndex } from '../popular/index.ts';
import type { LookalikeIndex } from '../lookalike/index.ts';

export type IndexedEcosystem = 'npm' | 'pypi';

export interface LookalikeIndexSource {
  /** The index of an ecosystem (rejects when it cannot be built). */
  get(ecosystem: IndexedEcosystem): Promise<LookalikeIndex>;
}

export interface LazyIndexOptions {
  /** Internal (private) package names per ecosystem: protected like popular ones; found upstream, dependency confusion. */
  readonly internal?: Readonly<Partial<Record<IndexedEcosystem, readonly string[]>>>;
  readonly minScore?: number;
}

export function lazyLookalikeIndexes(options: LazyIndexOptions = {}): LookalikeIndexSource {
  const built = new Map<IndexedEcosystem, Promise<LookalikeIndex>>();
  return {
    get(ecosystem) {
      let p = built.get(ecosystem);
      if (p === undefined) {
        p = loadBundledLookalikeIndex(ecosystem, {
          internal: options.internal?.[ecosystem] ?? [],
          ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
        });
        built.set(ecosystem, p);
        p.catch(() => built.delete(ecosystem));
      }
      return p;
    },
  };
}

/**
 * Builds the indexes of the given ecosystems now (a server does so before it answers). A failed
 * build is logged and left to the first use, which tries again.
 */
export async function warmLookalikeIndexes(
  source: LookalikeIndexSource,
  ecosystems: Iterable<IndexedEcosystem>,
  log: { warn(obj: object, msg: string): void },
): Promise<void> {
  for (const ecosystem of new Set(ecosystems)) {
    try {
      await source.get(ecosystem);
    } catch (err) {
      log.warn({ err, ecosystem }, 'could not build the look-alike index at start-up; it is built on first use');
    }
  }
}

/** Indexes given up front (tests, tools). */
export function fixedLookalikeIndexes(indexes: Readonly<Partial<Record<IndexedEcosystem, LookalikeIndex>>>): LookalikeIndexSource {
  return {
    async get(ecosystem) {
      const index = indexes[ecosystem];
      if (index === undefined) throw new Error(`no look-alike index for ${ecosystem}`);
      return index;
    },
  };
}
