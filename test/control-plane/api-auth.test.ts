/** Admin API access: bearer tokens, roles, the error shape, bootstrap admin token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../../src/app/build-app.ts';
import { loadConfig } from '../../src/app/config/load.ts';
import { authHeader } from '../support/gate-helpers.ts';
import { buildTestApp } from '../support/start-airlock.ts';

test('missing, invalid and under-privileged tokens are refused with a JSON error', async () => {
  const a = await buildTestApp({ config: { repositories: [] } });
  try {
    const { app } = a;
    const nul = await app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload: { role: 'reader', label: 'd\u0000ev' } });
    assert.deepEqual([nul.statusCode, nul.json<{ error: string }>().error], [400, 'token label must not contain NUL']);
    const created = await app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload: { role: 'reader', label: 'dev' } });
    assert.equal(created.statusCode, 201);
    const reader = created.json<{ token: string; id: string; role: string }>();
    assert.equal(reader.role, 'reader');
    assert.match(reader.token, /^airlock_/);
    const approver = (await app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload: { role: 'approver' } })).json<{ token: string }>();

    const missing = await app.inject({ method: 'GET', url: '/-/api/quarantine' });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().code, 'UNAUTHORIZED');
    assert.match(missing.json().error, /authentication required/);
    assert.match(String(missing.headers['www-authenticate']), /^Bearer/);

    const invalid = await app.inject({ method: 'GET', url: '/-/api/quarantine', headers: authHeader('airlock_not-a-real-token-at-all') });
    assert.equal(invalid.statusCode, 401);
    assert.deepEqual(Object.keys(invalid.json()).sort(), ['code', 'error']);

    const malformed = await app.inject({ method: 'GET', url: '/-/api/quarantine', headers: { authorization: 'Token abc' } });
    assert.equal(malformed.statusCode, 401);

    assert.equal((await app.inject({ method: 'GET', url: '/-/api/quarantine', headers: authHeader(reader.token) })).statusCode, 200);
    const release = await app.inject({ method: 'POST', url: '/-/api/quarantine/01ARZ3NDEKTSV4RRFFQ69G5FAV/release', headers: authHeader(reader.token), payload: { reason: 'x' } });
    assert.equal(release.statusCode, 403);
    assert.equal(release.json().code, 'FORBIDDEN');
    assert.match(release.json().error, /approver/);
    const tokens = await app.inject({ method: 'GET', url: '/-/api/tokens', headers: authHeader(approver.token) });
    assert.equal(tokens.statusCode, 403);
    const audit = await app.inject({ method: 'GET', url: '/-/api/audit', headers: authHeader(reader.token) });
    assert.equal(audit.statusCode, 403);

    // An approver passes the role check and reaches the store (unknown id → 404).
    const notFound = await app.inject({ method: 'POST', url: '/-/api/quarantine/01ARZ3NDEKTSV4RRFFQ69G5FAV/release', headers: authHeader(approver.token), payload: { reason: 'x' } });
    assert.equal(notFound.statusCode, 404);
    assert.equal(notFound.json().code, 'NOT_FOUND');

    // Basic auth with the token as password works too (clients that only speak basic auth).
    const basic = Buffer.from(`anyone:${reader.token}`).toString('base64');
    assert.equal((await app.inject({ method: 'GET', url: '/-/api/whoami', headers: { authorization: `Basic ${basic}` } })).json().role, 'reader');

    // Revoked tokens stop working at once.
    const del = await app.inject({ method: 'DELETE', url: `/-/api/tokens/${reader.id}`, headers: authHeader(a.adminToken) });
    assert.equal(del.statusCode, 204);
    assert.equal((await app.inject({ method: 'GET', url: '/-/api/quarantine', headers: authHeader(reader.token) })).statusCode, 401);

    // Tokens are listed without their secrets or hashes.
    const list = await app.inject({ method: 'GET', url: '/-/api/tokens', headers: authHeader(a.adminToken) });
    assert.equal(list.statusCode, 200);
    const body = list.body;
    assert.doesNotMatch(body, new RegExp(reader.token));
    assert.doesNotMatch(body, /"hash"/);
  } finally {
    await a.close();
  }
});

test('bad request bodies are refused with 400 in the same shape', async () => {
  const a = await buildTestApp({ config: { repositories: [] } });
  try {
    const r = await a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload: { role: 'superuser' } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().code, 'BAD_REQUEST');
    // A misspelt field is refused, not dropped: an exception without the expiry it was meant to have would be a silent allow.
    const misspelt = await a.app.inject({
      method: 'POST',
      url: '/-/api/exceptions',
      headers: authHeader(a.adminToken),
      payload: { ecosystem: 'npm', name: 'left-pad', reason: 'reviewed', expire: '7d' },
    });
    assert.equal(misspelt.statusCode, 400, misspelt.body);
    assert.match(misspelt.json().error, /additional properties/);
    assert.deepEqual((await a.app.inject({ url: '/-/api/exceptions', headers: authHeader(a.adminToken) })).json().items, [], 'nothing was created');
    const unknownRoute = await a.app.inject({ method: 'GET', url: '/-/api/nope', headers: authHeader(a.adminToken) });
    assert.equal(unknownRoute.statusCode, 404);
    assert.equal(unknownRoute.json().code, 'NOT_FOUND');
  } finally {
    await a.close();
  }
});

test('first start without tokens creates an admin token and announces it once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-bootstrap-'));
  try {
    const config = await loadConfig({ env: {}, cwd: dataDir, flags: { dataDir }, npm: { registry: async () => 'http://127.0.0.1:9/', connection: async () => ({ proxy: null, noProxy: '', ca: null }) } });
    const lines: string[] = [];
    const quiet = pino({ level: 'silent' });
    const app1 = await buildApp({ ...config, repositories: [], policy: { ...config.policy, watch: false } }, { logger: quiet, announce: (l) => lines.push(l) });
    await app1.close();
    assert.equal(lines.length, 1);
    const token = /: (airlock_\S+)$/.exec(lines[0] ?? '')?.[1];
    assert.ok(token !== undefined, lines[0]);
    const app2 = await buildApp({ ...config, repositories: [], policy: { ...config.policy, watch: false } }, { logger: quiet, announce: (l) => lines.push(l) });
    try {
      assert.equal(lines.length, 1, 'the token is announced only on the first start');
      const who = await app2.inject({ method: 'GET', url: '/-/api/whoami', headers: authHeader(token) });
      assert.equal(who.json().role, 'admin');
    } finally {
      await app2.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('GET /-/api/repositories: readers see each repository, where clients reach it, its kind and its upstream', async () => {
  const a = await buildTestApp({
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: 'https://mirror.example/npm/' },
        { name: 'internal', format: 'npm', kind: 'hosted' },
      ],
    },
  });
  try {
    const { app } = a;
    assert.equal((await app.inject({ method: 'GET', url: '/-/api/repositories' })).statusCode, 401);
    const reader = (await app.inject({ method: 'POST', url: '/-/api/tokens', headers: authHeader(a.adminToken), payload: { role: 'reader' } })).json<{ token: string }>();
    const listed = await app.inject({ method: 'GET', url: '/-/api/repositories', headers: authHeader(reader.token) });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.json(), {
      items: [
        { name: 'npm', format: 'npm', path: '/npm/', kind: 'proxy', upstream: 'https://mirror.example/npm/' },
        { name: 'internal', format: 'npm', path: '/internal/', kind: 'hosted', upstream: null },
      ],
    });
  } finally {
    await a.close();
  }
});
