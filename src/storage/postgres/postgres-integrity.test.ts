/**
 * PostgreSQL-specific guarantees: several processes (gateway nodes) appending to one audit
 * chain and migrating one schema at once; the audit table refusing edits; a schema newer than
 * the code refused; a migration's upgrade of existing rows. Needs AIRLOCK_TEST_PG_URL; skipped
 * without it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import postgres from 'postgres';
import { isAirlockError, makePurl } from '../../core/index.ts';
import { verifyAuditChain } from '../ports/index.ts';
import type { AuditEvent } from '../ports/index.ts';
import { runChildren } from '../testing/run-children.ts';
import { PgClient } from './pg-client.ts';
import { loadPgMigrations, migratePg } from './pg-migrate.ts';
import { openPostgresMetadataStore } from './postgres-metadata-store.ts';

const url = process.env['AIRLOCK_TEST_PG_URL'];
const skip = url === undefined ? 'set AIRLOCK_TEST_PG_URL=postgres://… to run it against a server' : false;
const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

async function withSchema(body: (url: string, schema: string) => Promise<void>): Promise<void> {
  if (url === undefined) return;
  const schema = `airlock_test_${randomBytes(6).toString('hex')}`;
  try {
    await body(url, schema);
  } finally {
    const admin = postgres(url, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end({ timeout: 5 });
  }
}

test('postgres: three processes appending to one audit chain at once leave it unbroken', { skip }, () =>
  withSchema(async (url, schema) => {
    const setup = openPostgresMetadataStore({ url, schema });
    await setup.migrate();
    await setup.close();
    const barrierDir = await mkdtemp(join(tmpdir(), 'airlock-pg-barrier-'));
    const results = await runChildren(['a', 'b', 'c'].map((label) => [fixture('pg-audit-appender.ts'), url, schema, '100', label, barrierDir, '3']));
    await rm(barrierDir, { recursive: true, force: true });
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const store = openPostgresMetadataStore({ url, schema });
    const events: AuditEvent[] = [...(await store.listAudit({ limit: 1000 }))];
    await store.close();
    assert.equal(events.length, 300);
    assert.deepEqual(verifyAuditChain(events), { ok: true, count: 300, headSeq: 300, headHash: events[299]?.hash });
    const switches = events.filter((e, i) => i > 0 && e.actor !== events[i - 1]?.actor).length;
    assert.ok(switches > 2, `expected interleaved appends, saw ${switches} switches`);
  }));

test('postgres: four processes migrating a fresh schema at once apply each migration once', { skip }, () =>
  withSchema(async (url, schema) => {
    const start = String(Date.now() + 800);
    const results = await runChildren(Array.from({ length: 4 }, () => [fixture('pg-migrator.ts'), url, schema, start]));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const applied = results.flatMap((r) => (JSON.parse(r.stdout) as { applied: number[] }).applied).sort((a, b) => a - b);
    assert.deepEqual(applied, loadPgMigrations().map((m) => m.version));
  }));

test('postgres: the audit table refuses UPDATE, DELETE, TRUNCATE and inserts off the chain', { skip }, () =>
  withSchema(async (url, schema) => {
    const store = openPostgresMetadataStore({ url, schema });
    await store.migrate();
    for (let i = 0; i < 3; i++) await store.appendAudit({ at: new Date(), actor: 'system', action: 'test', subject: `s${i}`, details: { i } });
    await store.close();
    const raw = postgres(url, { max: 1, onnotice: () => undefined, connection: { search_path: schema } });
    try {
      await assert.rejects(raw.unsafe("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"), /append-only/);
      await assert.rejects(raw.unsafe('DELETE FROM audit_events WHERE seq = 3'), /append-only/);
      await assert.rejects(raw.unsafe('TRUNCATE audit_events'), /append-only/);
      await assert.rejects(
        raw.unsafe(`INSERT INTO audit_events VALUES (9, now(), 'x', 'x', 'x', '{}', repeat('0', 64), repeat('1', 64))`),
        /extend the chain/,
      );
      // Behind the triggers' back, verification still catches it.
      await raw.unsafe('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await raw.unsafe(`UPDATE audit_events SET details = '{"i":42}' WHERE seq = 2`);
    } finally {
      await raw.end({ timeout: 5 });
    }
    const reader = openPostgresMetadataStore({ url, schema });
    const result = verifyAuditChain(await reader.listAudit({ limit: 10 }));
    await reader.close();
    assert.deepEqual(result.ok ? null : [result.seq, result.kind], [2, 'hash']);
  }));

test('postgres: a schema newer than the code is refused with a clear error', { skip }, () =>
  withSchema(async (url, schema) => {
    const store = openPostgresMetadataStore({ url, schema });
    await store.migrate();
    await store.close();
    const known = loadPgMigrations().length;
    const raw = postgres(url, { max: 1, onnotice: () => undefined, connection: { search_path: schema } });
    await raw.unsafe("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, 'from-the-future', 'x')", [known + 1]);
    await raw.end({ timeout: 5 });
    const old = openPostgresMetadataStore({ url, schema });
    await assert.rejects(old.migrate(), (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && /newer than this Airlock build/.test(err.message));
    await old.close();
  }));

test('postgres: 009 makes an artifact\'s sha512 and sha1 optional, keeping every row', { skip }, () =>
  withSchema(async (url, schema) => {
    const all = loadPgMigrations();
    const client = new PgClient({ url, schema, maxConnections: 1 });
    try {
      await migratePg(client, all.filter((m) => m.version <= 8));
      const insert = (repo: string, sha512: string | null, sha1: string | null, first: string | null): Promise<unknown> => client.query(
        `INSERT INTO artifacts (repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512, used_at)
         VALUES ($1, 'pkg:npm/left-pad@1.3.0', 'left-pad-1.3.0.tgz', 'npm', 'left-pad', '1.3.0', $2, 13, $3, $4, now(), $5, now())`,
        [repo, `sha256:${'0a'.repeat(32)}`, sha512, sha1, first],
      );
      await insert('npm', 'ab'.repeat(64), 'cd'.repeat(20), 'ef'.repeat(64));
      await assert.rejects(insert('oci', null, null, null), /null value/);
      const before = await client.query('SELECT * FROM artifacts ORDER BY repo');
      assert.deepEqual((await migratePg(client, all)).applied, all.filter((m) => m.version > 8).map((m) => m.version));
      assert.deepEqual(await client.query('SELECT * FROM artifacts ORDER BY repo'), before, 'every row and column, as it was');
      await insert('oci', null, null, null);
      const nullable = await client.query(
        "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'artifacts' AND column_name IN ('sha512', 'sha1', 'first_sha512') ORDER BY column_name",
        [schema],
      );
      assert.deepEqual(nullable.map((r) => [r['column_name'], r['is_nullable']]), [['first_sha512', 'YES'], ['sha1', 'YES'], ['sha512', 'YES']]);
    } finally {
      await client.close();
    }
    const store = openPostgresMetadataStore({ url, schema });
    const rec = await store.getArtifact('oci', makePurl('npm', 'left-pad', '1.3.0'), 'left-pad-1.3.0.tgz');
    await store.close();
    assert.deepEqual([rec?.sha512, rec?.sha1, rec?.firstSha512], [null, null, null]);
  }));
