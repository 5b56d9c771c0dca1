import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { isAirlockError } from '../../core/index.ts';
import { withTempFile } from '../conformance/helpers.ts';
import { SqliteConnection } from './connection.ts';
import { loadMigrations, makeMigration, migrateDatabase } from './migrate.ts';
import { openSqliteMetadataStore } from './sqlite-metadata-store.ts';
import { committedColumn } from './test-helpers.ts';

function withDb(body: (path: string) => Promise<void>): Promise<void> {
  return withTempFile('airlock-migrate-', 'airlock.db', body);
}

function tables(path: string): string[] {
  return committedColumn(path, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", 'name');
}

test('migrate: the bundled migrations apply to a fresh database, once', () =>
  withDb(async (path) => {
    const store = openSqliteMetadataStore({ path });
    const first = await store.migrateWithReport();
    const versions = loadMigrations().map((m) => m.version);
    assert.deepEqual(first, { applied: versions, version: versions.length });
    assert.deepEqual(await store.migrateWithReport(), { applied: [], version: versions.length });
    await store.close();
    for (const t of ['audit_events', 'decisions', 'documents', 'quarantine', 'schema_migrations', 'tokens']) {
      assert.ok(tables(path).includes(t), t);
    }
  }));

test('migrate: a database newer than the code is refused with a clear error', () =>
  withDb(async (path) => {
    const store = openSqliteMetadataStore({ path });
    await store.migrate();
    await store.close();
    const known = loadMigrations().length;
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(known + 1, 'from-the-future', 'x', 0);
    db.close();
    const old = openSqliteMetadataStore({ path });
    await assert.rejects(old.migrate(), (err: unknown) => {
      assert.ok(isAirlockError(err, 'STORAGE_ERROR'));
      assert.match(err.message, new RegExp(`schema version ${known + 1}, newer than this Airlock build supports \\(${known}\\)`));
      return true;
    });
    await old.close();
  }));

test('migrate: each migration is one transaction: a failing one leaves no trace and can be retried', () =>
  withDb(async (path) => {
    const conn = new SqliteConnection({ path });
    const one = makeMigration(1, 'one', 'CREATE TABLE t1 (a INTEGER) STRICT;');
    const broken = makeMigration(2, 'two', 'CREATE TABLE t2 (a INTEGER) STRICT;\nINSERT INTO t1 VALUES (1);\nTHIS IS NOT SQL;');
    assert.throws(() => migrateDatabase(conn, [one, broken]), (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && /migration 2-two failed/.test(err.message));
    assert.deepEqual(tables(path), ['schema_migrations', 't1'], 't2 was rolled back');
    assert.equal(conn.statement('SELECT COUNT(*) AS n FROM t1').get()?.['n'], 0, 'its insert too');
    const fixed = makeMigration(2, 'two', 'CREATE TABLE t2 (a INTEGER) STRICT;');
    assert.deepEqual(migrateDatabase(conn, [one, fixed]), { applied: [2], version: 2 });
    conn.close();
  }));

test('migrate: an applied migration that was edited afterwards is refused', () =>
  withDb(async (path) => {
    const conn = new SqliteConnection({ path });
    migrateDatabase(conn, [makeMigration(1, 'one', 'CREATE TABLE t1 (a INTEGER)\nSTRICT;')]);
    assert.throws(
      () => migrateDatabase(conn, [makeMigration(1, 'one', 'CREATE TABLE t1 (a INTEGER, b TEXT)\nSTRICT;')]),
      (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && /must never be edited/.test(err.message),
    );
    assert.throws(
      () => migrateDatabase(conn, [makeMigration(1, 'renamed', 'CREATE TABLE t1 (a INTEGER)\nSTRICT;')]),
      /must never be edited/,
    );
    const crlf = makeMigration(1, 'one', 'CREATE TABLE t1 (a INTEGER)\r\nSTRICT;');
    assert.deepEqual(migrateDatabase(conn, [crlf]).applied, [], 'a checkout with CRLF line endings is the same migration');
    conn.close();
  }));

test('migrate: migration files must be NNN-name.sql in an unbroken sequence', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-migfiles-'));
  try {
    await writeFile(join(dir, '001-first.sql'), 'SELECT 1;');
    await writeFile(join(dir, 'README.md'), 'ignored');
    assert.deepEqual(loadMigrations(dir).map((m) => [m.version, m.name]), [[1, 'first']]);
    await writeFile(join(dir, '003-third.sql'), 'SELECT 1;');
    assert.throws(() => loadMigrations(dir), /breaks the sequence/);
    await rm(join(dir, '003-third.sql'));
    await writeFile(join(dir, '2-second.sql'), 'SELECT 1;');
    assert.throws(() => loadMigrations(dir), /must be NNN-name.sql/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('migrate: 009 makes an artifact\'s sha512 and sha1 optional, keeping every row, column and index', () =>
  withDb(async (path) => {
    const conn = new SqliteConnection({ path });
    const all = loadMigrations();
    migrateDatabase(conn, all.filter((m) => m.version <= 8));
    const insert = conn.statement(
      `INSERT INTO artifacts (repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512, used_at)
       VALUES (?, ?, ?, 'npm', 'left-pad', '1.3.0', ?, 13, ?, ?, 1000, ?, ?)`,
    );
    const blob = `sha256:${'0a'.repeat(32)}`;
    insert.run('npm', 'pkg:npm/left-pad@1.3.0', 'left-pad-1.3.0.tgz', blob, 'ab'.repeat(64), 'cd'.repeat(20), 'ef'.repeat(64), 2000);
    // A row a gateway from before 005 put during a rolling upgrade: no use time.
    insert.run('npm-2', 'pkg:npm/left-pad@1.3.0', 'left-pad-1.3.0.tgz', blob, 'ab'.repeat(64), 'cd'.repeat(20), 'ab'.repeat(64), null);
    assert.throws(() => insert.run('oci', 'pkg:oci/app@x', 'blobs/x', blob, null, null, null, 3000), /NOT NULL/);
    const before = conn.statement('SELECT * FROM artifacts ORDER BY repo').all();
    assert.deepEqual(migrateDatabase(conn, all), { applied: all.filter((m) => m.version > 8).map((m) => m.version), version: all.length });
    assert.deepEqual(conn.statement('SELECT * FROM artifacts ORDER BY repo').all(), before, 'every row and column, as it was');
    insert.run('oci', 'pkg:oci/app@x', 'blobs/x', blob, null, null, null, 3000);
    const columns = conn.statement("SELECT name, \"notnull\" AS nn FROM pragma_table_info('artifacts') ORDER BY cid").all().map((r) => [r['name'], r['nn']]);
    assert.deepEqual(columns, [
      ['repo', 1], ['purl', 1], ['filename', 1], ['ecosystem', 1], ['name', 1], ['version', 1], ['blob', 1], ['size', 1],
      ['sha512', 0], ['sha1', 0], ['stored_at', 1], ['first_sha512', 0], ['used_at', 0],
    ]);
    const indexes = conn.statement("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'artifacts' AND sql IS NOT NULL ORDER BY name").all().map((r) => r['name']);
    assert.deepEqual(indexes, ['artifacts_by_blob', 'artifacts_by_package']);
    assert.equal(conn.statement("SELECT strict FROM pragma_table_list('artifacts')").get()?.['strict'], 1, 'still STRICT');
    assert.throws(() => insert.run('npm', 'pkg:npm/left-pad@1.3.0', 'left-pad-1.3.0.tgz', blob, null, null, null, 1), /UNIQUE|PRIMARY KEY/, 'still keyed by repo, purl and file name');
    assert.throws(() => conn.exec(`INSERT INTO artifacts VALUES ('r', 'p', 'f', 'npm', 'n', 'v', 'b', -1, NULL, NULL, 0, NULL, NULL)`), /CHECK/, 'size still checked');
    assert.deepEqual(conn.statement("SELECT name FROM sqlite_schema WHERE name LIKE 'artifacts%' AND type = 'table'").all().map((r) => r['name']), ['artifacts'], 'no table left behind');
    conn.close();
  }));
