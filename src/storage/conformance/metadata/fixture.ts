import { makePurl, newId, sha256Of } from '../../../core/index.ts';
import type { Purl } from '../../../core/index.ts';
import type {
  ArtifactRecord,
  CachedDocument,
  NewArtifactRecord,
  DecisionRecord,
  MetadataStore,
  PolicyException,
  QuarantineRecord,
  TokenRecord,
} from '../../ports/index.ts';

export interface MetadataStoreFixture {
  /** A fresh, migrated, empty store. */
  readonly store: MetadataStore;
  /**
   * Another, independent store instance on the same database — what a second process or
   * gateway node sees. Migrated. May be called after `store.close()` (restart).
   */
  openPeer(): Promise<MetadataStore>;
  /** Close everything the fixture opened and remove its data. */
  cleanup(): Promise<void>;
}

export type MakeMetadataFixture = () => Promise<MetadataStoreFixture>;

/** Run a test body against a fresh fixture, always cleaning up. */
export function using(make: MakeMetadataFixture, body: (store: MetadataStore, fixture: MetadataStoreFixture) => Promise<void>): () => Promise<void> {
  return async () => {
    const fixture = await make();
    try {
      await body(fixture.store, fixture);
    } finally {
      await fixture.cleanup();
    }
  };
}

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');
export const at = (offsetMs: number): Date => new Date(T0 + offsetMs);
export const DAY = 24 * 3600 * 1000;

/** A time-ordered id for a record created at `date` (any valid id when the date is invalid). */
function idFor(date: Date): string {
  return newId(Number.isFinite(date.getTime()) ? date : T0);
}

export function purl(name: string, version: string | null = '1.0.0'): Purl {
  return makePurl('npm', name, version);
}

export function documentRec(over: Partial<CachedDocument> = {}): CachedDocument {
  return {
    repo: 'npm',
    key: 'packument:@acme/widget',
    blob: sha256Of('packument body'),
    size: 1234,
    contentType: 'application/json',
    etag: '"abc"',
    lastModified: 'Sun, 01 Mar 2026 12:00:00 GMT',
    fetchedAt: at(0),
    ...over,
  };
}

export function artifactRec(over: Partial<NewArtifactRecord> = {}): NewArtifactRecord {
  return {
    repo: 'npm',
    purl: purl('@acme/widget', '1.2.3'),
    ecosystem: 'npm',
    name: '@acme/widget',
    version: '1.2.3',
    filename: 'widget-1.2.3.tgz',
    blob: sha256Of('tarball'),
    size: 4096,
    sha512: 'ab'.repeat(64),
    sha1: 'cd'.repeat(20),
    storedAt: at(0),
    ...over,
  };
}

/** The record as the store keeps it: its first digest is its own unless given; used when stored unless given. */
export function storedArtifact(rec: NewArtifactRecord, firstSha512 = rec.sha512, usedAt = rec.storedAt): ArtifactRecord {
  return { ...rec, firstSha512, usedAt };
}

export function decisionRec(over: Partial<DecisionRecord> = {}): DecisionRecord {
  const createdAt = over.createdAt ?? at(0);
  return {
    id: idFor(createdAt),
    repo: 'npm',
    purl: purl('left-pad'),
    phase: 'artifact',
    verdict: 'quarantine',
    reasons: [{ message: 'package is younger than 7 days', rule: 'cooldown', details: { ageDays: 2 } }],
    warnings: [{ message: 'has an install script' }],
    policyHash: 'f'.repeat(64),
    facts: { age_days: 2, install_scripts: ['postinstall'], nested: { ok: true, none: null, 'ünï': 'cödé' } },
    request: { tokenId: null, userAgent: 'npm/11.0.0 node/v24.0.0', agent: 'claude-code', ip: '127.0.0.1', requestId: 'req-1' },
    createdAt,
    ...over,
  };
}

export function quarantineRec(over: Partial<QuarantineRecord> = {}): QuarantineRecord {
  const createdAt = over.createdAt ?? at(0);
  return {
    id: idFor(createdAt),
    repo: 'npm',
    purl: purl('evil-pkg', '6.6.6'),
    ecosystem: 'npm',
    name: 'evil-pkg',
    version: '6.6.6',
    state: 'quarantined',
    reasons: [{ message: 'requested while missing upstream', rule: 'tripwire' }],
    facts: { requested_while_missing: true },
    createdAt,
    updatedAt: createdAt,
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    expiresAt: null,
    contentDigest: `sha256:${'5e'.repeat(32)}`,
    ...over,
  };
}

export function exceptionRec(over: Partial<PolicyException> = {}): PolicyException {
  const createdAt = over.createdAt ?? at(0);
  return {
    id: idFor(createdAt),
    ecosystem: 'npm',
    name: 'left-pad',
    version: null,
    rules: ['cooldown'],
    reason: 'urgent security fix',
    createdBy: 'tok_admin',
    createdAt,
    expiresAt: at(7 * DAY),
    ...over,
  };
}

export function tokenRec(over: Partial<TokenRecord> = {}): TokenRecord {
  const createdAt = over.createdAt ?? at(0);
  return {
    id: idFor(createdAt),
    hash: sha256Of(`secret-${Math.random()}`).slice('sha256:'.length),
    role: 'reader',
    label: 'ci',
    createdAt,
    expiresAt: null,
    revokedAt: null,
    scope: null,
    exchangedFrom: null,
    ...over,
  };
}

/** Drain an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
