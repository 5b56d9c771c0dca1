/**
 * The rate limit of `POST /-/api/oidc/token` over HTTP: a token bucket per client address
 * (`access.oidc.rateLimit`), past it 429 with Retry-After and a JSON error before the body is
 * read; the address the socket's, or with `server.trustProxy` the one the proxy forwarded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLog, type LogLine } from '../support/captured-output.ts';
import { createLogger } from '../../src/app/logger.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { TestOidcIssuer } from '../support/oidc-issuer.ts';

async function exchange(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/-/api/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

test('a burst of exchanges per client address, then 429 with Retry-After and a JSON error, before the token is looked at; refilled with time', async (t) => {
  const issuer = await TestOidcIssuer.start('ES256');
  t.after(() => issuer.close());
  let now = Date.now();
  const log = memoryLog();
  const a = await startAirlock({
    clock: () => new Date(now),
    logger: createLogger('info', log.stream),
    config: {
      repositories: [{ name: 'internal', format: 'npm', kind: 'hosted' }],
      access: { oidc: { rateLimit: { perMinute: 6, burst: 3 }, issuers: [{ issuer: issuer.url, audience: 'airlock', trust: [{ name: 'ci', claims: { repository: 'acme/*' }, role: 'reader' }] }] } },
    },
  });
  t.after(() => a.close());
  const good = (): string => JSON.stringify({ token: issuer.idToken() });

  assert.equal((await exchange(a.url, good())).status, 201);
  assert.equal((await exchange(a.url, JSON.stringify({ token: 'not-a-jwt' }))).status, 401, 'a refused exchange spends the bucket too');
  assert.equal((await exchange(a.url, good())).status, 201);
  const limited = await exchange(a.url, good());
  assert.equal(limited.status, 429);
  assert.equal(limited.retryAfter, '10', '6 a minute: one every 10 s');
  assert.deepEqual(limited.body, { error: 'too many token exchanges from 127.0.0.1; try again in 10 s', code: 'RATE_LIMITED', retryAfter: 10 });
  // Refused before the body is read: a body the schema would refuse gets the same answer.
  assert.equal((await exchange(a.url, '{"nonsense": true}')).status, 429);
  // X-Forwarded-For is not believed without server.trustProxy: no way round the limit.
  assert.equal((await exchange(a.url, good(), { 'x-forwarded-for': '203.0.113.9' })).status, 429);
  // One warn line for the spell of three refusals, not one each (a client that keeps asking would flood the log).
  const warned = (): LogLine[] => log.lines().filter((l) => l['msg'] === 'oidc token exchange rate-limited' && l['level'] === 40);
  assert.equal(warned().length, 1);
  assert.ok(warned().every((l) => l['client'] === '127.0.0.1' && l['retryAfter'] === 10));
  // Ten seconds on, one more.
  now += 10_000;
  assert.equal((await exchange(a.url, good())).status, 201);
  assert.equal((await exchange(a.url, good())).status, 429);
  assert.equal(warned().length, 2, 'a new spell after an allowed request');
  // Other routes are not limited.
  assert.equal((await fetch(`${a.url}/-/health`)).status, 200);
});

test('behind a proxy (server.trustProxy), each forwarded client address has its own bucket; rateLimit: false turns the limit off', async (t) => {
  // A clock that stands still: the bucket refills nothing while the three exchanges run (a loaded
  // machine that took a second over them would be told 59 s).
  const now = Date.now();
  const proxied = await startAirlock({ clock: () => new Date(now), config: { server: { trustProxy: true }, repositories: [], access: { oidc: { rateLimit: { perMinute: 1, burst: 2 } } } } });
  t.after(() => proxied.close());
  const from = (ip: string) => exchange(proxied.url, JSON.stringify({ token: 'not-a-jwt' }), { 'x-forwarded-for': ip });
  assert.equal((await from('203.0.113.1')).status, 401);
  assert.equal((await from('203.0.113.1')).status, 401);
  const limited = await from('203.0.113.1');
  assert.equal(limited.status, 429);
  assert.equal(limited.retryAfter, '60');
  assert.match(String(limited.body['error']), /^too many token exchanges from 203\.0\.113\.1; /);
  assert.equal((await from('203.0.113.2')).status, 401, 'another client behind the same proxy is not held back');

  const open = await startAirlock({ config: { repositories: [], access: { oidc: { rateLimit: false } } } });
  t.after(() => open.close());
  for (let i = 0; i < 40; i++) assert.equal((await exchange(open.url, JSON.stringify({ token: 'not-a-jwt' }))).status, 401);
});
