import type { Ecosystem, Purl, Sha256Digest } from '../../core/index.ts';
import type {
  ArtifactRecord,
  NewArtifactRecord,
  AuditEvent,
  AuditEventInput,
  AuditOf,
  CachedDocument,
  DecisionRecord,
  HostedPackage,
  Page,
  PolicyException,
  QuarantineFilter,
  QuarantineRecord,
  QuarantineTransition,
  TokenRecord,
  WebhookCursor,
  WebhookProgress,
} from './records.ts';
import type { UploadSessionStore } from './upload-sessions.ts';

/**
 * The metadata store, as small role interfaces. Every method is atomic on its own. A method that
 * changes state and takes an `audit` event appends that event to the audit chain in the same
 * transaction: a crash or failure never leaves the change without its audit event, or the
 * event without the change. Drivers:
 * SQLite (embedded default), PostgreSQL (many stateless gateway nodes). All of them must pass
 * the conformance suite in `src/storage/conformance/`.
 *
 * Errors (AirlockError codes): BAD_REQUEST for invalid input (invalid Date, empty id, unknown
 * enum value, malformed cursor, limit < 1), LIMIT_EXCEEDED for a JSON value over 4 MiB,
 * CONFLICT / NOT_FOUND where a method says so, STORAGE_ERROR for anything the driver fails at.
 * Page limits above 1000 are capped at 1000. Times are kept to the millisecond.
 */

export interface DocumentCache {
  getDocument(repo: string, key: string): Promise<CachedDocument | null>;
  /** Insert or replace the document for (repo, key). */
  putDocument(doc: CachedDocument): Promise<void>;
  /** Record a successful revalidation (304) without changing the content. No-op when absent. */
  touchDocument(repo: string, key: string, fetchedAt: Date): Promise<void>;
  /** Drop the document for (repo, key): its origin no longer has it. No-op when absent. */
  deleteDocument(repo: string, key: string): Promise<void>;
  /** Blobs referenced by cached documents (for blob garbage collection). */
  documentBlobs(): AsyncIterable<Sha256Digest>;
}

export interface ArtifactIndex {
  /**
   * Insert or replace the record for (repo, purl, filename), atomically keeping the first
   * stored digest (`firstSha512`, null when the first put had none) across replacements;
   * returns the record as stored.
   */
  putArtifact(rec: NewArtifactRecord): Promise<ArtifactRecord>;
  getArtifact(repo: string, purl: Purl, filename: string): Promise<ArtifactRecord | null>;
  /** Every artifact record of a package (each repository, version and file), by version, repository and file name. */
  artifactsOf(ecosystem: Ecosystem, name: string): Promise<readonly ArtifactRecord[]>;
  /**
   * Records that clients downloaded these blobs at `at`: every artifact record of each blob is
   * used then, unless it was used later already (the time never moves back). Blobs no record
   * names are ignored.
   */
  markBlobsUsed(blobs: readonly Sha256Digest[], at: Date): Promise<void>;
  /**
   * The blob of every artifact record, in pages by the records' key (a blob several records
   * share comes once per record): what a blob-store sweep must keep, unless a retention lets it
   * evict them. With `usedSince`, a record is `retained` when it was used at or after it, or its
   * version is under quarantine (its bytes wait for a reviewer); without, every record is.
   */
  artifactBlobs(options?: { readonly usedSince?: Date }): AsyncIterable<ArtifactBlob>;
  /**
   * Every artifact record (what Airlock holds: the inventory), a page at a time in the order of
   * ecosystem, name, version, file name and repository (code-point order), starting after `after`
   * (the previous page's last record). With `usedSince`, only records used (stored or downloaded)
   * at or after it; with `repo`, only that repository's. At most `limit` (capped at 1000).
   */
  listArtifacts(filter: { readonly after?: ArtifactKey | null; readonly limit: number; readonly usedSince?: Date; readonly repo?: string }): Promise<readonly ArtifactRecord[]>;
}

/** Where a page of `listArtifacts` starts: the fields of the last record of the page before. */
export type ArtifactKey = Pick<ArtifactRecord, 'ecosystem' | 'name' | 'version' | 'filename' | 'repo'>;

/** An artifact record's blob, and whether an artifact retention keeps it (`artifactBlobs`). */
export interface ArtifactBlob {
  readonly blob: Sha256Digest;
  readonly retained: boolean;
}

export interface DecisionLog {
  /** Stores the decision; `id` must be unique (ULID-like, time-ordered): CONFLICT otherwise. */
  recordDecision(rec: DecisionRecord, audit?: AuditEventInput): Promise<void>;
  /** Newest first (createdAt, then id), exact purl match when given. */
  listDecisions(filter: { readonly purl?: Purl; readonly limit: number; readonly cursor?: string }): Promise<Page<DecisionRecord>>;
}

