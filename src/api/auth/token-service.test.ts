import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newId } from '../../core/index.ts';
import { openSqliteMetadataStore } from '../../storage/sqlite/index.ts';
import { hashToken, TokenService } from './token-service.ts';

/** Token services of `count` processes sharing one database file (one connection each). */
async function sharedServices(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-tokens-'));
  const stores = Array.from({ length: count }, () => openSqliteMetadataStore({ path: join(dir, 'airlock.db') }));
  for (const s of stores) await s.migrate();
  const services = stores.map((store) => new TokenService({ store, newId: () => newId() }));
  const close = async (): Promise<void> => {
    for (const s of stores) await s.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { stores, services, close };
}

test('start-up on a store several nodes share: one admin token is created, however many start at once', async () => {
  const { stores, services, close } = await sharedServices(4);
  try {
    const results = await Promise.all(services.map((s) => s.bootstrap(null)));
    const created = results.filter((r) => r.kind === 'created');
    assert.equal(created.length, 1, JSON.stringify(results.map((r) => r.kind)));
    assert.equal(results.filter((r) => r.kind === 'none').length, 3);
    const tokens = await (stores[0] as (typeof stores)[0]).listTokens();
    assert.deepEqual(tokens.map((t) => [t.role, t.label]), [['admin', 'bootstrap admin token']]);
    const first = created[0];
    assert.ok(first?.kind === 'created');
    for (const s of services) assert.equal((await s.verify(first.token.token))?.id, first.token.id, 'every node takes it');
    const events = await (stores[1] as (typeof stores)[0]).listAudit({ limit: 10 });
    assert.deepEqual(events.map((e) => [e.action, e.subject]), [['token.create', first.token.id]]);
    // A later start finds it and creates none.
    assert.deepEqual(await (services[2] as TokenService).bootstrap(null), { kind: 'none' });
  } finally {
    await close();
  }
});

test('start-up with a configured admin token on a shared store: stored once, every node reports it', async () => {
  const { stores, services, close } = await sharedServices(3);
  try {
    const secret = 'airlock_configured-admin-token-for-tests';
    const results = await Promise.all(services.map((s) => s.bootstrap(secret)));
    const stored = await (stores[0] as (typeof stores)[0]).findTokenByHash(hashToken(secret));
    assert.ok(stored !== null);
    for (const r of results) assert.ok(r.kind === 'configured' && r.id === stored.id, JSON.stringify(r));
    assert.equal(results.filter((r) => r.kind === 'configured' && r.created).length, 1);
    assert.equal((await (stores[2] as (typeof stores)[0]).listTokens()).length, 1);
  } finally {
    await close();
  }
});
