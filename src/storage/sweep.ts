/**
 * Removing blobs nothing refers to any more. A packument that changes upstream is stored again
 * under its new digest, and the old copy is left behind; nothing else ever removes it, so a
 * long-running gateway's data directory would grow with every publish of every package it
 * serves. The sweep keeps every blob a cached document or an artifact record refers to, and
 * every blob committed within the grace period: a write whose record is not in yet, or an old
 * copy a running gateway may still be reading (it fetches again what it finds gone).
 */
import type { Sha256Digest } from '../core/index.ts';
import type { ArtifactIndex, BlobStore, DocumentCache } from './ports/index.ts';

export interface SweepOptions {
  /** Blobs committed more recently than this are kept whatever refers to them. */
  readonly graceMs: number;
  readonly now: Date;
  /** Count what would be removed, remove nothing. */
  readonly dryRun: boolean;
}

export interface SweepReport {
  /** Blobs a document or an artifact refers to. */
  readonly referenced: { readonly count: number; readonly bytes: number };
  /** Blobs nothing refers to, committed within the grace period. */
  readonly young: { readonly count: number; readonly bytes: number };
  /** Blobs nothing refers to, removed (or, in a dry run, that would be). */
  readonly removed: { readonly count: number; readonly bytes: number };
}

export async function sweepBlobs(store: DocumentCache & ArtifactIndex, blobs: BlobStore, options: SweepOptions): Promise<SweepReport> {
  // Referenced first: a blob committed after this point is young, so it is kept either way.
  const keep = new Set<Sha256Digest>();
  for await (const blob of store.documentBlobs()) keep.add(blob);
  for await (const blob of store.artifactBlobs()) keep.add(blob);
  const oldest = options.now.getTime() - options.graceMs;
  const referenced = { count: 0, bytes: 0 };
  const young = { count: 0, bytes: 0 };
  const removed = { count: 0, bytes: 0 };
  for await (const b of blobs.list()) {
    const tally = keep.has(b.digest) ? referenced : b.committedAt.getTime() > oldest ? young : removed;
    if (tally === removed && !options.dryRun && !(await blobs.delete(b.digest))) continue;
    tally.count++;
    tally.bytes += b.size;
  }
  return { referenced, young, removed };
}
