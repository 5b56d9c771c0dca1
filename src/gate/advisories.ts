/**
 * The imported vulnerability advisories of packages, for the plugins that answer with them
 * (`npm audit` through the npm plugin): the signals' records, read from the feed store, so a
 * plugin reaches them through the gate as it does every other judgement input.
 */
import { advisoryToRecord, matchRecord, type FeedRecord } from '../signals/index.ts';
import type { FeedStore } from '../storage/ports/index.ts';

export type { FeedRecord as AdvisoryRecord, Severity as AdvisorySeverity, VersionRange as AdvisoryRange } from '../signals/index.ts';

/** Store reads at the same time. */
const CONCURRENCY = 8;

export interface VulnerabilityAdvisories {
  /** The non-withdrawn vulnerability advisories of each named package (canonical names), for those some advisory names. */
  of(ecosystem: 'npm' | 'pypi', names: readonly string[]): Promise<ReadonlyMap<string, readonly FeedRecord[]>>;
  /** Whether any vulnerability advisory was imported (an empty answer then means "none known", not "no data"). */
  imported(): Promise<boolean>;
}

export function vulnerabilityAdvisories(feeds: Pick<FeedStore, 'advisoriesFor' | 'advisoryPackages'>): VulnerabilityAdvisories {
  return {
    async of(ecosystem, names) {
      const out = new Map<string, readonly FeedRecord[]>();
      for (let i = 0; i < names.length; i += CONCURRENCY) {
        const batch = names.slice(i, i + CONCURRENCY);
        const found = await Promise.all(batch.map((name) => feeds.advisoriesFor(ecosystem, name)));
        batch.forEach((name, j) => {
          const records = (found[j] ?? []).map(advisoryToRecord).filter((r): r is FeedRecord => r !== null && r.kind === 'vulnerability' && r.withdrawn === null);
          if (records.length > 0) out.set(name, records);
        });
      }
      return out;
    },
    async imported() {
      return (await feeds.advisoryPackages('vulnerability')).length > 0;
    },
  };
}

/**
 * Whether an advisory includes a version, as the gate's facts match it (listed, in a range, or
 * every version), and the version that fixes it there; null when it does not include it.
 */
export function advisoryIncludes(rec: FeedRecord, version: string): { readonly fixed: string | null } | null {
  const { match, range } = matchRecord(rec, version);
  return match === 'version' || match === 'range' || match === 'all-versions' ? { fixed: range?.fixed ?? null } : null;
}
