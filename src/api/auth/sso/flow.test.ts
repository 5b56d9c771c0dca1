/**
 * Single sign-on against a real OpenID Connect provider over HTTP (discovery, JWKS, an
 * authorization endpoint, a token endpoint checking the client and PKCE), fetched through the
 * app's fetcher, with the token service on a real SQLite store and a clock the test moves: the
 * sign-in, the state and nonce and PKCE, hostile answers (wrong audience, nonce, issuer or azp,
 * expired, unsigned, another key; token endpoint errors), role rules, the one-time code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { newSigningKey, signJwt, unsignedJwt } from '../../../verify/jwt/test-support.ts';
import { isSsoFailure, type SsoFailureReason } from './failure.ts';
import { changedAt, fails, REDIRECT, secret, setup } from '../../../../test/support/sso-setup.ts';

test('sso: a sign-in with PKCE and a confidential client makes an approver token once, audited', async (t) => {
  const { provider, store, tokens, sso, clock, signIn } = await setup(t);
  const { query, cookie, location } = await signIn();
  const p = location.searchParams;
  assert.deepEqual([p.get('response_type'), p.get('client_id'), p.get('redirect_uri'), p.get('scope'), p.get('code_challenge_method')], ['code', 'airlock', REDIRECT, 'openid email groups', 'S256']);
  assert.ok((p.get('state') ?? '').length >= 43 && (p.get('nonce') ?? '').length >= 43);
  const signedIn = await sso.complete(query, cookie);
  assert.deepEqual([signedIn.subject, signedIn.email, signedIn.role, signedIn.rule], ['u-1001', 'ada@example.com', 'approver', 'roles[0] groups=platform-security']);
  // The code went back with the verifier of the challenge, the client authenticated with basic.
  const sent = provider.tokenRequests.at(-1);
  assert.equal(createHash('sha256').update(sent?.form['code_verifier'] ?? '').digest('base64url'), p.get('code_challenge'));
  assert.equal(sent?.authorization, `Basic ${Buffer.from('airlock:s3cret+value').toString('base64')}`);
  assert.equal(sent?.form['client_secret'], undefined);

  // Not in another browser (without this one's binding cookie, or with another's).
  await fails(sso.redeem(signedIn.handoff, null), 'code', /not made for this browser/);
  await fails(sso.redeem(signedIn.handoff, 'x'.repeat(43)), 'code', /not made for this browser/);
  const t1 = await sso.redeem(signedIn.handoff, signedIn.binding);
  assert.deepEqual([t1.role, t1.label, t1.subject, t1.issuer], ['approver', 'sso:ada@example.com', 'u-1001', provider.url]);
  // The session's length from the service's clock, not from the wall clock after a sign-in that a
  // loaded machine can stretch past any slack.
  assert.equal(t1.expiresAt.getTime(), clock.now + 8 * 3_600_000);
  const rec = await tokens.verify(t1.token);
  assert.equal(rec?.exchangedFrom, provider.url);
  const audit = (await store.listAudit({ limit: 100 })).filter((e) => e.action === 'token.create');
  assert.equal(audit.length, 1);
  assert.equal(audit[0]?.actor, 'sso:u-1001');
  assert.deepEqual((audit[0]?.details as Record<string, unknown>)['oidc'], { issuer: provider.url, subject: 'u-1001', rule: 'roles[0] groups=platform-security', flow: 'sso' });
  // Single use: nothing is remembered in memory (another gateway would do the same); the store refuses the same secret twice.
  await fails(sso.redeem(signedIn.handoff, signedIn.binding), 'code', /used already/);
  // The callback's answer is good once too: the provider refuses the code a second time.
  await fails(sso.complete(query, cookie), 'idp-refused', /invalid_grant \(Code not valid\)/);
  // Sign-out revokes it.
  assert.equal(await sso.signOut(t1.token), true);
  assert.equal(await tokens.verify(t1.token), null);
});

test('sso: client_secret_post when the provider takes only that; a public client sends its id and no secret', async (t) => {
  const post = await setup(t, { provider: { authMethods: ['client_secret_post'] } });
  const a = await post.signIn();
  const done = await post.sso.complete(a.query, a.cookie);
  await post.sso.redeem(done.handoff, done.binding);
  const sent = post.provider.tokenRequests.at(-1);
  assert.equal(sent?.authorization, null);
  assert.deepEqual([sent?.form['client_id'], sent?.form['client_secret']], ['airlock', 's3cret value']);

  const pub = await setup(t, { provider: { clientSecret: null, authMethods: ['none'] }, settings: { clientSecret: null, sessionKey: secret('k'.repeat(32)) } });
  const b = await pub.signIn();
  assert.equal((await pub.sso.complete(b.query, b.cookie)).role, 'approver');
  const sentPub = pub.provider.tokenRequests.at(-1);
  assert.deepEqual([sentPub?.authorization, sentPub?.form['client_id'], sentPub?.form['client_secret']], [null, 'airlock', undefined]);
});

test('sso: the state must be this browser sign-in, not older than ten minutes', async (t) => {
  const { sso, clock, signIn } = await setup(t);
  const a = await signIn();
  await fails(sso.complete(a.query, null), 'state', /no sign-in under way/);
  await fails(sso.complete({ ...a.query, state: 'x'.repeat(43) }, a.cookie), 'state', /state differs/);
  await fails(sso.complete({ code: a.query.code as string }, a.cookie), 'state', /state differs/);
  const b = await signIn();
  // Another browser's sign-in state (its cookie) with this answer.
  await fails(sso.complete(a.query, b.cookie), 'state', /state differs/);
  await fails(sso.complete(b.query, changedAt(b.cookie, 20)), 'state', /not one this Airlock made/);
  clock.now += 11 * 60_000;
  await fails(sso.complete(b.query, b.cookie), 'state', /longer than ten minutes/);
});

test('sso: the provider refusing the sign-in is said as it said it', async (t) => {
  const { provider, sso, signIn } = await setup(t);
  provider.deny = true;
  const a = await signIn();
  assert.equal(a.query.code, undefined);
  await fails(sso.complete(a.query, a.cookie), 'idp-error', /did not sign you in: access_denied \(The user is not assigned to this application\)/);
});

test('sso: hostile ID tokens are refused', async (t) => {
  const { provider, sso, signIn } = await setup(t);
  const other = newSigningKey('RS256', provider.key.kid);
  const cases: [string, () => void, RegExp][] = [
    ['another audience', () => (provider.idTokenClaims = (c) => ({ ...c, aud: 'someone-else' })), /audience is "someone-else", not "airlock"/],
    ['another nonce', () => (provider.idTokenClaims = (c) => ({ ...c, nonce: 'replayed' })), /nonce is not the one of this sign-in/],
    ['no nonce', () => (provider.idTokenClaims = (c) => ({ ...c, nonce: undefined })), /has no nonce/],
    ['expired', () => (provider.idTokenClaims = (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 600 })), /expired at/],
    ['another issuer', () => (provider.idTokenClaims = (c) => ({ ...c, iss: 'https://evil.example' })), /issuer is "https:\/\/evil.example"/],
    ['another azp', () => (provider.idTokenClaims = (c) => ({ ...c, azp: 'other-client' })), /issued to another client \(azp "other-client"/],
    // String() of an object with a toString member throws: the refusal names its JSON kind instead.
    ['an azp that is an object', () => (provider.idTokenClaims = (c) => ({ ...c, azp: { toString: 1 } })), /issued to another client \(azp an object, not "airlock"\)/],
    ['several audiences, no azp', () => (provider.idTokenClaims = (c) => ({ ...c, aud: ['airlock', 'other'], azp: undefined })), /issued to another client/],
    ['unsigned (alg none)', () => (provider.idToken = (c) => unsignedJwt(c)), /unsigned \(alg none\)/],
    ['signed by another key', () => (provider.idToken = (c) => signJwt(other, c)), /signature does not verify/],
    ['no subject', () => (provider.idTokenClaims = (c) => ({ ...c, sub: undefined })), /no subject/],
  ];
  for (const [what, arrange, message] of cases) {
    provider.idTokenClaims = (c) => c;
    provider.idToken = null;
    arrange();
    const a = await signIn();
    await t.test(what, () => fails(sso.complete(a.query, a.cookie), 'id-token', message));
  }
});

test('sso: token endpoint errors', async (t) => {
  const { provider, sso, signIn } = await setup(t);
  const cases: [{ status: number; body: unknown }, SsoFailureReason, RegExp][] = [
    [{ status: 400, body: { error: 'invalid_grant', error_description: 'Code expired' } }, 'idp-refused', /refused to complete the sign-in: invalid_grant \(Code expired\)/],
    [{ status: 401, body: { error: 'invalid_client' } }, 'idp-refused', /invalid_client/],
    [{ status: 500, body: 'oops' }, 'idp-unavailable', /token endpoint answered HTTP 500/],
    [{ status: 200, body: { access_token: 'x', token_type: 'Bearer' } }, 'idp-unavailable', /without an ID token/],
    [{ status: 200, body: ['not', 'an', 'object'] }, 'idp-unavailable', /not answer with a JSON object/],
    [{ status: 200, body: { id_token: 'x'.repeat(70_000) } }, 'idp-unavailable', /token endpoint/],
  ];
  for (const [response, reason, message] of cases) {
    provider.tokenResponse = response;
    const a = await signIn();
    await fails(sso.complete(a.query, a.cookie), reason, message);
  }
});

test('sso: roles by the first rule that matches; no rule is a clear refusal', async (t) => {
  const { provider, sso, signIn } = await setup(t);
  provider.user = { sub: 'u-2', email: 'bob@example.com', name: 'Bob', groups: ['staff'] };
  let a = await signIn();
  assert.equal((await sso.complete(a.query, a.cookie)).role, 'reader');
  // `*` matches any value, but the claim must be there.
  provider.user = { sub: 'u-3', email: 'eve@example.com', name: 'Eve', groups: [] };
  a = await signIn();
  await assert.rejects(sso.complete(a.query, a.cookie), (err: unknown) => {
    assert.ok(isSsoFailure(err) && err.reason === 'no-role');
    assert.equal(err.message, 'your account (eve@example.com) has no role in Airlock; ask an Airlock administrator to give one of your groups a role (access.sso.roles)');
    assert.deepEqual(err.lines, ['subject: u-3', 'email: eve@example.com', 'groups: (none)']);
    return true;
  });
  // A claim that is a single string matches as well.
  provider.idTokenClaims = (c) => ({ ...c, groups: 'platform-security' });
  a = await signIn();
  assert.equal((await sso.complete(a.query, a.cookie)).role, 'approver');
});

test('sso: the one-time code lasts a minute and is this Airlock', async (t) => {
  const { sso, clock, signIn } = await setup(t);
  const a = await signIn();
  const { handoff, binding } = await sso.complete(a.query, a.cookie);
  // A changed character in the authentication tag (the last 16 bytes).
  await fails(sso.redeem(changedAt(handoff, handoff.length - 8), binding), 'code', /not a sign-in code of this Airlock/);
  const b = await signIn();
  // A sign-in state is not a code (sealed for another purpose).
  await fails(sso.redeem(b.cookie, binding), 'code', /not a sign-in code/);
  clock.now += 61_000;
  await fails(sso.redeem(handoff, binding), 'code', /expired/);
});
