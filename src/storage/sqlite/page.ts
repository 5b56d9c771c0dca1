import type { SQLInputValue } from 'node:sqlite';
import { decodeCursor, encodeCursor, pageSize } from '../common/index.ts';
import type { Page } from '../ports/index.ts';
import type { SqliteConnection } from './connection.ts';
import { integer, text } from './rows.ts';
import type { Row } from './rows.ts';

export interface NewestFirstQuery<T> {
  /** Table with a time column (epoch ms) and an `id` column, indexed for the conditions. */
  readonly table: string;
  /** The time column; `created_at` unless given. */
  readonly timeColumn?: 'created_at' | 'imported_at';
  /** Fixed SQL conditions with `?` placeholders (never values), joined with AND. */
  readonly conditions: readonly string[];
  readonly params: readonly SQLInputValue[];
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly map: (row: Row) => T;
}

/**
 * One page of a newest-first listing ordered by (time, id), with keyset pagination: the
 * cursor is the position of the last row, so pages stay stable while new rows arrive.
 */
export function pageNewestFirst<T>(conn: SqliteConnection, query: NewestFirstQuery<T>): Page<T> {
  const limit = pageSize(query.limit);
  const time = query.timeColumn ?? 'created_at';
  const conditions = [...query.conditions];
  const params: SQLInputValue[] = [...query.params];
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    conditions.push(`(${time}, id) < (?, ?)`);
    params.push(after.t, after.id);
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const rows = conn
    .statement(`SELECT * FROM ${query.table} ${where} ORDER BY ${time} DESC, id DESC LIMIT ?`)
    .all(...params, limit + 1);
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(query.map),
    nextCursor: more && last !== undefined ? encodeCursor({ t: integer(last, time), id: text(last, 'id') }) : null,
  };
}
