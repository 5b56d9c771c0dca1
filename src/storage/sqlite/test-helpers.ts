import { DatabaseSync } from 'node:sqlite';

/**
 * One column of a query's rows as text, read the way another process would: through a
 * read-only connection of its own, so only committed rows are seen. For tests.
 */
export function committedColumn(path: string, sql: string, column: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all().map((r) => String(r[column]));
  } finally {
    db.close();
  }
}
