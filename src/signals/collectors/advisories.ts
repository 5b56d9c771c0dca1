/**
 * A package's imported advisories, read from the feed store once per package and time to live
 * and shared by the collectors that read them (known-malicious, vulnerabilities): one store read
 * per package on a cold install, however many collectors use it.
 */
import { pep503Form } from '../../core/index.ts';
import type { FeedStore } from '../../storage/ports/index.ts';
import { advisoryToRecord, type FeedRecord } from '../feeds/index.ts';
import { TtlCache } from './ttl-cache.ts';

export interface PackageAdvisories {
  /** Known-malicious records (MAL-*). */
  readonly malicious: readonly FeedRecord[];
  /** Vulnerability records (GHSA, PYSEC, CVE …). */
  readonly vulnerabilities: readonly FeedRecord[];
}

export interface AdvisoryLookup {
  /** The advisories naming this package (canonical name: npm as published, PyPI PEP 503-normalised). */
  of(ecosystem: 'npm' | 'pypi', name: string, nowMs: number): Promise<PackageAdvisories>;
  /** The feed changed: forget everything read. */
  clear(): void;
}

const NONE: PackageAdvisories = Object.freeze({ malicious: Object.freeze([]), vulnerabilities: Object.freeze([]) });

export function canonicalFeedName(ecosystem: 'npm' | 'pypi', name: string): string {
  return ecosystem === 'pypi' ? pep503Form(name) : name;
}

export function advisoryLookup(feeds: Pick<FeedStore, 'advisoriesFor'>, options: { readonly ttlMs: number; readonly maxPackages?: number }): AdvisoryLookup {
  const cache = new TtlCache<string, PackageAdvisories>(options.maxPackages ?? 20_000, options.ttlMs);
  return {
    clear: () => cache.clear(),
    async of(ecosystem, name, nowMs) {
      const key = `${ecosystem}\0${name}`;
      const cached = cache.get(key, nowMs);
      if (cached !== undefined) return cached;
      const records = (await feeds.advisoriesFor(ecosystem, name)).map(advisoryToRecord).filter((r): r is FeedRecord => r !== null);
      const found: PackageAdvisories =
        records.length === 0
          ? NONE
          : { malicious: records.filter((r) => r.kind === 'malicious'), vulnerabilities: records.filter((r) => r.kind === 'vulnerability') };
      cache.set(key, found, nowMs);
      return found;
    },
  };
}
