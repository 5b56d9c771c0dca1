/** `access.sso`: strictly checked, errors naming the path; needs server.publicUrl; secrets by reference. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { validateConfig } from './schema.ts';

const env = { AIRLOCK_SSO_SECRET: 'client secret', SSO_KEY: 'k'.repeat(32), SHORT_KEY: 'short' };
const ctx = { env, baseDir: '/tmp', cwd: '/tmp' };
const ISSUER = 'https://idp.example.com/realms/acme';

function withSso(sso: Record<string, unknown>, server: Record<string, unknown> = { publicUrl: 'https://airlock.example.com' }): unknown {
  return { server, access: { sso: { issuer: ISSUER, clientId: 'airlock', clientSecret: { env: 'AIRLOCK_SSO_SECRET' }, roles: [{ claim: 'groups', value: 'platform-security', role: 'approver' }], ...sso } } };
}

function invalid(raw: unknown, message: RegExp): void {
  assert.throws(
    () => validateConfig(raw, ctx),
    (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && message.test(err.message),
    message.source,
  );
}

test('access.sso: none by default; as given, with defaults, the redirect URI from server.publicUrl', () => {
  assert.equal(validateConfig({}, ctx).access.sso, null);
  const c = validateConfig(withSso({ scopes: ['openid', 'profile', 'email', 'groups'], roles: [{ claim: 'groups', value: 'platform-security', role: 'approver' }, { claim: 'groups', value: '*', role: 'reader' }], sessionTtl: '4h' }), ctx).access.sso;
  assert.ok(c !== null);
  assert.deepEqual(
    { ...c, clientSecret: c.clientSecret?.reveal() },
    {
      issuer: ISSUER,
      clientId: 'airlock',
      clientSecret: 'client secret',
      sessionKey: null,
      scopes: ['openid', 'profile', 'email', 'groups'],
      roles: [
        { name: 'roles[0] groups=platform-security', claim: 'groups', value: 'platform-security', role: 'approver' },
        { name: 'roles[1] groups=*', claim: 'groups', value: '*', role: 'reader' },
      ],
      sessionTtlMs: 4 * 3_600_000,
      redirectUri: 'https://airlock.example.com/-/sso/callback',
      groupsFrom: 'auto',
    },
  );
  assert.equal(validateConfig(withSso({ groupsFrom: 'userinfo' }), ctx).access.sso?.groupsFrom, 'userinfo');
  assert.equal(validateConfig(withSso({ groupsFrom: 'idToken' }), ctx).access.sso?.groupsFrom, 'idToken');
  const d = validateConfig(withSso({ clientSecret: undefined, sessionKey: { env: 'SSO_KEY' } }), ctx).access.sso;
  assert.deepEqual([d?.clientSecret, d?.sessionKey?.reveal(), d?.scopes, d?.sessionTtlMs], [null, 'k'.repeat(32), ['openid', 'profile', 'email'], 8 * 3_600_000]);
  // From the environment, as every section.
  const e = validateConfig(applyEnvOverrides({ server: { publicUrl: 'https://airlock.example.com' } }, { AIRLOCK_ACCESS_SSO: `{issuer: ${ISSUER}, clientId: airlock, sessionKey: {env: SSO_KEY}, roles: [{claim: groups, value: ops, role: admin}]}` }), ctx).access.sso;
  assert.equal(e?.roles[0]?.role, 'admin');
});

test('access.sso: refused with the path and why', () => {
  invalid(withSso({}, {}), /^access\.sso: needs server\.publicUrl: the redirect URI registered with the identity provider is <server\.publicUrl>-\/sso\/callback$/);
  invalid(withSso({ clientSecret: 'inline' }), /^access\.sso\.clientSecret: secrets must be given by reference/);
  invalid(withSso({ clientSecret: undefined }), /^access\.sso\.sessionKey: is required for a public client/);
  invalid(withSso({ sessionKey: { env: 'SHORT_KEY' } }), /^access\.sso\.sessionKey: must be at least 32 characters/);
  invalid(withSso({ issuer: 'http://idp.example.com' }), /^access\.sso\.issuer: must be an https:\/\/ URL/);
  invalid(withSso({ clientId: undefined }), /^access\.sso\.clientId: is required/);
  invalid(withSso({ scopes: ['profile'] }), /^access\.sso\.scopes: must include openid/);
  invalid(withSso({ scopes: ['open id'] }), /^access\.sso\.scopes\[0\]: a scope name/);
  invalid(withSso({ roles: [] }), /^access\.sso\.roles: has no rule/);
  invalid(withSso({ roles: [{ claim: 'groups', value: 'x', role: 'root' }] }), /^access\.sso\.roles\[0\]\.role: expected one of "reader", "publisher", "approver", "admin", got "root"/);
  invalid(withSso({ roles: [{ claim: 'groups', value: 'x' }] }), /^access\.sso\.roles\[0\]\.role: is required/);
  invalid(withSso({ roles: [{ claim: 'groups', value: 'x', role: 'reader', ttl: '1h' }] }), /^access\.sso\.roles\[0\]\.ttl: unknown key/);
  invalid(withSso({ sessionTtl: '2d' }), /^access\.sso\.sessionTtl: must be between/);
  invalid(withSso({ redirectUri: 'https://evil.example/' }), /^access\.sso\.redirectUri: unknown key/);
  invalid(withSso({ groupsFrom: 'graph' }), /^access\.sso\.groupsFrom: expected one of "auto", "idToken", "userinfo", got "graph"/);
});
