import type { SQLOutputValue } from 'node:sqlite';
import { AirlockError } from '../../core/index.ts';
import type { Reason } from '../../core/index.ts';
import type { Json } from '../ports/index.ts';
import { decodeJson } from '../common/index.ts';
import { storageError, type SqliteConnection } from './connection.ts';

/** Typed column access; a value of the wrong type means the database is not ours or is corrupt. */
export type Row = Record<string, SQLOutputValue>;

function corrupt(column: string): AirlockError {
  return new AirlockError('STORAGE_ERROR', `metadata store: unexpected value in column ${column}`);
}

export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw corrupt(column);
  return v;
}

export function textOrNull(row: Row, column: string): string | null {
  const v = row[column];
  if (v === null) return null;
  if (typeof v !== 'string') throw corrupt(column);
  return v;
}

export function integer(row: Row, column: string): number {
  const v = row[column];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw corrupt(column);
  return v;
}

export function date(row: Row, column: string): Date {
  return new Date(integer(row, column));
}

export function dateOrNull(row: Row, column: string): Date | null {
  return row[column] === null ? null : date(row, column);
}

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

/** A value that must be one of a fixed set of strings. */
export function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const v = text(row, column);
  if (!(allowed as readonly string[]).includes(v)) throw corrupt(column);
  return v as T;
}

/** A JSON array of policy reasons (`{message, rule?, details?}`). */
export function reasons(row: Row, column: string): readonly Reason[] {
  const value = json(row, column);
  const ok =
    Array.isArray(value) &&
    value.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r) && typeof (r as { message?: unknown }).message === 'string');
  if (!ok) throw corrupt(column);
  return value as unknown as readonly Reason[];
}

/** One page of a `blob` column (`sql` takes the lower bound and the limit), for `blobDigestPages`. */
export async function blobColumn(conn: SqliteConnection, sql: string, after: string, limit: number, operation: string): Promise<string[]> {
  try {
    return conn
      .statement(sql)
      .all(after, limit)
      .map((row) => text(row, 'blob'));
  } catch (err) {
    throw storageError(err, operation);
  }
}
