/**
 * A package's versions in publication order, from the adapter's per-version facts
 * (`published_at`), for facts that compare a version with the ones published before it.
 * Versions without a publication time come last, by name.
 */
import { dateFact, type CollectorCandidate } from './types.ts';

export interface TimelineEntry {
  readonly version: string;
  readonly publishedAt: Date | null;
  readonly candidate: CollectorCandidate;
}

export interface Timeline {
  readonly entries: readonly TimelineEntry[];
  /** Position of each version in `entries`. */
  readonly position: ReadonlyMap<string, number>;
}

export function timelineOf(history: readonly CollectorCandidate[]): Timeline {
  const entries = history.map((c) => ({ version: c.subject.version, publishedAt: dateFact(c.facts, 'published_at'), candidate: c }));
  entries.sort((a, b) => {
    if (a.publishedAt !== null && b.publishedAt !== null && a.publishedAt.getTime() !== b.publishedAt.getTime()) return a.publishedAt.getTime() - b.publishedAt.getTime();
    if (a.publishedAt !== null && b.publishedAt === null) return -1;
    if (a.publishedAt === null && b.publishedAt !== null) return 1;
    return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
  });
  const position = new Map<string, number>();
  entries.forEach((e, i) => position.set(e.version, i));
  return { entries, position };
}
