/**
 * The imported vulnerability advisories of packages, for the plugins that answer with them
 * (`npm audit` through the npm plugin): the signals' records, read from the feed store, so a
 * plugin reaches them through the gate as it does every other judgement input. Read fresh on
 * every call: an audit just after an import sees it.
 */
import { Semaphore } from '../core/index.ts';
import { matchRecord, readAdvisories, type FeedRecord } from '../signals/index.ts';
import type { FeedStore } from '../storage/ports/index.ts';

export type { FeedRecord as AdvisoryRecord, Severity as AdvisorySeverity, VersionRange as AdvisoryRange } from '../signals/index.ts';

/** Store reads at the same time, for a call about many packages (an audit, the exposure report). */
export const ADVISORY_READS = 8;

export interface VulnerabilityAdvisories {
  /** The vulnerability advisories of each named package, for those some advisory names. */
  of(ecosystem: 'npm' | 'pypi', names: readonly string[]): Promise<ReadonlyMap<string, readonly FeedRecord[]>>;
  /** Whether any vulnerability advisory was imported (an empty answer then means "none known", not "no data"). */
  imported(): Promise<boolean>;
}

export function vulnerabilityAdvisories(feeds: Pick<FeedStore, 'advisoriesFor' | 'advisoryPackages'>): VulnerabilityAdvisories {
  return {
    async of(ecosystem, names) {
      const reads = new Semaphore(ADVISORY_READS);
      const found = await Promise.all(names.map((name) => reads.run(async () => [name, (await readAdvisories(feeds, ecosystem, name)).vulnerabilities] as const)));
      return new Map(found.filter(([, records]) => records.length > 0));
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
