/**
 * The look-alike indexes the gate uses, one per ecosystem, built from the bundled popular lists
 * and the internal names (configured, and those published to hosted repositories) on first use
 * (about 0.15–0.25 s of CPU each; `airlock serve` asks for those of the ecosystems it serves
 * before it answers) and shared afterwards. When the internal names change (a new package
 * published), `refresh` has the next use build it again. A build that fails is retried at the
 * next use, never cached.
 */
import { loadBundledLookalikeIndex } from '../popular/index.ts';
import type { LookalikeIndex } from '../lookalike/index.ts';

export type IndexedEcosystem = 'npm' | 'pypi';

export interface LookalikeIndexSource {
  /** The index of an ecosystem (rejects when it cannot be built). */
  get(ecosystem: IndexedEcosystem): Promise<LookalikeIndex>;
}

export interface RefreshableIndexSource extends LookalikeIndexSource {
  /** The internal names changed: the next use builds the ecosystem's index again (the current one serves until then). */
  refresh(ecosystem: IndexedEcosystem): void;
}

export interface LazyIndexOptions {
  /** Internal (private) package names per ecosystem: protected like popular ones; found upstream, dependency confusion. */
  readonly internal?: Readonly<Partial<Record<IndexedEcosystem, readonly string[]>>>;
  /** More internal names, read at each build: the names published to hosted repositories. */
  readonly published?: (ecosystem: IndexedEcosystem) => readonly string[];
  readonly minScore?: number;
}

export function lazyLookalikeIndexes(options: LazyIndexOptions = {}): RefreshableIndexSource {
  const built = new Map<IndexedEcosystem, Promise<LookalikeIndex>>();
  return {
    get(ecosystem) {
      let p = built.get(ecosystem);
      if (p === undefined) {
        const internal = [...(options.internal?.[ecosystem] ?? []), ...(options.published?.(ecosystem) ?? [])];
        p = loadBundledLookalikeIndex(ecosystem, {
          internal,
          ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
        });
        built.set(ecosystem, p);
        p.catch(() => built.delete(ecosystem));
      }
      return p;
    },
    refresh(ecosystem) {
      built.delete(ecosystem);
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
