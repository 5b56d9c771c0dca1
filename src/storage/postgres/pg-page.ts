import { decodeCursor, encodeCursor, pageSize } from '../common/index.ts';
import type { Page } from '../ports/index.ts';
import type { Param, Queryable, Row } from './pg-client.ts';
import { date, text } from './pg-rows.ts';

export interface NewestFirstQuery<T> {
  readonly table: string;
  readonly timeColumn?: 'created_at' | 'imported_at';
  /** Fixed SQL conditions with `$n` placeholders numbered from 1 in `params` order (never values). */
  readonly conditions: readonly string[];
  readonly params: readonly Param[];
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly map: (row: Row) => T;
}

/** One page of a newest-first listing ordered by (time, id), keyset-paginated. */
export async function pageNewestFirst<T>(q: Queryable, query: NewestFirstQuery<T>): Promise<Page<T>> {
  const limit = pageSize(query.limit);
  const time = query.timeColumn ?? 'created_at';
  const conditions = [...query.conditions];
  const params: Param[] = [...query.params];
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    params.push(new Date(after.t), after.id);
    conditions.push(`(${time}, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(limit + 1);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const rows = await q.query(`SELECT * FROM ${query.table} ${where} ORDER BY ${time} DESC, id DESC LIMIT $${params.length}`, params);
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(query.map),
    nextCursor: more && last !== undefined ? encodeCursor({ t: date(last, time).getTime(), id: text(last, 'id') }) : null,
  };
}
