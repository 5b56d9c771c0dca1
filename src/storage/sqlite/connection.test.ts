import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAirlockError } from '../../core/index.ts';
import { withTempFile } from '../conformance/helpers.ts';
import { SqliteConnection, storageError } from './connection.ts';
import { committedColumn } from './test-helpers.ts';

const SCHEMA = `
  CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE);
  CREATE TABLE parents (id INTEGER PRIMARY KEY);
  CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);
`;

function withDir(body: (path: string) => Promise<void>): Promise<void> {
  return withTempFile('airlock-connection-', 'test.db', body);
}

function open(path: string): SqliteConnection {
  const conn = new SqliteConnection({ path });
  conn.immediate(() => conn.exec(SCHEMA));
  return conn;
}

function withConnection(body: (conn: SqliteConnection, path: string) => Promise<void>): Promise<void> {
  return withDir(async (path) => {
    const conn = open(path);
    try {
      await body(conn, path);
    } finally {
      conn.close();
    }
  });
}

/** Frames in the database's write-ahead log: each commit appends every page it changed. */
function walFrames(path: string): number {
  const size = statSync(`${path}-wal`).size;
  return size === 0 ? 0 : (size - 32) / (4096 + 24);
}

/** The committed rows, read the way another process would. */
function committedNotes(path: string): string[] {
  return committedColumn(path, 'SELECT body FROM notes ORDER BY id', 'body');
}

const note = (conn: SqliteConnection, body: string): Promise<number> =>
  conn.write(() => Number(conn.statement('INSERT INTO notes (body) VALUES (?)').run(body).lastInsertRowid));

test('connection: the writes of one turn commit together, and each settles only once committed', () =>
  withConnection(async (conn, path) => {
    const before = walFrames(path);
    const writes = [note(conn, 'a'), note(conn, 'b'), note(conn, 'c')];
    // Written, not yet committed: this connection sees them, another does not.
    assert.equal(conn.statement('SELECT COUNT(*) AS n FROM notes').get()?.['n'], 3);
    assert.deepEqual(committedNotes(path), []);
    assert.equal(walFrames(path), before);
    assert.deepEqual(await Promise.all(writes), [1, 2, 3]);
    assert.deepEqual(committedNotes(path), ['a', 'b', 'c']);
    // One commit: the table's page and its index's page, once each.
    const grouped = walFrames(path) - before;
    // Awaited one by one, each write is a group of its own and rewrites those pages.
    for (const body of ['d', 'e', 'f']) await note(conn, body);
    const oneByOne = walFrames(path) - before - grouped;
    assert.equal(grouped, 2);
    assert.equal(oneByOne, 3 * grouped);
  }));

test('connection: a write whose body throws fails alone, its changes undone', () =>
  withConnection(async (conn, path) => {
    const first = note(conn, 'a');
    assert.throws(
      () =>
        conn.write(() => {
          conn.statement('INSERT INTO notes (body) VALUES (?)').run('half-done');
          conn.statement('INSERT INTO notes (body) VALUES (?)').run('a'); // UNIQUE
        }),
      /UNIQUE/,
    );
    const third = note(conn, 'c');
    assert.deepEqual(await Promise.all([first, third]), [1, 2]);
    assert.deepEqual(committedNotes(path), ['a', 'c']);
  }));

test('connection: a COMMIT that fails rejects every write of the group and keeps none of them', () =>
  withConnection(async (conn, path) => {
    const kept = note(conn, 'innocent');
    // A deferred foreign key is checked at COMMIT: the body succeeds, the group cannot commit.
    const orphan = conn.write(() => conn.statement('INSERT INTO children (parent) VALUES (?)').run(42));
    for (const write of [kept, orphan]) {
      await assert.rejects(write, (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && /commit/.test(err.message));
    }
    assert.deepEqual(committedNotes(path), []);
    // The connection is usable again: the next write opens a new group.
    assert.equal(await note(conn, 'after'), 1);
    assert.deepEqual(committedNotes(path), ['after']);
  }));

test('connection: close commits the open group', () =>
  withDir(async (path) => {
    const conn = open(path);
    const write = note(conn, 'last words');
    conn.close();
    assert.equal(await write, 1);
    assert.deepEqual(committedNotes(path), ['last words']);
  }));

test('connection: two connections of one process to one file do not wait on each other', () =>
  withConnection(async (conn, path) => {
    // The peer's write needs the lock the first group holds; the first group is committed for
    // it instead of the peer waiting out the busy timeout for a COMMIT this thread would run.
    const peer = new SqliteConnection({ path: join(path, '..', '.', 'test.db'), busyTimeoutMs: 200 });
    try {
      const mine = note(conn, 'mine');
      const theirs = note(peer, 'theirs');
      assert.deepEqual(await Promise.all([mine, theirs]), [1, 2]);
      assert.deepEqual(committedNotes(path), ['mine', 'theirs']);
    } finally {
      peer.close();
    }
  }));

test('connection: immediate commits the open group first; writes do not nest', () =>
  withConnection(async (conn, path) => {
    const grouped = note(conn, 'grouped');
    conn.immediate(() => conn.statement('INSERT INTO notes (body) VALUES (?)').run('alone'));
    assert.deepEqual(committedNotes(path), ['grouped', 'alone']);
    assert.equal(await grouped, 1);
    assert.throws(() => conn.write(() => conn.write(() => 0)), (err: unknown) => isAirlockError(err, 'INTERNAL'));
    assert.throws(() => conn.immediate(() => conn.write(() => 0)), (err: unknown) => isAirlockError(err, 'INTERNAL'));
    // A nested immediate is refused without rolling back the outer one.
    conn.immediate(() => {
      conn.statement('INSERT INTO notes (body) VALUES (?)').run('outer');
      assert.throws(() => conn.immediate(() => 0), (err: unknown) => isAirlockError(err, 'INTERNAL'));
    });
    assert.deepEqual(committedNotes(path), ['grouped', 'alone', 'outer']);
    assert.equal(await note(conn, 'still usable'), 4);
  }));

test('connection: a write the database has no room for fails as a storage error that names the condition', () =>
  withConnection(async (conn) => {
    await note(conn, 'first');
    const pages = Number((conn.statement('PRAGMA page_count').get() as { page_count: number }).page_count);
    conn.exec(`PRAGMA max_page_count = ${pages}`);
    // Each store method wraps what its writes throw with storageError, naming itself.
    const wrapped = (async () => {
      try {
        return await note(conn, 'x'.repeat(64 * 1024));
      } catch (err) {
        throw storageError(err, 'note');
      }
    })();
    await assert.rejects(wrapped, (err: unknown) => {
      assert.ok(isAirlockError(err, 'STORAGE_ERROR'), String(err));
      assert.equal(err.message, 'metadata store: note failed: the database or disk is full');
      return true;
    });
  }));
