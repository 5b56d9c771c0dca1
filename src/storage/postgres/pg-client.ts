import postgres from 'postgres';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import { withCondition } from '../common/index.ts';
import { PG_SCHEMA_NAME } from './schema-name.ts';

/** Values bound to `$n` placeholders. */
export type Param = string | number | boolean | null | Date | readonly string[];
export type Row = Record<string, unknown>;

/** Something that runs parameterised SQL: the pool, or one transaction. */
export interface Queryable {
  query(text: string, params?: readonly Param[]): Promise<Row[]>;
  /** Several statements, no parameters (migration scripts only). */
  exec(script: string): Promise<void>;
}

export interface PgClientOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string;
  /** Schema that holds Airlock's tables (created by migrate). Default `airlock`. */
  readonly schema?: string;
  /** Pool size. Default 10. */
  readonly maxConnections?: number;
  /** Statement timeout per query. Default 30 s. */
  readonly statementTimeoutMs?: number;
}


export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

export function pgStorageError(err: unknown, what: string): AirlockError {
  if (isAirlockError(err)) return err;
  return new AirlockError('STORAGE_ERROR', withCondition(`metadata store: ${what} failed`, err), { cause: err });
}

function wrap(sql: postgres.Sql | postgres.TransactionSql): Queryable {
  return {
    async query(text, params = []) {
      const rows = await sql.unsafe(text, params as never[], { prepare: true });
      return rows as unknown as Row[];
    },
    async exec(script) {
      await sql.unsafe(script);
    },
  };
}

/**
 * A connection pool on one schema. Every statement is parameterised and prepared; the SQL text
 * never contains values. Transactions run on one pooled connection.
 */
export class PgClient implements Queryable {
  readonly schema: string;
  readonly #sql: postgres.Sql;
  readonly #pool: Queryable;
  #closed = false;

  constructor(options: PgClientOptions) {
    const schema = options.schema ?? 'airlock';
    if (!PG_SCHEMA_NAME.test(schema)) throw new AirlockError('CONFIG_INVALID', `invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
    this.schema = schema;
    this.#sql = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => undefined,
      connection: {
        search_path: schema,
        statement_timeout: options.statementTimeoutMs ?? 30_000,
        application_name: 'airlock',
      },
    });
    this.#pool = wrap(this.#sql);
  }

  query(text: string, params?: readonly Param[]): Promise<Row[]> {
    if (this.#closed) return Promise.reject(new AirlockError('STORAGE_ERROR', 'metadata store is closed'));
    return this.#pool.query(text, params);
  }

  exec(script: string): Promise<void> {
    if (this.#closed) return Promise.reject(new AirlockError('STORAGE_ERROR', 'metadata store is closed'));
    return this.#pool.exec(script);
  }

  /** Run `body` in one transaction (READ COMMITTED); rolled back if it throws. */
  async tx<T>(body: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.#closed) throw new AirlockError('STORAGE_ERROR', 'metadata store is closed');
    return (await this.#sql.begin((tx) => body(wrap(tx)))) as T;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.end({ timeout: 5 });
  }
}

/** Transaction-scoped advisory lock on a named resource of this schema. */
export async function lockFor(q: Queryable, schema: string, resource: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`airlock:${schema}:${resource}`]);
}
