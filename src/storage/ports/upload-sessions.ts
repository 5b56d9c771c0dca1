/**
 * Blob upload sessions in progress (an oci push: POST starts one, each PATCH adds a chunk, PUT
 * `?digest=` closes it), kept in the metadata store so that any gateway sharing the store can take
 * an upload's next request: no sticky sessions behind a load balancer, and an upload survives a
 * gateway's restart. Each chunk received is committed to the blob store as a blob of its own (a
 * part, addressed by its own sha256); the session lists its parts in order. Closing it makes the
 * blob the parts make up, and checks it against the digest the client names.
 */
import type { Sha256Digest } from '../../core/index.ts';

/** Parts one session may have: a client sending chunks this small for a large blob is refused. */
export const MAX_UPLOAD_PARTS = 10_000;

export interface UploadPart {
  readonly blob: Sha256Digest;
  readonly size: number;
}

export interface UploadSessionRecord {
  /** A random UUID, the `Location` the client writes to. */
  readonly id: string;
  /** The hosted repository, and the image repository in it. */
  readonly repo: string;
  readonly name: string;
  /** 1 when started, one more with each write after. */
  readonly rev: number;
  /** The chunks received, in order (at most MAX_UPLOAD_PARTS). */
  readonly parts: readonly UploadPart[];
  readonly startedAt: Date;
  /** When a request last wrote to it. */
  readonly touchedAt: Date;
}

/**
 * The sessions' records. Ids: 1-64 characters; repo 1-64; name 1-512 (BAD_REQUEST otherwise).
 * The blob sweep keeps every blob a session lists (`uploadSessionBlobs`).
 */
export interface UploadSessionStore {
  /** Stores a new session (its `rev` 1, no parts). CONFLICT when the id is taken. */
  createUploadSession(session: UploadSessionRecord): Promise<void>;
  getUploadSession(id: string): Promise<UploadSessionRecord | null>;
  /**
   * Writes the session's parts and `touchedAt` when the stored revision is `session.rev - 1`;
   * false, with nothing written, when another write came first or the session is gone (the caller
   * reads again). Two chunks racing for the same offset can therefore never both be appended.
   */
  updateUploadSession(session: UploadSessionRecord): Promise<boolean>;
  /** Removes the session; false when there was none. */
  deleteUploadSession(id: string): Promise<boolean>;
  /** How many sessions the hosted repository has open, on every gateway. */
  countUploadSessions(repo: string): Promise<number>;
  /** The hosted repository's sessions last written before `touchedBefore` or started before `startedBefore`, at most `limit`, oldest first. */
  staleUploadSessions(repo: string, touchedBefore: Date, startedBefore: Date, limit: number): Promise<readonly UploadSessionRecord[]>;
  /** Every blob a session lists as a part, each once (for the blob sweep). */
  uploadSessionBlobs(): AsyncIterable<Sha256Digest>;
}
