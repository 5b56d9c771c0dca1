/**
 * The newest quarantine record of every reviewed version, in memory, so that the metadata phase
 * can apply releases and rejections to thousands of versions without a query each. Loaded from
 * the store at start-up and kept current by the gate (records it opens) and the quarantine
 * service (transitions). The artifact phase reads the store itself.
 */
import type { Purl } from '../core/index.ts';
import type { QuarantineRecord, QuarantineStore } from '../storage/ports/index.ts';

export interface ReviewEntry {
  readonly id: string;
  readonly state: QuarantineRecord['state'];
  readonly expiresAt: Date | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  /** The content the record was opened for (`QuarantineRecord.contentDigest`). */
  readonly contentDigest: string | null;
}

function key(repo: string, purl: Purl): string {
  return `${repo}\0${purl}`;
}

export function reviewEntryOf(rec: QuarantineRecord): ReviewEntry {
  return {
    id: rec.id,
    state: rec.state,
    expiresAt: rec.expiresAt,
    decidedBy: rec.decidedBy,
    decisionReason: rec.decisionReason,
    contentDigest: rec.contentDigest,
  };
}

function putInto(map: Map<string, ReviewEntry & { readonly createdAt: number }>, rec: QuarantineRecord): void {
  const k = key(rec.repo, rec.purl);
  const cur = map.get(k);
  const createdAt = rec.createdAt.getTime();
  if (cur !== undefined && cur.id !== rec.id && (cur.createdAt > createdAt || (cur.createdAt === createdAt && cur.id > rec.id))) return;
  map.set(k, { ...reviewEntryOf(rec), createdAt });
}

export class ReviewIndex {
  #entries = new Map<string, ReviewEntry & { readonly createdAt: number }>();

  /**
   * Reads every quarantine record and keeps the newest per version. The new index replaces the
   * old one only when complete, so readers never see a half-loaded index.
   */
  async load(store: QuarantineStore, pageSize = 500): Promise<void> {
    const next = new Map<string, ReviewEntry & { readonly createdAt: number }>();
    let cursor: string | undefined;
    for (;;) {
      const page = await store.listQuarantine(cursor === undefined ? { limit: pageSize } : { limit: pageSize, cursor });
      for (const rec of page.items) putInto(next, rec);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    this.#entries = next;
  }

  /** Records the newest state of a version (older records than the current one are ignored). */
  put(rec: QuarantineRecord): void {
    putInto(this.#entries, rec);
  }

  get(repo: string, purl: Purl): ReviewEntry | null {
    return this.#entries.get(key(repo, purl)) ?? null;
  }

  /** The earliest release expiry after `now` (to re-judge when it passes). */
  nextExpiry(now: Date): Date | null {
    let best: number | null = null;
    for (const e of this.#entries.values()) {
      if (e.state !== 'released' || e.expiresAt === null) continue;
      const t = e.expiresAt.getTime();
      if (t > now.getTime() && (best === null || t < best)) best = t;
    }
    return best === null ? null : new Date(best);
  }

  /**
   * The review backlog of every repository with a record: how many versions' newest record is
   * still quarantined, and when the oldest of those was opened (null when none is).
   */
  backlog(): Map<string, { waiting: number; oldest: Date | null }> {
    const out = new Map<string, { waiting: number; oldest: Date | null }>();
    for (const [k, e] of this.#entries) {
      const repo = k.slice(0, k.indexOf('\0'));
      let b = out.get(repo);
      if (b === undefined) {
        b = { waiting: 0, oldest: null };
        out.set(repo, b);
      }
      if (e.state !== 'quarantined') continue;
      b.waiting++;
      if (b.oldest === null || e.createdAt < b.oldest.getTime()) b.oldest = new Date(e.createdAt);
    }
    return out;
  }

  get size(): number {
    return this.#entries.size;
  }
}
