import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newId } from '../../core/index.ts';
import { openSqliteMetadataStore } from '../../storage/sqlite/index.ts';
import { isAirlockError } from '../../core/index.ts';
import { packageInScope } from '../../gate/identity.ts';
import { hashToken, TokenService, tokenScope } from './token-service.ts';

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

test('token scopes: repositories for readers and publishers, packages for publishers only, names or prefixes ending in *', () => {
  assert.equal(tokenScope('publisher', null), null);
  assert.equal(tokenScope('publisher', { repos: [], packages: [] }), null, 'empty lists limit nothing');
  assert.deepEqual(tokenScope('publisher', { repos: ['internal', 'internal'], packages: ['@acme/*', 'acme-billing'] }), { repos: ['internal'], packages: ['@acme/*', 'acme-billing'] });
  assert.deepEqual(tokenScope('reader', { repos: ['npm'] }), { repos: ['npm'], packages: null });
  const refused = (role: 'reader' | 'publisher' | 'approver' | 'admin', req: { repos?: string[]; packages?: string[] }, why: RegExp): void => {
    assert.throws(() => tokenScope(role, req), (err: unknown) => isAirlockError(err, 'BAD_REQUEST') && why.test(err.message), JSON.stringify(req));
  };
  refused('admin', { repos: ['npm'] }, /an admin token acts on the whole gateway/);
  refused('approver', { packages: ['x'] }, /an approver token acts on the whole gateway/);
  refused('reader', { packages: ['@acme/*'] }, /a reader token writes no package/);
  refused('publisher', { repos: ['Not A Repo'] }, /is not a repository name/);
  for (const p of ['*', '@*', '@acme*/x', 'a**', '../x', 'a b']) refused('publisher', { packages: [p] }, /the package/);
  refused('publisher', { packages: Array.from({ length: 65 }, (_, i) => `p${i}`) }, /at most 64/);

  assert.ok(packageInScope('@acme/*', '@acme/lib'));
  assert.ok(!packageInScope('@acme/*', '@acme-evil/lib'), 'a scope prefix ends at its slash');
  assert.ok(packageInScope('acme-*', 'acme-billing'));
  assert.ok(!packageInScope('acme-billing', 'acme-billing2'), 'a name is matched whole');
  // PyPI's names compare by their PEP 503 form, whole or as a prefix.
  const pep503 = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
  assert.ok(packageInScope('acme_billing', 'Acme.Billing', pep503));
  assert.ok(packageInScope('acme_*', 'acme-billing', pep503));
  assert.ok(!packageInScope('acme_billing', 'acme-billing'), 'npm names compare as written');
});
