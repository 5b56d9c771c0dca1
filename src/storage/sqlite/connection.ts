import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, StatementResultingChanges, StatementSync } from 'node:sqlite';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import { withCondition } from '../common/index.ts';

export type SqliteSynchronous = 'full' | 'normal';

export interface SqliteConnectionOptions {
  /** Database file (created if missing), or `:memory:`. */
  readonly path: string;
  /** How long a writer waits for another connection's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * `normal` (default): in WAL mode a commit survives a crash of the process; a power loss may
   * lose the last transactions but never corrupts. `full`: every commit is fsynced.
   */
  readonly synchronous?: SqliteSynchronous;
}

export type Params = Record<string, SQLInputValue>;

/** SQLite extended result codes that mean "a uniqueness rule refused this row". */
const UNIQUE_VIOLATIONS = new Set([1555 /* PRIMARYKEY */, 2067 /* UNIQUE */]);

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && UNIQUE_VIOLATIONS.has((err as { errcode?: number }).errcode ?? -1);
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

function isBusy(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { errcode?: number }).errcode : undefined;
  return code !== undefined && ((code & 0xff) === SQLITE_BUSY || (code & 0xff) === SQLITE_LOCKED);
}

/**
 * Switching a fresh database file to WAL takes an exclusive lock, and SQLite may answer
 * SQLITE_BUSY there without consulting the busy handler when several processes open the same
 * new file at once. Retry within the busy timeout (the connection is synchronous by nature, so
 * the wait is a short synchronous sleep, only ever at start-up).
 */
function execRetryingBusy(db: DatabaseSync, sql: string, busyMs: number): void {
  const deadline = Date.now() + busyMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.exec(sql);
      return;
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, Math.min(50, 2 ** attempt));
    }
  }
}

/** Any non-Airlock error from the database becomes STORAGE_ERROR (cause kept, message generic). */
export function storageError(err: unknown, what: string): AirlockError {
  if (isAirlockError(err)) return err;
  return new AirlockError('STORAGE_ERROR', withCondition(`metadata store: ${what} failed`, err), { cause: err });
}

/** The writes of one turn of the event loop: one transaction, committed when the turn ends. */
interface WriteGroup {
  /** Settles when the group's COMMIT has succeeded, or with the error that lost its writes. */
  readonly done: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * One connection to a SQLite database file: WAL journal, busy timeout, foreign keys, defensive
 * mode, and a cache of prepared statements (every statement is parameterised; SQL text never
 * contains values).
 *
 * Writes are committed in groups (`write`): the first write of a turn of the event loop opens a
 * transaction (BEGIN IMMEDIATE), every write of that turn runs inside it as a savepoint, and the
 * transaction commits once the turn is over (`setImmediate`). Each write's promise settles only
 * after that COMMIT, so nothing is acknowledged before it is committed; a write whose body throws
 * rolls back to its savepoint and fails alone; a COMMIT that fails rejects every write of the
 * group. A cold install writes thousands of small transactions (a decision with its audit event
 * per tarball; per package its first sightings, document, cached facts and artifact), which touch
 * the same B-tree pages (the tail of every time- and sequence-ordered table and index): committed
 * one by one, each rewrites those pages into the WAL (`bench:npm:replay` prints the bytes
 * written). The write lock is held until the turn ends, so writers in other processes wait that
 * long at most (they wait for the lock anyway). Another connection of this process to the
 * same file commits the open group before it takes the lock itself: it would otherwise wait for a
 * COMMIT that this thread, blocked in that wait, never gets to run. Reads on this connection see
 * the open group's writes, as they saw a write as soon as it returned before.
 */
export class SqliteConnection {
  /** This process's open connections, by database file. */
  static readonly #byPath = new Map<string, Set<SqliteConnection>>();

  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;
  #group: WriteGroup | null = null;
  #inWrite = false;

  constructor(options: SqliteConnectionOptions) {
    const busy = options.busyTimeoutMs ?? 5000;
    if (!Number.isSafeInteger(busy) || busy < 0) throw new AirlockError('CONFIG_INVALID', 'busyTimeoutMs must be a non-negative integer');
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(options.path, { enableForeignKeyConstraints: true, timeout: busy });
      db.exec(`PRAGMA busy_timeout = ${busy}`);
      db.enableDefensive(true);
      if (options.path !== ':memory:') execRetryingBusy(db, 'PRAGMA journal_mode = WAL', busy);
      db.exec(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.exec('PRAGMA foreign_keys = ON');
      db.exec('PRAGMA trusted_schema = OFF');
    } catch (err) {
      if (db?.isOpen === true) db.close();
      throw new AirlockError('STORAGE_ERROR', `cannot open the metadata database at ${options.path}`, { cause: err });
    }
    this.#db = db;
    this.#path = options.path === ':memory:' ? options.path : resolve(options.path);
    if (options.path !== ':memory:') {
      let peers = SqliteConnection.#byPath.get(this.#path);
      if (peers === undefined) SqliteConnection.#byPath.set(this.#path, (peers = new Set()));
      peers.add(this);
    }
  }

