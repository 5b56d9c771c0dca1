/**
 * Removing blobs nothing refers to any more. A packument that changes upstream is stored again
 * under its new digest, and the old copy is left behind; nothing else ever removes it, so a
 * long-running gateway's data directory would grow with every publish of every package it
 * serves. The sweep keeps every blob a cached document, an artifact record, a hosted package or
 * an upload in progress refers to, and every blob committed within the grace period: a write
 * whose record is not in yet, or an old copy a running gateway may still be reading (it fetches
 * again what it finds gone).
 *
 * With an artifact retention it also evicts the bytes of artifacts nobody has downloaded for
 * longer than that (the cache of every version ever installed otherwise grows without end).
 * Their records, decisions and first digests stay: the next download fetches the file again and
 * verifies it against the metadata, and a changed file is caught as a replaced one. The bytes
 * of a version under quarantine are kept, whatever their age, for its reviewer. The files of a
 * hosted package are never evicted: there is no upstream to fetch them from again.
 */
import type { Sha256Digest } from '../core/index.ts';
import type { ArtifactIndex, BlobStore, DocumentCache, HostedPackageStore, UploadSessionStore } from './ports/index.ts';

export interface SweepOptions {
  /** Blobs committed more recently than this are kept whatever refers to them. */
  readonly graceMs: number;
  readonly now: Date;
  /** Count what would be removed, remove nothing. */
  readonly dryRun: boolean;
  /**
   * Artifact bytes unused (neither stored nor downloaded) for longer than this are evicted too.
   * Absent or null: kept as long as a record names them.
   */
  readonly artifactRetentionMs?: number | null;
}

export interface SweepReport {
  /** Blobs a document, an artifact, a hosted package or an upload in progress refers to. */
  readonly referenced: { readonly count: number; readonly bytes: number };
  /** Blobs nothing refers to, committed within the grace period. */
  readonly young: { readonly count: number; readonly bytes: number };
  /** Blobs nothing refers to, removed (or, in a dry run, that would be). */
  readonly removed: { readonly count: number; readonly bytes: number };
  /** Artifact bytes unused for longer than the retention, removed (or would be); 0 without one. */
  readonly evicted: { readonly count: number; readonly bytes: number };
}

export async function sweepBlobs(
  store: DocumentCache & ArtifactIndex & HostedPackageStore & UploadSessionStore,
  blobs: BlobStore,
  options: SweepOptions,
): Promise<SweepReport> {
  // Referenced first: a blob committed after this point is young, so it is kept either way.
  const retention = options.artifactRetentionMs ?? null;
  const keep = new Set<Sha256Digest>();
  for await (const blob of store.documentBlobs()) keep.add(blob);
  // A hosted package's files are the only copy: kept whatever the retention, even when an artifact
  // record of the same bytes is evictable.
  for await (const blob of store.hostedBlobs()) keep.add(blob);
  // The chunks of an upload in progress, which any gateway may close: kept for as long as the session is.
  for await (const blob of store.uploadSessionBlobs()) keep.add(blob);
  // Artifact bytes the retention does not keep are its to evict (told apart from the orphans); a
  // blob another record keeps stays.
  const evictable = new Set<Sha256Digest>();
  const usedSince = retention === null ? undefined : new Date(options.now.getTime() - retention);
  for await (const a of store.artifactBlobs(usedSince === undefined ? {} : { usedSince })) (a.retained ? keep : evictable).add(a.blob);
  const oldest = options.now.getTime() - options.graceMs;
  const referenced = { count: 0, bytes: 0 };
  const young = { count: 0, bytes: 0 };
  const removed = { count: 0, bytes: 0 };
  const evicted = { count: 0, bytes: 0 };
  for await (const b of blobs.list()) {
    const tally = keep.has(b.digest) ? referenced : b.committedAt.getTime() > oldest ? young : evictable.has(b.digest) ? evicted : removed;
    if ((tally === removed || tally === evicted) && !options.dryRun && !(await blobs.delete(b.digest))) continue;
    tally.count++;
    tally.bytes += b.size;
  }
  return { referenced, young, removed, evicted };
}
