/**
 * A package's imported advisories, read from the feed store once per package and time to live
 * and shared by the collectors that read them (known-malicious, vulnerabilities): one store read
 * per package on a cold install, however many collectors use it.
 */
import type { WeighedCache } from '../../core/index.ts';
import type { FeedStore } from '../../storage/ports/index.ts';
import { advisoryToRecord, canonicalFeedName, type FeedRecord } from '../feeds/index.ts';
import { TtlCache } from './ttl-cache.ts';

export interface PackageAdvisories {
  /** Known-malicious records (MAL-*). */
  readonly malicious: readonly FeedRecord[];
  /** Vulnerability records (GHSA, PYSEC, CVE …). */
  readonly vulnerabilities: readonly FeedRecord[];
}

export interface AdvisoryLookup {
  /** The advisories naming this package, by any spelling of its name. */
  of(ecosystem: 'npm' | 'pypi', name: string, nowMs: number): Promise<PackageAdvisories>;
  /** The feed changed: forget everything read. */
  clear(): void;
  /** What is kept (its fill is exported as a metric). */
  readonly cache: WeighedCache;
}

const NONE: PackageAdvisories = Object.freeze({ malicious: Object.freeze([]), vulnerabilities: Object.freeze([]) });

/** The advisories naming a package, read from the store now, by kind (withdrawn ones the store leaves out). */
export async function readAdvisories(feeds: Pick<FeedStore, 'advisoriesFor'>, ecosystem: 'npm' | 'pypi', spelled: string): Promise<PackageAdvisories> {
  const records = (await feeds.advisoriesFor(ecosystem, canonicalFeedName(ecosystem, spelled))).map(advisoryToRecord).filter((r): r is FeedRecord => r !== null);
  if (records.length === 0) return NONE;
  return { malicious: records.filter((r) => r.kind === 'malicious'), vulnerabilities: records.filter((r) => r.kind === 'vulnerability') };
}

export function advisoryLookup(feeds: Pick<FeedStore, 'advisoriesFor'>, options: { readonly ttlMs: number; readonly maxPackages?: number }): AdvisoryLookup {
  const cache = new TtlCache<string, PackageAdvisories>(options.maxPackages ?? 20_000, options.ttlMs);
  return {
    cache,
    clear: () => cache.clear(),
    async of(ecosystem, spelled, nowMs) {
      const key = `${ecosystem}\0${canonicalFeedName(ecosystem, spelled)}`;
      const cached = cache.get(key, nowMs);
      if (cached !== undefined) return cached;
      const found = await readAdvisories(feeds, ecosystem, spelled);
      cache.set(key, found, nowMs);
      return found;
    },
  };
}
