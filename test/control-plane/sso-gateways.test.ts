/**
 * Single sign-on's routes over HTTP with two gateways on one store, as behind a load balancer:
 * the sign-in starts on one, comes back to the other, and the one-time code is redeemed on the
 * first — and refused on the second after that. The cookie's attributes, the pages (escaped), the
 * configuration endpoint, and sign-out of a sign-in's token only. Groups read from the userinfo
 * endpoint; Entra ID's groups overage and a userinfo answer for another subject on their pages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildTestApp, type TestAirlock } from '../support/start-airlock.ts';
import { TestOidcProvider } from '../support/oidc-provider.ts';

const PUBLIC = 'https://airlock.example.com/';

test('sso: a sign-in across two gateways sharing a store; the code once; pages, cookie and sign-out', async (t) => {
  const provider = await TestOidcProvider.start({ clientId: 'airlock', clientSecret: 'sso secret' });
  provider.redirectUris = [`${PUBLIC}-/sso/callback`];
  t.after(() => provider.close());
  const config = {
    server: { publicUrl: PUBLIC },
    repositories: [],
    access: { sso: { issuer: provider.url, clientId: 'airlock', clientSecret: { env: 'SSO_SECRET' }, roles: [{ claim: 'groups', value: 'platform-*', role: 'approver' }] } },
  };
  const env = { SSO_SECRET: 'sso secret' };
  const a = await buildTestApp({ config, env });
  let b: TestAirlock | null = null;
  t.after(async () => {
    await b?.app.close();
    await a.close();
  });
  b = await buildTestApp({ config, env, dataDir: a.dataDir, adminToken: a.adminToken });

  assert.deepEqual((await a.app.inject({ url: '/-/sso/config' })).json(), { enabled: true, issuer: provider.url });
  const login = await a.app.inject({ url: '/-/sso/login' });
  assert.equal(login.statusCode, 302);
  const cookie = String(login.headers['set-cookie']);
  assert.match(cookie, /^airlock_sso=[A-Za-z0-9_-]+; Path=\/-\/sso\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
  const location = new URL(String(login.headers.location));
  assert.equal(`${location.origin}${location.pathname}`, `${provider.url}/protocol/openid-connect/auth`);
  const back = new URL(String((await fetch(location, { redirect: 'manual' })).headers.get('location')));

  // Back on the other gateway.
  const callback = await b.app.inject({ url: `/-/sso/callback${back.search}`, headers: { cookie: cookie.split(';')[0] as string } });
  assert.equal(callback.statusCode, 303, callback.body);
  // The sign-in state is replaced by what binds the code to this browser, for a minute.
  const binding = String(callback.headers['set-cookie']);
  assert.match(binding, /^airlock_sso=[A-Za-z0-9_-]{43}; Path=\/-\/sso\/; HttpOnly; SameSite=Lax; Max-Age=60; Secure$/);
  const code = /^\/-\/ui\/#sso=([A-Za-z0-9_-]+)$/.exec(String(callback.headers.location))?.[1] as string;
  assert.ok(code !== undefined, String(callback.headers.location));

  // Another browser (no cookie, or the sign-in state's) cannot redeem it.
  const foreign = await a.app.inject({ method: 'POST', url: '/-/sso/session', payload: { code }, headers: { cookie: cookie.split(';')[0] as string } });
  assert.deepEqual([foreign.statusCode, foreign.json().error], [400, 'this sign-in code was not made for this browser: sign in again']);
  const session = await a.app.inject({ method: 'POST', url: '/-/sso/session', payload: { code }, headers: { cookie: binding.split(';')[0] as string } });
  assert.equal(session.statusCode, 201, session.body);
  const token = session.json().token as string;
  assert.deepEqual([session.json().role, session.json().label, session.headers['cache-control']], ['approver', 'sso:ada@example.com', 'no-store']);
  assert.match(String(session.headers['set-cookie']), /^airlock_sso=; Path=\/-\/sso\/; HttpOnly; SameSite=Lax; Max-Age=0/);
  const again = await b.app.inject({ method: 'POST', url: '/-/sso/session', payload: { code }, headers: { cookie: binding.split(';')[0] as string } });
  assert.deepEqual([again.statusCode, again.json().reason, again.json().error], [400, 'code', 'this sign-in code was used already: sign in again']);
  const whoami = await b.app.inject({ url: '/-/api/whoami', headers: { authorization: `Bearer ${token}` } });
  assert.equal(whoami.json().role, 'approver');

  // A stale or foreign sign-in, and the provider's words, on pages that run nothing.
  const stale = await b.app.inject({ url: `/-/sso/callback${back.search}` });
  assert.equal(stale.statusCode, 400);
  assert.match(String(stale.headers['content-type']), /^text\/html/);
  assert.match(String(stale.headers['content-security-policy']), /default-src 'none'/);
  assert.match(stale.body, /<h1 id="title">Sign-in expired or not recognised<\/h1>/);
  const hostile = await b.app.inject({ url: '/-/sso/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=x' });
  assert.equal(hostile.statusCode, 403);
  assert.ok(!hostile.body.includes('<script>') && hostile.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), hostile.body);
  assert.equal((await b.app.inject({ method: 'POST', url: '/-/sso/session', payload: { code: 'a'.repeat(5000) } })).statusCode, 400);

  // Sign-out: an administrator's token is not revoked this way; the sign-in's is.
  const notSso = await a.app.inject({ method: 'POST', url: '/-/sso/logout', headers: { authorization: `Bearer ${a.adminToken}` } });
  assert.equal(notSso.statusCode, 400);
  assert.equal((await a.app.inject({ method: 'POST', url: '/-/sso/logout' })).statusCode, 401);
  assert.equal((await b.app.inject({ method: 'POST', url: '/-/sso/logout', headers: { authorization: `Bearer ${token}` } })).statusCode, 204);
  assert.equal((await b.app.inject({ url: '/-/api/whoami', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
});

test('sso over HTTP: groups only at userinfo sign in; an Entra ID groups overage and another subject at userinfo on their pages, logged as warnings', async (t) => {
  const provider = await TestOidcProvider.start({ clientId: 'airlock', clientSecret: 'sso secret' });
  provider.redirectUris = [`${PUBLIC}-/sso/callback`];
  provider.groupsInIdToken = false;
  t.after(() => provider.close());
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l)); done(); } }));
  const a = await buildTestApp({
    config: { server: { publicUrl: PUBLIC }, repositories: [], access: { sso: { issuer: provider.url, clientId: 'airlock', clientSecret: { env: 'SSO_SECRET' }, roles: [{ claim: 'groups', value: 'platform-*', role: 'approver' }] } } },
    env: { SSO_SECRET: 'sso secret' },
    logger,
  });
  t.after(() => a.close());
  const callback = async () => {
    const login = await a.app.inject({ url: '/-/sso/login' });
    const back = new URL(String((await fetch(String(login.headers.location), { redirect: 'manual' })).headers.get('location')));
    return a.app.inject({ url: `/-/sso/callback${back.search}`, headers: { cookie: String(login.headers['set-cookie']).split(';')[0] as string } });
  };
  const ok = await callback();
  assert.equal(ok.statusCode, 303, ok.body);
  assert.equal(provider.userinfoRequests.length, 1);
  // Microsoft Entra ID's overage marker instead of the groups.
  provider.idTokenClaims = (c) => ({ ...c, _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/u-1001/getMemberObjects' } } });
  const overage = await callback();
  assert.equal(overage.statusCode, 403);
  assert.match(overage.body, /<h1 id="title">Too many groups to sign in with<\/h1>/);
  assert.match(overage.body, /left your groups out of its ID token: there are too many to include \(_claim_names\.groups, Microsoft Entra ID&#39;s groups overage\), and Airlock does not fetch them from Microsoft Graph/);
  assert.match(overage.body, /&quot;Groups assigned to the application&quot;.*access\.sso\.roles rules on the roles claim/);
  // Userinfo answering for someone else.
  provider.idTokenClaims = (c) => c;
  provider.userinfoClaims = (c) => ({ ...c, sub: 'u-2' });
  const other = await callback();
  assert.equal(other.statusCode, 502);
  assert.match(other.body, /<h1 id="title">Account details not accepted<\/h1>/);
  assert.match(other.body, /another subject \(&quot;u-2&quot;\)/);
  const refused = lines.filter((l) => l.msg === 'sso sign-in refused').map((l) => [l.level, l.reason]);
  assert.deepEqual(refused, [[40, 'groups-overage'], [40, 'userinfo']]);
});

test('sso: not configured, only /-/sso/config answers', async (t) => {
  const a = await buildTestApp({ config: { repositories: [] } });
  t.after(() => a.close());
  assert.deepEqual((await a.app.inject({ url: '/-/sso/config' })).json(), { enabled: false });
  assert.equal((await a.app.inject({ url: '/-/sso/login' })).statusCode, 404);
  assert.equal((await a.app.inject({ method: 'POST', url: '/-/sso/session', payload: { code: 'x' } })).statusCode, 404);
});
