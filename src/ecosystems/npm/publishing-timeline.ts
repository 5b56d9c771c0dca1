/**
 * A package's publishing timeline: every usable version with just the facts an artifact
 * decision's history needs (`HISTORY_FACTS`: when, by whom, with what provenance). Kept with the
 * package's index for as long as the index is cached, so judging a tarball never re-reads the
 * packument for its history, however often the bigger candidate sets are evicted (npm asks for
 * every packument before the first tarball, so a cold install evicts most of them).
 *
 * Compact: versions share one interned object for everything but `published_at`, which is the
 * index's own `time` string: 29 bytes a version over the benchmark workload
 * (`bench/npm/cache-footprint.ts`).
 */
import { makePurl, type NpmPackageName } from '../../core/index.ts';
import { HISTORY_FACTS, type Facts, type VersionCandidate } from '../../gate/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import { FactInterner } from './fact-interner.ts';
import type { PackageCandidates } from './package-view.ts';

export interface PublishingTimeline {
  readonly versions: readonly string[];
  /** `published_at` of each version (undefined: the version had no such fact). */
  readonly publishedAt: readonly (Json | undefined)[];
  /** The other history facts, one shared object per distinct combination. */
  readonly publishing: readonly Facts[];
  /** Estimated heap bytes: three array slots per version, plus each distinct publishing object. */
  readonly bytes: number;
}

const SHARED_FACTS = HISTORY_FACTS.filter((k) => k !== 'published_at');

export function publishingTimeline(p: PackageCandidates): PublishingTimeline {
  const n = p.candidates.length;
  const versions = new Array<string>(n);
  const publishedAt = new Array<Json | undefined>(n);
  const publishing = new Array<Facts>(n);
  const intern = new FactInterner();
  for (let i = 0; i < n; i++) {
    const c = p.candidates[i] as VersionCandidate;
    const shared: { [k: string]: Json } = {};
    for (const k of SHARED_FACTS) if (Object.hasOwn(c.facts, k)) shared[k] = c.facts[k] as Json;
    versions[i] = c.subject.version;
    publishedAt[i] = c.facts['published_at'];
    publishing[i] = intern.object(shared);
  }
  return { versions, publishedAt, publishing, bytes: 96 + n * 24 + new Set(publishing).size * 256 };
}

/**
 * The timeline as the gate's history: one candidate per version, carrying `HISTORY_FACTS` only
 * (so without a `factsKey`, which promises every fact of the version).
 */
export function timelineCandidates(t: PublishingTimeline, repo: string, name: NpmPackageName): VersionCandidate[] {
  const out = new Array<VersionCandidate>(t.versions.length);
  for (let i = 0; i < t.versions.length; i++) {
    const version = t.versions[i] as string;
    const published = t.publishedAt[i];
    out[i] = {
      subject: { repo, ecosystem: 'npm', name, version, purl: makePurl('npm', name, version) },
      facts: published === undefined ? (t.publishing[i] as Facts) : { ...t.publishing[i], published_at: published },
    };
  }
  return out;
}
