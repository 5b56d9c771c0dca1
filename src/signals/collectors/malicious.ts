/**
 * `input.facts.malicious`, from the advisories imported into the metadata store: one lookup per
 * package (cached until the feed changes or the time to live passes), then exact version
 * matching in memory. Besides the per-version match, the package's history adds what a policy
 * needs to treat a compromised legitimate package sensibly: which of its versions are listed,
 * whether this version predates the first listed one, and whether the version published just
 * before this one is listed (a fix release — the cooldown's fast lane).
 */
import {
  canonicalFeedName,
  createMaliciousIndex,
  versionOrder,
  NO_MALICIOUS_FACTS,
  type MaliciousFacts,
  type MaliciousIndex,
  type FeedRecord,
} from '../feeds/index.ts';
import type { AdvisoryLookup } from './advisories.ts';
import { asJson, packageOf, type SignalCollector } from './types.ts';
import { timelineOf } from './timeline.ts';

const MAX_LISTED = 64;

/** What the package's history adds to `input.facts.malicious` (see docs/signals.md). */
export interface MaliciousHistoryFacts {
  /** Versions of this package the advisories list (exactly or by a bounded range), in publication order, at most 64. */
  readonly listed_versions: readonly string[];
  /** Publication time of the earliest listed version, when known. */
  readonly first_listed_published: string | null;
  /** This version was published before every listed version (so before the compromise). */
  readonly predates_listed: boolean;
  /** The version published just before this one. */
  readonly previous_version: string | null;
  /** …and it is listed as malicious, while this one is not: a release that replaces a known-malicious one. */
  readonly previous_version_listed: boolean;
}

export type MaliciousVersionFacts = MaliciousFacts & MaliciousHistoryFacts;

export const NO_MALICIOUS_HISTORY: MaliciousHistoryFacts = {
  listed_versions: [],
  first_listed_published: null,
  predates_listed: false,
  previous_version: null,
  previous_version_listed: false,
};

/**
 * The facts of every version of a package no feed lists (nearly all): one shared object, not one
 * per version (a cold install judges tens of thousands).
 */
const NOT_LISTED = Object.freeze({ malicious: asJson(Object.freeze({ ...NO_MALICIOUS_FACTS, ...NO_MALICIOUS_HISTORY })) });

/** Explicitly listed versions and the lower bounds of bounded ranges: where the compromise starts. */
function listedBounds(records: readonly FeedRecord[]): { readonly versions: readonly string[]; readonly rangeLows: readonly string[]; readonly lows: readonly string[] } {
  const versions = new Set<string>();
  const rangeLows: string[] = [];
  for (const r of records) {
    for (const v of r.versions) versions.add(v);
    for (const range of r.ranges) if (range.introduced !== '0') rangeLows.push(range.introduced);
  }
  return { versions: [...versions], rangeLows, lows: [...versions, ...rangeLows] };
}

export function maliciousCollector(deps: { readonly advisories: AdvisoryLookup }): SignalCollector {
  // The index of each package's records, built once per list the lookup hands out.
  const indexes = new WeakMap<readonly FeedRecord[], MaliciousIndex>();
  return {
    id: 'signals.malicious',
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const ecosystem = pkg.ecosystem;
      if (ecosystem !== 'npm' && ecosystem !== 'pypi') return req.candidates.map(() => NOT_LISTED);
      const name = canonicalFeedName(ecosystem, pkg.name);
      const { malicious } = await deps.advisories.of(ecosystem, name, req.now.getTime());
      if (malicious.length === 0) return req.candidates.map(() => NOT_LISTED);
      let index = indexes.get(malicious);
      if (index === undefined) {
        index = createMaliciousIndex(malicious);
        indexes.set(malicious, index);
      }

      const timeline = timelineOf(req.history);
      const order = versionOrder(ecosystem);
      const bounds = listedBounds(index.lookup(ecosystem, name));
      const present = new Set(timeline.entries.map((e) => e.version));
      const listed = new Set<string>();
      for (const e of timeline.entries) if (index.match(ecosystem, name, e.version).version_listed) listed.add(e.version);
      const listedInOrder = timeline.entries.filter((e) => listed.has(e.version));
      // Listed versions the upstream no longer lists (registries remove malicious releases).
      const absent = bounds.versions.filter((v) => !present.has(v)).sort((a, b) => order(a, b) ?? (a < b ? -1 : 1));
      const firstListed = listedInOrder.find((e) => e.publishedAt !== null)?.publishedAt ?? null;
      const below = (v: string, others: readonly string[]): boolean => others.length > 0 && others.every((o) => (order(v, o) ?? 0) < 0);
      // A listed release (or the start of a listed range) between the previous version and this one.
      const between = (low: string | null, v: string): boolean =>
        [...absent, ...bounds.rangeLows].some((m) => (order(m, v) ?? 0) < 0 && (low === null || (order(low, m) ?? 0) < 0));
      return req.candidates.map((c) => {
        const v = c.subject.version;
        const base = index.match(ecosystem, name, v);
        const pos = timeline.position.get(v);
        const previous = pos === undefined || pos === 0 ? null : (timeline.entries[pos - 1] ?? null);
        const published = pos === undefined ? null : (timeline.entries[pos]?.publishedAt ?? null);
        const predates = firstListed !== null && published !== null ? published.getTime() < firstListed.getTime() : below(v, bounds.lows);
        const history: MaliciousHistoryFacts = {
          listed_versions: [...listedInOrder.map((e) => e.version), ...absent].slice(0, MAX_LISTED),
          first_listed_published: firstListed?.toISOString() ?? null,
          predates_listed: predates,
          previous_version: previous?.version ?? null,
          previous_version_listed: !base.version_listed && ((previous !== null && listed.has(previous.version)) || between(previous?.version ?? null, v)),
        };
        return { malicious: asJson({ ...base, ...history }) };
      });
    },
  };
}
