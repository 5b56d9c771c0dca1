/**
 * `airlock feeds import`: read a feed (directory or zip of OSV records: known-malicious packages,
 * vulnerabilities or both), refuse it whole when any record is malformed, otherwise store every
 * advisory in one transaction and record the import with its provenance.
 */
import type { FeedImport, FeedStore } from '../../storage/ports/index.ts';
import { recordToAdvisory } from './advisory.ts';
import { DEFAULT_FEED_LIMITS, readOsvFeed, type FeedEntryError, type FeedReadLimits } from './source.ts';
import { ADVISORY_KINDS, type AdvisoryKind } from './types.ts';

export class FeedImportRefused extends Error {
  readonly errorCount: number;
  readonly errors: readonly FeedEntryError[];
  constructor(path: string, errorCount: number, errors: readonly FeedEntryError[]) {
    super(`${path}: ${errorCount} malformed record${errorCount === 1 ? '' : 's'}; nothing was imported`);
    this.name = 'FeedImportRefused';
    this.errorCount = errorCount;
    this.errors = errors;
  }
}

export interface FeedImportOptions {
  /** The feed's label, kept as the advisories' source (default `ossf-malicious-packages`). */
  readonly source: string;
  readonly importedBy: string;
  readonly now: Date;
  readonly newId: () => string;
  readonly limits?: FeedReadLimits;
  /** The kinds of record to import (default both); records of other kinds are skipped. */
  readonly kinds?: readonly AdvisoryKind[];
}

export interface FeedImportSummary extends FeedImport {
  readonly format: 'directory' | 'zip';
  readonly entries: number;
  readonly skipped: number;
  readonly records: number;
  /** Of the records: known-malicious packages, and vulnerabilities. */
  readonly malicious: number;
  readonly vulnerabilities: number;
}

export async function importOsvFeed(store: FeedStore, path: string, options: FeedImportOptions): Promise<FeedImportSummary> {
  const read = await readOsvFeed(path, options.source, options.limits ?? DEFAULT_FEED_LIMITS, options.kinds ?? ADVISORY_KINDS);
  if (read.errorCount > 0) throw new FeedImportRefused(path, read.errorCount, read.errors);
  const importId = options.newId();
  const result = await store.putAdvisories(read.records.map((r) => recordToAdvisory(r, importId)));
  const rec: FeedImport = {
    id: importId,
    source: options.source,
    origin: path,
    importedAt: options.now,
    importedBy: options.importedBy,
    added: result.added,
    updated: result.updated,
    unchanged: result.unchanged,
    rejected: 0,
  };
  await store.recordFeedImport(rec);
  const malicious = read.records.filter((r) => r.kind === 'malicious').length;
  return { ...rec, format: read.format, entries: read.entries, skipped: read.skipped, records: read.records.length, malicious, vulnerabilities: read.records.length - malicious };
}
