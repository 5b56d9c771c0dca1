import type { Ecosystem, Purl, Reason, Sha256Digest, VerdictKind } from '../../core/index.ts';

/** JSON-safe data as stored in the metadata store. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** An upstream document (npm packument, PyPI simple page …) cached as a blob. */
export interface CachedDocument {
  readonly repo: string;
  /** Document key inside the repository, e.g. `packument:@scope/name`. */
  readonly key: string;
  readonly blob: Sha256Digest;
  readonly size: number;
  readonly contentType: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** When the upstream last confirmed this content (fetch or 304 revalidation). */
  readonly fetchedAt: Date;
}

/** An artifact (tarball, wheel, model file) that passed integrity checks and was stored. */
export interface ArtifactRecord {
  readonly repo: string;
  readonly purl: Purl;
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  /** File name within the package version (tarball basename, wheel file name …). */
  readonly filename: string;
  readonly blob: Sha256Digest;
  readonly size: number;
  /**
   * Hex digests computed by Airlock while ingesting. null: not computed — an artifact verified by
   * its sha256 alone (Hugging Face files, OCI blobs), whose bytes are hashed once, not three times.
   * npm and PyPI compute both; npm needs them (integrity, shasum, the replaced-tarball check).
   */
  readonly sha512: string | null;
  readonly sha1: string | null;
  readonly storedAt: Date;
  /**
   * The sha512 of the first bytes stored for this file: the same as `sha512` unless the upstream
   * has since served other bytes for it, which replaced them (kept by the store, not the caller).
   * null when the first put had no sha512; it stays null through later puts, even those with one
   * (theirs are not the first bytes' digest), so a replacement is never hidden behind a later one.
   */
  readonly firstSha512: string | null;
  /**
   * When the bytes were last used: stored (`storedAt` of the latest put), or downloaded by a client
   * since (`markBlobsUsed`, kept by the store, never moved back).
   */
  readonly usedAt: Date;
}

/** A record to store: its first digest and its use time are the store's to keep. */
export type NewArtifactRecord = Omit<ArtifactRecord, 'firstSha512' | 'usedAt'>;

/** A file a hosted package lists: the blob holding it. */
export interface HostedFile {
  readonly blob: Sha256Digest;
  readonly size: number;
}

/** A package published to a hosted repository: its registry document and the files it lists. */
export interface HostedPackage {
  readonly repo: string;
  readonly ecosystem: Ecosystem;
  readonly name: string;
  /** 1 for the first write, one more with each write after. */
  readonly rev: number;
  /** The package's registry document as the repository keeps it (npm: the full packument, JSON text). */
  readonly document: string;
  /** The files the document lists, by file name. */
  readonly files: Readonly<Record<string, HostedFile>>;
  readonly updatedAt: Date;
}

export type DecisionPhase = 'metadata' | 'artifact';

/** Who asked, as far as the request told us. */
export interface RequestContext {
  readonly tokenId: string | null;
  /** The token's role, when a token was presented (optional: older records lack it). */
  readonly role?: Role | null;
  readonly userAgent: string | null;
  /** The `X-Airlock-Agent` header, if an AI agent identified itself. */
  readonly agent: string | null;
  readonly ip: string | null;
  readonly requestId: string | null;
}

export interface DecisionRecord {
  readonly id: string;
  readonly repo: string;
  readonly purl: Purl;
  readonly phase: DecisionPhase;
  readonly verdict: VerdictKind;
  readonly reasons: readonly Reason[];
  readonly warnings: readonly Reason[];
  /** Hash of the policy bundle that decided. */
  readonly policyHash: string;
  /** Snapshot of the facts the policy saw. */
  readonly facts: Json;
  readonly request: RequestContext | null;
  readonly createdAt: Date;
}

export type QuarantineState = 'quarantined' | 'released' | 'rejected';

export interface QuarantineRecord {
  readonly id: string;
  readonly repo: string;
  readonly purl: Purl;
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly state: QuarantineState;
  readonly reasons: readonly Reason[];
  /** Facts snapshot at the time of quarantine. */
  readonly facts: Json;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Who released/rejected it, when, why; null while quarantined. */
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionReason: string | null;
  /** A release may expire; afterwards the policy decides again. */
  readonly expiresAt: Date | null;
  /**
   * The artifact content the record was opened for (the blob address of the bytes judged,
   * `sha256:<hex>`); a release covers that content only. Null when opened without content
   * (or before Airlock recorded it): a release then covers the version whatever its bytes.
   */
  readonly contentDigest: string | null;
}

