import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { AirlockError, isAirlockError } from '../../core/index.ts';

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
  return new AirlockError('STORAGE_ERROR', `metadata store: ${what} failed`, { cause: err });
}

/**
 * One connection to a SQLite database file: WAL journal, busy timeout, foreign keys, defensive
 * mode, and a cache of prepared statements (every statement is parameterised; SQL text never
 * contains values).
 */
export class SqliteConnection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

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
   * Run `body` inside BEGIN IMMEDIATE … COMMIT: the write lock is taken up front (waiting up to
   * the busy timeout for other connections and processes), so read-then-write logic in `body`
   * sees no interleaved writer. Rolled back if `body` throws. `body` must be synchronous.
   */
  immediate<T>(body: () => T): T {
    this.#assertOpen();
    if (this.#db.isTransaction) throw new AirlockError('INTERNAL', 'nested metadata transaction');
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = body();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      // Also when COMMIT itself fails (I/O error): never leave the connection inside a transaction.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new AirlockError('STORAGE_ERROR', 'metadata store is closed');
  }
}