export interface QuarantineStore {
  /**
   * Open a quarantine record for the purl, or return the existing one when a record for the
   * same (repo, purl) is already `quarantined` (no duplicates for repeated requests, also
   * across processes). `rec.state` must be `quarantined` (BAD_REQUEST); an id already used by
   * another record is a CONFLICT. `audit` is appended only when this call opened the record.
   */
  openQuarantine(rec: QuarantineRecord, audit?: AuditOf<QuarantineRecord>): Promise<QuarantineRecord>;
  getQuarantine(id: string): Promise<QuarantineRecord | null>;
  /** The newest record for (repo, purl), whatever its state. */
  latestQuarantine(repo: string, purl: Purl): Promise<QuarantineRecord | null>;
  /** Newest first (createdAt, then id). */
  listQuarantine(filter: QuarantineFilter): Promise<Page<QuarantineRecord>>;
  /**
   * Compare-and-set from `quarantined` (or `released` → `rejected`) to the target state.
   * Throws NOT_FOUND for an unknown id and CONFLICT when the record is not in a state the
   * transition allows. Sets `decidedBy`/`decidedAt`/`updatedAt` (= `change.at`),
   * `decisionReason` and `expiresAt` from the change. `audit` is appended only when the
   * transition happens.
   */
  transitionQuarantine(id: string, change: QuarantineTransition, audit?: AuditOf<QuarantineRecord>): Promise<QuarantineRecord>;
}

export interface ExceptionStore {
  /** Insert or replace by id. */
  putException(rec: PolicyException, audit?: AuditEventInput): Promise<void>;
  /** False when there was no such exception (and `audit` is not appended). */
  deleteException(id: string, audit?: AuditEventInput): Promise<boolean>;
  /**
   * Exceptions for a package that have not expired at `now` (`expiresAt > now`), oldest first,
   * whatever their version (callers match `version`).
   */
  activeExceptions(ecosystem: string, name: string, now: Date): Promise<readonly PolicyException[]>;
  /** Newest first (createdAt, then id). */
  listExceptions(filter: { readonly limit: number; readonly cursor?: string }): Promise<Page<PolicyException>>;
}

export interface AuditLog {
  /**
   * Append atomically: assigns the next `seq`, links `prevHash` to the current head and
   * computes `hash` with `auditEventHash` (concurrent appenders from several processes must
   * still produce one unbroken chain). `details` are stored (and hashed) as they read back:
   * JSON-normalised (undefined members dropped, Dates as ISO strings).
   */
  appendAudit(event: AuditEventInput): Promise<AuditEvent>;
  /** Ascending by seq, starting after `afterSeq`. */
  listAudit(filter: { readonly afterSeq?: number; readonly limit: number }): Promise<readonly AuditEvent[]>;
  /**
   * The smallest seq of an event whose `at` is at or after `at` (null: none is). Where a period
   * of the trail begins: every event at or after `since` has a seq at or above
   * `firstAuditSeqAtOrAfter(since)`, and a period is taken as the seqs from there up to
   * `firstAuditSeqAtOrAfter(until) - 1` (events are appended in about the order of their times,
   * not exactly: a decision's time is taken when it is judged, a node's clock may lead another's;
   * adjacent periods still cover every seq once). Reads an index on time, never the whole table:
   * its cost grows with the events from `at` to the head.
   */
  firstAuditSeqAtOrAfter(at: Date): Promise<number | null>;
}

/**
 * Delivery cursors of webhooks (the audit trail is their outbox). Names: 1-64 characters of
 * lower-case letters, digits, `.`, `_`, `-` (BAD_REQUEST otherwise); seqs are whole numbers ≥ 0.
 */
export interface WebhookCursorStore {
  /**
   * Takes or renews the lease on a webhook's delivery for `holder` until `until`: when there is no
   * cursor yet (it is created at `startSeq`), when its lease was let go or has run out
   * (`leaseUntil <= now`), or when `holder` holds it already. One step for every process sharing
   * the store: two claimants never both hold a live lease. The cursor as held, or null when
   * another holder's lease is live (nothing written).
   */
  claimWebhook(name: string, holder: string, now: Date, until: Date, startSeq: number): Promise<WebhookCursor | null>;
  /**
   * Records progress while `holder` holds the lease (even an expired one nobody took) and the
   * cursor is still at `fromSeq`; false, with nothing written, otherwise (the caller claims
   * again and reads where it stands). BAD_REQUEST when `progress.seq < fromSeq`; `lastError` is
   * cut to 1,024 characters.
   */
  advanceWebhook(name: string, holder: string, fromSeq: number, progress: WebhookProgress): Promise<boolean>;
  /** Lets go of the lease (no-op unless `holder` holds it). */
  releaseWebhook(name: string, holder: string): Promise<void>;
  /**
   * Moves the cursor to `seq` whoever holds the lease (an administrator skipping an event or
   * replaying from one), clearing `attempts`, `lastError` and `failingSince`; creates it when
   * absent. With `ifSeq`, only when the cursor is at that seq (null, nothing written, when not, or
   * absent). The audit event is appended in the same transaction.
   */
  setWebhookCursor(name: string, seq: number, now: Date, options?: { readonly ifSeq?: number; readonly audit?: AuditEventInput }): Promise<WebhookCursor | null>;
  getWebhookCursor(name: string): Promise<WebhookCursor | null>;
  /** Every cursor, by name (code-point order). */
  listWebhookCursors(): Promise<readonly WebhookCursor[]>;
}