export interface QuarantineTransition {
  readonly to: 'released' | 'rejected';
  readonly actor: string;
  readonly reason: string;
  readonly at: Date;
  readonly expiresAt: Date | null;
}

export interface QuarantineFilter {
  readonly state?: QuarantineState;
  readonly purl?: Purl;
  readonly limit: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** A time-boxed exception to policy (e.g. a cooldown exemption for one package). */
export interface PolicyException {
  readonly id: string;
  readonly ecosystem: Ecosystem;
  readonly name: string;
  /** null: every version. */
  readonly version: string | null;
  /** Rule ids the exception waives; empty: all quarantine rules. */
  readonly rules: readonly string[];
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

export interface AuditEventInput {
  readonly at: Date;
  /** Token id, `system`, or `policy`. */
  readonly actor: string;
  /** Dotted verb: `decision.block`, `quarantine.release`, `token.create` … */
  readonly action: string;
  /** What it is about: a purl, a quarantine id, a token id. */
  readonly subject: string;
  readonly details: Json;
}

/**
 * The audit event of a state change, written in the same transaction as the change: both are
 * stored or neither. A function receives what the change produced (e.g. the updated record).
 */
export type AuditOf<T> = AuditEventInput | ((result: T) => AuditEventInput);

export interface AuditEvent extends AuditEventInput {
  /** 1, 2, 3 … without gaps. */
  readonly seq: number;
  /** Hash of the previous event (64 zeros for the first). */
  readonly prevHash: string;
  /** sha256 over prevHash and the canonical encoding of this event. */
  readonly hash: string;
}

/**
 * Where one webhook's delivery stands in the audit trail: every event up to `seq` is done with
 * (delivered, or not one the webhook takes). The process delivering holds a lease on it, so
 * gateways sharing the store deliver each event once between them, in order.
 */
export interface WebhookCursor {
  /** The webhook's name in the configuration. */
  readonly name: string;
  /** The last audit seq done with (0: none). */
  readonly seq: number;
  /** Failed attempts at the event after `seq` (0 when none failed). */
  readonly attempts: number;
  /** Why the last attempt failed (at most 1,024 characters), null after a success. */
  readonly lastError: string | null;
  /** When the first failed attempt at the current event was made, null when none failed. */
  readonly failingSince: Date | null;
  /** When an event was last delivered (answered 2xx). */
  readonly deliveredAt: Date | null;
  /** The process delivering, and until when its lease holds; null once let go. */
  readonly holder: string | null;
  readonly leaseUntil: Date | null;
  readonly updatedAt: Date;
}

/** What a delivery attempt, or a run of events the webhook does not take, changes. */
export interface WebhookProgress {
  /** The new last seq done with (never below the current one). */
  readonly seq: number;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly failingSince: Date | null;
  /** Set when an event was delivered; null keeps the stored value. */
  readonly deliveredAt: Date | null;
  /** The cursor's `updatedAt`. */
  readonly at: Date;
}

export type Role = 'reader' | 'publisher' | 'approver' | 'admin';

/**
 * What a reader or publisher token may reach, within its role: a stolen CI token then reaches
 * only what its job needed. null in a field: no limit there.
 */
export interface TokenScope {
  /** Repositories whose URLs it may use, and that its writes may land in. */
  readonly repos: readonly string[] | null;
  /** Packages it may write (publish, deprecate, dist-tags, unpublish): names, or prefixes ending in `*` (`@acme/*`). */
  readonly packages: readonly string[] | null;
}

export interface TokenRecord {
  readonly id: string;
  /** sha256 hex of the secret; the secret itself is never stored. */
  readonly hash: string;
  readonly role: Role;
  readonly label: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  /** null: everything its role allows. */
  readonly scope: TokenScope | null;
  /**
   * The OIDC issuer whose ID token this token was exchanged for (`POST /-/api/oidc/token`); null
   * for tokens an administrator or start-up created. Expired exchanged tokens are purged.
   */
  readonly exchangedFrom: string | null;
}
