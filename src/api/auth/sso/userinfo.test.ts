/**
 * Single sign-on's role claims from the userinfo endpoint, against a local OpenID Connect provider
 * over HTTP whose ID token may leave the groups out (as Okta and Keycloak often do) and whose
 * userinfo endpoint answers the access token's user: `groupsFrom` auto, idToken and userinfo; a
 * signed answer verified with the provider's keys; hostile answers (another subject, too large,
 * too many groups, another content type, a forged signature, a refused access token); and
 * Microsoft Entra ID's groups overage (`_claim_names`) refused with what to configure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newSigningKey, signJwt } from '../../../verify/jwt/test-support.ts';
import { isSsoFailure } from './failure.ts';
import { OVERAGE_ADVICE } from './role-claims.ts';
import { fails, setup } from '../../../../test/support/sso-setup.ts';

const OVERAGE = { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/u-1001/getMemberObjects' } } };

test('sso userinfo: groups left out of the ID token are read from userinfo with the access token (auto)', async (t) => {
  const { provider, sso, signIn } = await setup(t);
  provider.groupsInIdToken = false;
  let a = await signIn();
  assert.deepEqual([(await sso.complete(a.query, a.cookie)).role, provider.userinfoRequests.length], ['approver', 1]);
  assert.match(provider.userinfoRequests[0] ?? '', /^Bearer [0-9a-f]{32}$/);
  // In the ID token: userinfo is not asked.
  provider.groupsInIdToken = true;
  a = await signIn();
  assert.deepEqual([(await sso.complete(a.query, a.cookie)).role, provider.userinfoRequests.length], ['approver', 1]);
  // A signed answer (application/jwt) verifies with the provider's keys.
  provider.groupsInIdToken = false;
  provider.userinfoSigned = true;
  a = await signIn();
  assert.equal((await sso.complete(a.query, a.cookie)).role, 'approver');
  // No userinfo endpoint: the ID token is all there is, and the no-role page says so.
  const other = await setup(t);
  other.provider.groupsInIdToken = false;
  other.provider.userinfoEndpoint = false;
  a = await other.signIn();
  await assert.rejects(other.sso.complete(a.query, a.cookie), (err: unknown) => isSsoFailure(err) && err.reason === 'no-role' && err.lines.includes('groups: (none)'));
  assert.equal(other.provider.userinfoRequests.length, 0);
});

test('sso userinfo: groupsFrom idToken never asks; userinfo always does, and its groups are the ones used', async (t) => {
  const id = await setup(t, { settings: { groupsFrom: 'idToken' } });
  id.provider.groupsInIdToken = false;
  let a = await id.signIn();
  await fails(id.sso.complete(a.query, a.cookie), 'no-role', /has no role in Airlock/);
  assert.equal(id.provider.userinfoRequests.length, 0);

  const ui = await setup(t, { settings: { groupsFrom: 'userinfo' } });
  ui.provider.userinfoClaims = (c) => ({ ...c, groups: ['staff'] });
  a = await ui.signIn();
  // The ID token says platform-security; userinfo says staff, and is what counts.
  assert.deepEqual([(await ui.sso.complete(a.query, a.cookie)).role, ui.provider.userinfoRequests.length], ['reader', 1]);
  const none = await setup(t, { settings: { groupsFrom: 'userinfo' } });
  none.provider.userinfoEndpoint = false;
  a = await none.signIn();
  await fails(none.sso.complete(a.query, a.cookie), 'idp-unavailable', /names no userinfo_endpoint, and access\.sso\.groupsFrom is userinfo/);
});

test('sso userinfo: hostile answers are refused', async (t) => {
  const { provider, sso, signIn } = await setup(t);
  provider.groupsInIdToken = false;
  const forger = newSigningKey('RS256', provider.key.kid);
  const cases: [string, () => void, RegExp][] = [
    ['another subject', () => (provider.userinfoClaims = (c) => ({ ...c, sub: 'u-666' })), /for another subject \("u-666"\), not the one the ID token names \(OpenID Connect Core §5\.3\.2\)/],
    ['no subject', () => (provider.userinfoClaims = (c) => ({ ...c, sub: undefined })), /for no subject \(sub\)/],
    ['larger than 1 MiB', () => (provider.userinfoResponse = { status: 200, contentType: 'application/json', body: JSON.stringify({ sub: 'u-1001', groups: ['x'.repeat(1024 * 1024)] }) }), /larger than 1 MiB/],
    ['1,001 groups', () => (provider.userinfoClaims = (c) => ({ ...c, groups: Array.from({ length: 1001 }, (_, i) => `g${i}`) })), /its groups claim lists 1001 values; at most 1000/],
    ['not JSON', () => (provider.userinfoResponse = { status: 200, contentType: 'application/json', body: '<html>' }), /it is not JSON/],
    ['another content type', () => (provider.userinfoResponse = { status: 200, contentType: 'text/html', body: '{}' }), /content type is "text\/html", not application\/json or application\/jwt/],
    ['a forged signature', () => (provider.userinfoResponse = { status: 200, contentType: 'application/jwt', body: signJwt(forger, { iss: provider.url, aud: 'airlock', sub: 'u-1001', groups: ['platform-security'] }) }), /signed answer: .*signature does not verify/],
    ['signed for another client', () => (provider.userinfoResponse = { status: 200, contentType: 'application/jwt', body: signJwt(provider.key, { iss: provider.url, aud: 'other', sub: 'u-1001' }) }), /not for this client/],
    ['encrypted', () => (provider.userinfoResponse = { status: 200, contentType: 'application/jwt', body: 'a.b.c.d.e' }), /encrypted \(a JWE\)/],
    ['the access token refused', () => (provider.userinfoResponse = { status: 401, contentType: 'application/json', body: '{}' }), /refused the access token of the sign-in with HTTP 401/],
  ];
  for (const [what, arrange, message] of cases) {
    provider.userinfoClaims = (c) => c;
    provider.userinfoResponse = null;
    arrange();
    const a = await signIn();
    await t.test(what, () => fails(sso.complete(a.query, a.cookie), 'userinfo', message));
  }
});

test("sso userinfo: Entra ID's groups overage is refused with what to configure", async (t) => {
  const { provider, sso, signIn } = await setup(t);
  provider.groupsInIdToken = false;
  provider.idTokenClaims = (c) => ({ ...c, ...OVERAGE });
  let a = await signIn();
  await assert.rejects(sso.complete(a.query, a.cookie), (err: unknown) => {
    assert.ok(isSsoFailure(err) && err.reason === 'groups-overage', String(err));
    assert.equal(err.message, "the identity provider left your groups out of its ID token: there are too many to include (_claim_names.groups, Microsoft Entra ID's groups overage), and Airlock does not fetch them from Microsoft Graph");
    assert.deepEqual(err.lines, ['subject: u-1001', OVERAGE_ADVICE]);
    return true;
  });
  // Not even userinfo is asked: Entra's has no groups.
  assert.equal(provider.userinfoRequests.length, 0);
  // In a userinfo answer too.
  provider.idTokenClaims = (c) => c;
  provider.userinfoClaims = (c) => ({ ...c, groups: undefined, ...OVERAGE });
  a = await signIn();
  await fails(sso.complete(a.query, a.cookie), 'groups-overage', /left your groups out of its userinfo answer/);
  // A rule on another claim (app roles) signs in despite the groups overage.
  const roles = await setup(t, { settings: { roles: [{ name: 'roles[0] roles=Airlock.Approver', claim: 'roles', value: 'Airlock.Approver', role: 'approver' }] } });
  roles.provider.idTokenClaims = (c) => ({ ...c, groups: undefined, ...OVERAGE, roles: ['Airlock.Approver'] });
  a = await roles.signIn();
  assert.equal((await roles.sso.complete(a.query, a.cookie)).role, 'approver');
});