export interface TokenStore {
  /** Insert or replace by id; CONFLICT when another token has the same hash. */
  putToken(rec: TokenRecord, audit?: AuditEventInput): Promise<void>;
  /** The token with this hash, revoked or expired ones included (callers check). */
  findTokenByHash(hash: string): Promise<TokenRecord | null>;
  /** Oldest first: every token (the audit trail's directory of actors). */
  listTokens(): Promise<readonly TokenRecord[]>;
  /** Newest first, by (createdAt, id), a page at a time (keyset; `cursor` is the last page's `nextCursor`). */
  listTokensPage(filter: { readonly limit: number; readonly cursor?: string }): Promise<Page<TokenRecord>>;
  /** Sets `revokedAt`; false when the token is unknown or already revoked (and `audit` is not appended). */
  revokeToken(id: string, at: Date, audit?: AuditEventInput): Promise<boolean>;
  /**
   * Inserts `rec` only when no token is active at `now` (neither revoked nor expired, expiry
   * exclusive: `expiresAt > now`). The check and the insert are one step
   * for every process sharing the store, so nodes starting together create one first token, not
   * one each. False when a token is active (nothing written, `audit` not appended).
   */
  putTokenIfNoneActive(rec: TokenRecord, now: Date, audit?: AuditEventInput): Promise<boolean>;
  /**
   * Deletes up to `limit` exchanged tokens (`exchangedFrom` set) that expired at or before
   * `expiredBy`, oldest expiry first; returns how many. Other tokens are never deleted.
   */
  purgeExchangedTokens(expiredBy: Date, limit: number): Promise<number>;
}

/**
 * Packages published to hosted repositories: the store holds the only copy of their registry
 * documents, and their files' blobs are kept by every blob-store sweep. A write is a
 * compare-and-swap on the package's revision, so concurrent publishes of one package never lose
 * one another's versions.
 */
export interface HostedPackageStore {
  /** The package as last written, or null when nothing was published under the name in that repository. */
  getHostedPackage(repo: string, name: string): Promise<HostedPackage | null>;
  /**
   * Writes the package if the stored one's revision is `pkg.rev - 1` (nothing stored, for rev 1),
   * with the audit event in the same transaction; false, with nothing written, when another write
   * came first (the caller reads again and retries). Rejects a rev below 1 or a non-integer.
   * The document is kept verbatim: text without NUL or unpaired surrogates (BAD_REQUEST), at most
   * 64 MiB of UTF-8 (LIMIT_EXCEEDED).
   */
  putHostedPackage(pkg: HostedPackage, audit?: AuditOf<HostedPackage>): Promise<boolean>;
  /**
   * Every package of one hosted repository with its current revision, without the documents (a
   * reader that keeps packages in memory reads again only those whose revision changed), sorted by
   * name in code-point order. `empty`: the package lists no files (every one was removed; its
   * record stays, keeping its name).
   */
  hostedRevisions(repo: string): Promise<readonly { readonly name: string; readonly rev: number; readonly empty: boolean }[]>;
  /** The names published to hosted repositories for the ecosystem, in every repository, sorted, each once. */
  hostedNames(ecosystem: Ecosystem): Promise<readonly string[]>;
  /** The hosted repositories that hold packages of the ecosystem (a sweep's pass over their records), sorted, each once. */
  hostedRepositories(ecosystem: Ecosystem): Promise<readonly string[]>;
  /** Every blob a hosted package lists (each once): the only copy of a published file, kept by every sweep. */
  hostedBlobs(): AsyncIterable<Sha256Digest>;
}

export interface MetadataStore
  extends DocumentCache,
    ArtifactIndex,
    HostedPackageStore,
    DecisionLog,
    QuarantineStore,
    ExceptionStore,
    AuditLog,
    TokenStore,
    WebhookCursorStore,
    UploadSessionStore {
  /** Apply pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
