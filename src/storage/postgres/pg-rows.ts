import { AirlockError } from '../../core/index.ts';
import type { Reason } from '../../core/index.ts';
import { decodeJson } from '../common/index.ts';
import type { Json } from '../ports/index.ts';
import { pgStorageError, type Queryable, type Row } from './pg-client.ts';

/** Typed column access for rows from postgres.js (timestamptz → Date, int8 → string). */
function corrupt(column: string): AirlockError {
  return new AirlockError('STORAGE_ERROR', `metadata store: unexpected value in column ${column}`);
}

export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw corrupt(column);
  return v;
}

export function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

/** int4 arrives as a number, int8 as a decimal string. */
export function integer(row: Row, column: string): number {
  const v = row[column];
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw corrupt(column);
  return n;
}

export function date(row: Row, column: string): Date {
  const v = row[column];
  if (!(v instanceof Date) || !Number.isFinite(v.getTime())) throw corrupt(column);
  return v;
}

export function dateOrNull(row: Row, column: string): Date | null {
  return row[column] === null ? null : date(row, column);
}

/** JSON columns are stored as text (verbatim, NUL escapes allowed): parse here. */
export function json(row: Row, column: string): Json {
  try {
    return decodeJson(text(row, column));
  } catch (err) {
    throw new AirlockError('STORAGE_ERROR', `metadata store: invalid JSON in column ${column}`, { cause: err });
  }
}

export function jsonOrNull(row: Row, column: string): Json | null {
  return row[column] === null ? null : json(row, column);
}

export function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const v = text(row, column);
  if (!(allowed as readonly string[]).includes(v)) throw corrupt(column);
  return v as T;
}

export function stringArray(row: Row, column: string): readonly string[] {
  const value = json(row, column);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw corrupt(column);
  return value as readonly string[];
}

export function reasons(row: Row, column: string): readonly Reason[] {
  const value = json(row, column);
  const ok =
    Array.isArray(value) &&
    value.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && typeof (r as { message?: unknown }).message === 'string');
  if (!ok) throw corrupt(column);
  return value as unknown as readonly Reason[];
}

/** One page of a `blob` column (`sql` takes the lower bound and the limit), for `blobDigestPages`. */
export async function blobColumn(q: Queryable, sql: string, after: string, limit: number, operation: string): Promise<string[]> {
  try {
    return (await q.query(sql, [after, limit])).map((row) => text(row, 'blob'));
  } catch (err) {
    throw pgStorageError(err, operation);
  }
}
