/**
 * The condition behind a storage failure, named for whoever reads the error: a full disk should
 * read as a full disk, not as "commit failed". Only well-known conditions are named, in words that
 * say nothing about the installation (no paths, no statements, no server names).
 */

const ERRNO: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** SQLite's primary result codes (the low byte of an extended code). */
const SQLITE: Readonly<Record<number, string>> = {
  5: 'the database is locked',
  8: 'the database is read-only',
  10: 'disk I/O error',
  11: 'the database file is malformed',
  13: 'the database or disk is full',
  14: 'the database file cannot be opened',
  26: 'the file is not a database',
};

/** PostgreSQL's SQLSTATEs for a server out of resources or not taking work. */
const SQLSTATE: Readonly<Record<string, string>> = {
  '53100': "the database server's disk is full",
  '53200': 'the database server is out of memory',
  '53300': 'the database server has too many connections',
  '57P01': 'the database server is shutting down',
  '57P03': 'the database server is not accepting connections yet',
  '25006': 'the database is read-only',
};

/** The named condition of `err` or of an error it was caused by, or null. */
export function storageCondition(err: unknown): string | null {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, errcode } = e as { code?: unknown; errcode?: unknown };
    if (typeof errcode === 'number' && code === 'ERR_SQLITE_ERROR') {
      const named = SQLITE[errcode & 0xff];
      if (named !== undefined) return named;
    }
    if (typeof code === 'string') {
      const named = Object.hasOwn(ERRNO, code) ? ERRNO[code] : Object.hasOwn(SQLSTATE, code) ? SQLSTATE[code] : undefined;
      if (named !== undefined) return named;
    }
  }
  return null;
}

/** `message`, followed by the named condition of `err` when it has one. */
export function withCondition(message: string, err: unknown): string {
  const named = storageCondition(err);
  return named === null ? message : `${message}: ${named}`;
}