  /** A cached prepared statement for this SQL text. */
  statement(sql: string): StatementSync {
    this.#assertOpen();
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Run SQL without parameters (schema changes in migrations only). */
  exec(sql: string): void {
    this.#assertOpen();
    this.#db.exec(sql);
  }

  /**
   * Run `body` as one write of the current group (see the class comment): the write lock is
   * already held when it starts, so read-then-write logic in `body` sees no writer of another
   * process in between. Resolves with what `body` returned once the group has committed; throws
   * (synchronously) what `body` threw, its changes rolled back. `body` must be synchronous.
   */
  write<T>(body: () => T): Promise<T> {
    this.#assertOpen();
    this.#assertNotNested();
    const group = this.#group ?? this.#openGroup();
    this.#db.exec('SAVEPOINT airlock_write');
    this.#inWrite = true;
    let result: T;
    try {
      result = body();
      this.#db.exec('RELEASE airlock_write');
    } catch (err) {
      this.#undoWrite(group, err);
      throw err;
    } finally {
      this.#inWrite = false;
    }
    return group.done.then(() => result);
  }

  /** One statement as a write of the current group (`write`), with positional or named parameters. */
  writeStatement(sql: string, params: readonly SQLInputValue[] | Params = []): Promise<StatementResultingChanges> {
    return this.write(() => {
      const stmt = this.statement(sql);
      return Array.isArray(params) ? stmt.run(...(params as readonly SQLInputValue[])) : stmt.run(params as Params);
    });
  }

  /**
   * Run `body` inside its own BEGIN IMMEDIATE … COMMIT, committed before this returns (schema
   * migrations). An open write group is committed first. Rolled back if `body` throws. `body`
   * must be synchronous.
   */
  immediate<T>(body: () => T): T {
    this.#assertOpen();
    this.#assertNotNested();
    this.#commitGroup();
    this.#commitPeerGroups();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = body();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      // Also when COMMIT itself fails (I/O error): never leave the connection inside a transaction.
      this.#rollback();
      throw err;
    }
  }

  /** Commits the open write group, if any, and closes the database. */
  close(): void {
    if (this.#closed) return;
    this.#commitGroup();
    this.#closed = true;
    const peers = SqliteConnection.#byPath.get(this.#path);
    peers?.delete(this);
    if (peers?.size === 0) SqliteConnection.#byPath.delete(this.#path);
    this.#statements.clear();
    this.#db.close();
  }

  #openGroup(): WriteGroup {
    this.#commitPeerGroups();
    // Throws when the lock cannot be had within the busy timeout: no group, the write fails.
    this.#db.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Every write that succeeded handles the outcome; a group whose writes all failed still
    // commits (nothing) and must not turn a failed COMMIT into an unhandled rejection.
    done.catch(() => undefined);
    const group: WriteGroup = { done, resolve, reject };
    this.#group = group;
    setImmediate(() => {
      if (this.#group === group) this.#commitGroup();
    });
    return group;
  }

  /** Commits the open groups of this process's other connections to the same file. */
  #commitPeerGroups(): void {
    const peers = SqliteConnection.#byPath.get(this.#path);
    if (peers === undefined || peers.size < 2) return;
    for (const peer of peers) if (peer !== this && !peer.#inWrite) peer.#commitGroup();
  }

  #commitGroup(): void {
    const group = this.#group;
    if (group === null) return;
    this.#group = null;
    try {
      this.#db.exec('COMMIT');
      group.resolve();
    } catch (err) {
      this.#rollback();
      group.reject(storageError(err, 'commit'));
    }
  }

  /** A write's body threw: undo its changes; if SQLite rolled back the whole transaction, the group is lost. */
  #undoWrite(group: WriteGroup, cause: unknown): void {
    if (this.#db.isTransaction) {
      try {
        this.#db.exec('ROLLBACK TO airlock_write');
        this.#db.exec('RELEASE airlock_write');
        return;
      } catch {
        this.#rollback();
      }
    }
    // Some errors (a full disk, an I/O error) end the transaction itself: every earlier write
    // of the group went with it.
    if (this.#group === group) this.#group = null;
    group.reject(new AirlockError('STORAGE_ERROR', withCondition('metadata store: a failed write rolled back the transaction it shared with others', cause), { cause }));
  }

  /** Ends an open transaction, if any. A connection that cannot even roll back reports it on its next statement. */
  #rollback(): void {
    try {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // Nothing more to undo here: the error that led here is what the callers get.
    }
  }

  /** Inside a write's body, or inside `immediate`'s own transaction. */
  #assertNotNested(): void {
    if (this.#inWrite || (this.#db.isTransaction && this.#group === null)) throw new AirlockError('INTERNAL', 'nested metadata transaction');
  }

  #assertOpen(): void {
    if (this.#closed) throw new AirlockError('STORAGE_ERROR', 'metadata store is closed');
  }
}
