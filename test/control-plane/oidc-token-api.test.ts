/**
 * `POST /-/api/oidc/token` through the app: the answer and its headers, a request body held to its
 * schema and size, refusals with their reason in the body and in one log line, and neither the ID
 * token nor the minted token in any log line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.ts';
import { buildTestApp } from '../support/start-airlock.ts';
import { TestOidcIssuer } from '../support/oidc-issuer.ts';

type Line = Readonly<Record<string, unknown>>;

test('the exchange endpoint: 201 with the token (not cached), schema and size limits, refusals with their reason logged, no token in the logs', async (t) => {
  const issuer = await TestOidcIssuer.start('ES256');
  t.after(() => issuer.close());
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const a = await buildTestApp({
    logger: createLogger('info', sink),
    config: {
      repositories: [{ name: 'internal', format: 'npm', kind: 'hosted' }],
      access: { oidc: { issuers: [{ issuer: issuer.url, audience: 'airlock', trust: [{ name: 'ci', claims: { repository: 'acme/*' }, role: 'reader', repos: ['internal'] }] }] } },
    },
  });
  t.after(() => a.close());
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    a.app.inject({ method: 'POST', url: '/-/api/oidc/token', headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  const idToken = issuer.idToken();
  const ok = await post({ token: idToken });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.headers['cache-control'], 'no-store');
  const body = ok.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'id', 'issuer', 'label', 'role', 'rule', 'scope', 'subject', 'token']);
  assert.deepEqual([body['role'], body['rule'], body['scope']], ['reader', 'ci', { repos: ['internal'], packages: null }]);
  assert.ok(Math.abs(Date.parse(String(body['expiresAt'])) - Date.now() - 15 * 60_000) < 10_000, 'the default ttl, 15 minutes');
  const whoami = await a.app.inject({ method: 'GET', url: '/-/api/whoami', headers: { authorization: `Bearer ${String(body['token'])}` } });
  assert.deepEqual((whoami.json() as Record<string, unknown>)['label'], 'oidc:acme/app@refs/heads/main');

  assert.equal((await post({})).statusCode, 400);
  assert.equal((await post({ token: idToken, role: 'admin' })).statusCode, 400, 'no field may ask for more');
  assert.equal((await post({ token: 'x'.repeat(70 * 1024) })).statusCode, 413);
  const garbage = await post({ token: 'not-a-jwt' });
  assert.equal(garbage.statusCode, 401);
  assert.deepEqual(garbage.json(), { error: 'the token has 1 parts; a signed JWT has 3 (header.payload.signature)', code: 'UNAUTHORIZED', reason: 'malformed' });
  const stranger = await post({ token: issuer.idToken({ repository: 'evil/app' }) });
  assert.equal(stranger.statusCode, 403);
  assert.equal((stranger.json() as Record<string, unknown>)['reason'], 'no-rule');

  // The ID token where an Airlock token goes is refused, saying where it goes.
  const inHeader = await post({}, { authorization: `Bearer ${idToken}` });
  assert.equal(inHeader.statusCode, 401);
  assert.match((inHeader.json() as { error: string }).error, /the exchange takes the ID token in the JSON body/);

  // A scoped token in the Authorization header does not stand in the way (the admin API answers scoped tokens little else).
  const scoped = await post({ token: issuer.idToken() }, { authorization: `Bearer ${String(body['token'])}` });
  assert.equal(scoped.statusCode, 201, scoped.body);

  const lines = chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
  const refusals = lines.filter((l) => l['msg'] === 'refused an oidc id token');
  assert.deepEqual(refusals.map((l) => l['reason']), ['malformed', 'no-rule']);
  assert.equal(refusals[1]?.['subject'], 'repo:evil/app:ref:refs/heads/main');
  assert.equal(lines.filter((l) => l['msg'] === 'exchanged an oidc id token').length, 2);
  const all = chunks.join('');
  assert.ok(!all.includes(idToken.split('.')[2] as string), 'no ID token signature in the logs');
  assert.ok(!all.includes(String(body['token'])), 'no minted token in the logs');
});
