import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AuditEvent } from '../ports/index.ts';
import { verifyAuditChain } from '../ports/index.ts';
import { runChildren } from '../testing/run-children.ts';
import { loadMigrations } from './migrate.ts';
import { openSqliteMetadataStore } from './sqlite-metadata-store.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

test('sqlite: three processes appending to one audit log at once produce one unbroken chain', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-mp-audit-'));
  try {
    const db = join(dir, 'airlock.db');
    const setup = openSqliteMetadataStore({ path: db });
    await setup.migrate();
    await setup.close();
    const results = await runChildren(['a', 'b', 'c'].map((label) => [fixture('audit-appender.ts'), db, '150', label, '3']));
    for (const r of results) assert.equal(r.code, 0, r.stderr);

    const store = openSqliteMetadataStore({ path: db });
    const events: AuditEvent[] = [];
    for (;;) {
      const page = await store.listAudit({ afterSeq: events.at(-1)?.seq ?? 0, limit: 1000 });
      events.push(...page);
      if (page.length < 1000) break;
    }
    await store.close();
    assert.equal(events.length, 450);
    assert.deepEqual(verifyAuditChain(events), { ok: true, count: 450, headSeq: 450, headHash: events[449]?.hash });
    for (const label of ['a', 'b', 'c']) {
      const mine = events.filter((e) => e.actor === label).map((e) => (e.details as { i: number }).i);
      assert.deepEqual(mine, Array.from({ length: 150 }, (_, i) => i), `${label}'s events are all there, in its order`);
    }
    // The appenders really interleaved (otherwise this test proves nothing about locking).
    const switches = events.filter((e, i) => i > 0 && e.actor !== events[i - 1]?.actor).length;
    assert.ok(switches > 2, `expected interleaved appends, saw ${switches} switches`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: four processes migrating a fresh database at once: each migration applied exactly once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-mp-migrate-'));
  try {
    const db = join(dir, 'airlock.db');
    const start = String(Date.now() + 600);
    const results = await runChildren(Array.from({ length: 4 }, () => [fixture('migrator.ts'), db, start]));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const reports = results.map((r) => JSON.parse(r.stdout) as { applied: number[]; version: number });
    const all = loadMigrations().map((m) => m.version);
    assert.deepEqual(reports.flatMap((r) => r.applied).sort((a, b) => a - b), all, 'every version applied once in total');
    for (const r of reports) assert.equal(r.version, all.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: processes claiming one webhook at once: one holds the lease, and each seq is advanced to once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-mp-webhook-'));
  try {
    const db = join(dir, 'airlock.db');
    const setup = openSqliteMetadataStore({ path: db });
    await setup.migrate();
    await setup.close();
    const labels = ['a', 'b', 'c', 'd'];
    const results = await runChildren(labels.map((label) => [fixture('webhook-claimer.ts'), db, label, String(labels.length), '60']));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const reports = results.map((r) => JSON.parse(r.stdout) as { won: boolean; advanced: number[] });
    assert.equal(reports.filter((r) => r.won).length, 1, 'one claimant holds the race lease');

    const store = openSqliteMetadataStore({ path: db });
    const race = await store.getWebhookCursor('race');
    const relay = await store.getWebhookCursor('relay');
    await store.close();
    assert.equal(race?.holder, labels[reports.findIndex((r) => r.won)]);
    const advanced = reports.flatMap((r) => r.advanced).sort((x, y) => x - y);
    assert.ok(advanced.length > 0, 'the relay moved');
    assert.deepEqual(advanced, Array.from({ length: advanced.length }, (_, i) => i + 1), 'every seq once, none twice');
    assert.equal(relay?.seq, advanced.length);
    assert.equal(relay?.holder, null, 'let go at the end');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
