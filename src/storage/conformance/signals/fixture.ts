import { createHash } from 'node:crypto';
import type { FeedAdvisory, SignalStore } from '../../ports/index.ts';

export interface SignalStoreFixture {
  /** A fresh, migrated, empty store. */
  readonly store: SignalStore;
  /** Another instance on the same database (a second process). */
  openPeer(): Promise<SignalStore>;
  cleanup(): Promise<void>;
}

export type MakeSignalFixture = () => Promise<SignalStoreFixture>;

export function using(make: MakeSignalFixture, body: (store: SignalStore, fixture: SignalStoreFixture) => Promise<void>): () => Promise<void> {
  return async () => {
    const fixture = await make();
    try {
      await body(fixture.store, fixture);
    } finally {
      await fixture.cleanup();
    }
  };
}

export const T0 = Date.parse('2026-04-01T00:00:00.000Z');
export const at = (offsetMs: number): Date => new Date(T0 + offsetMs);

export function advisory(over: Partial<FeedAdvisory> = {}): FeedAdvisory {
  const base: FeedAdvisory = {
    source: 'ossf-malicious-packages',
    id: 'MAL-2025-46974',
    kind: 'malicious',
    severity: null,
    ecosystem: 'npm',
    name: 'debug',
    versions: ['4.4.2'],
    ranges: null,
    summary: 'Malicious code in debug (npm)',
    aliases: ['GHSA-8mgj-vmr8-frr6'],
    published: new Date('2025-09-08T14:26:51Z'),
    modified: new Date('2025-09-12T01:13:34Z'),
    withdrawn: null,
    provenance: { origin: 'osv/npm/MAL-2025-46974.json', sha256: '', importId: 'imp-1' },
    ...over,
  };
  // The provenance hash stands for the record's bytes: derive it from the content unless given.
  const sha256 =
    over.provenance?.sha256 ??
    createHash('sha256').update(JSON.stringify({ ...base, provenance: null })).digest('hex');
  return { ...base, provenance: { ...base.provenance, sha256 } };
}
