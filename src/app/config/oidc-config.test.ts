/** `access.oidc`: issuers and trust rules, strictly checked, errors naming the path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { applyEnvOverrides } from './env.ts';
import { validateConfig } from './schema.ts';

const ctx = { env: {}, baseDir: '/tmp', cwd: '/tmp' };
const GITHUB = 'https://token.actions.githubusercontent.com';
const repositories = [
  { name: 'npm', format: 'npm', upstream: 'https://registry.example/' },
  { name: 'internal', format: 'npm', kind: 'hosted' },
];

function withOidc(issuers: unknown): unknown {
  return { repositories, access: { anonymousRead: false, oidc: { issuers } } };
}

function issuer(over: Record<string, unknown> = {}, rule: Record<string, unknown> = {}): Record<string, unknown> {
  return { issuer: GITHUB, audience: 'https://airlock.example', trust: [{ claims: { repository: 'acme/app', ref: 'refs/heads/main' }, role: 'publisher', repos: ['internal'], packages: ['@acme/*'], ...rule }], ...over };
}

function invalid(raw: unknown, message: RegExp): void {
  assert.throws(
    () => validateConfig(raw, ctx),
    (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && message.test(err.message),
    message.source,
  );
}

test('access.oidc: none by default; issuers with their rules, names and ttls as given or defaulted', () => {
  assert.deepEqual(validateConfig({}, ctx).access.oidc, { issuers: [], rateLimit: { perMinute: 30, burst: 10, clients: 10_000 } });
  const c = validateConfig(withOidc([issuer({ jwksUri: `${GITHUB}/.well-known/jwks` }, { name: 'release', ttl: '30m' }), { issuer: 'http://127.0.0.1:9999', audience: 'airlock', trust: [{ claims: { sub: 'repo:acme/*' }, role: 'reader' }] }]), ctx).access.oidc;
  assert.deepEqual(c.issuers[0], {
    issuer: GITHUB,
    audience: 'https://airlock.example',
    jwksUri: `${GITHUB}/.well-known/jwks`,
    trust: [{ name: 'release', claims: { repository: 'acme/app', ref: 'refs/heads/main' }, role: 'publisher', repos: ['internal'], packages: ['@acme/*'], ttlMs: 1_800_000 }],
  });
  assert.deepEqual(c.issuers[1]?.trust[0], { name: '#1', claims: { sub: 'repo:acme/*' }, role: 'reader', repos: null, packages: null, ttlMs: 900_000 });
  assert.equal(c.issuers[1]?.jwksUri, null);
});

test('access.oidc: unknown keys, missing fields and bad URLs are errors naming the path', () => {
  invalid(withOidc([issuer({ audiance: 'x' })]), /^access\.oidc\.issuers\[0\]\.audiance: unknown key/);
  invalid({ access: { oidc: { issuer: GITHUB } } }, /^access\.oidc\.issuer: unknown key \(expected one of: issuers, rateLimit\)/);
  invalid(withOidc([issuer({}, { claim: {} })]), /^access\.oidc\.issuers\[0\]\.trust\[0\]\.claim: unknown key/);
  invalid(withOidc([issuer({ audience: undefined })]), /^access\.oidc\.issuers\[0\]\.audience: is required/);
  invalid(withOidc([issuer({ trust: [] })]), /^access\.oidc\.issuers\[0\]\.trust: has no rule/);
  invalid(withOidc([issuer({ issuer: 'http://token.actions.example' })]), /^access\.oidc\.issuers\[0\]\.issuer: must be an https:\/\/ URL \(http:\/\/ only on this machine/);
  invalid(withOidc([issuer({ jwksUri: 'ftp://x/jwks' })]), /^access\.oidc\.issuers\[0\]\.jwksUri: must be an https:\/\/ URL/);
  invalid(withOidc([issuer({ issuer: `${GITHUB}?x=1` })]), /issuer: must not have a query/);
  invalid(withOidc([issuer(), issuer()]), /^access\.oidc\.issuers\[1\]\.issuer: duplicate issuer/);
  invalid(withOidc([issuer({ trust: [{ claims: { sub: 'a' }, role: 'reader', name: 'x' }, { claims: { sub: 'b' }, role: 'reader', name: 'x' }] })]), /trust\[1\]\.name: duplicate rule name "x"/);
});

test('access.oidc.rateLimit: the defaults, each setting replaced as given, false for none; out of range or unknown is an error', () => {
  const limit = (rateLimit: unknown) => validateConfig({ access: { oidc: { rateLimit } } }, ctx).access.oidc.rateLimit;
  assert.deepEqual(limit({ perMinute: 120 }), { perMinute: 120, burst: 10, clients: 10_000 });
  assert.deepEqual(limit({ burst: 1, clients: 100 }), { perMinute: 30, burst: 1, clients: 100 });
  assert.equal(limit(false), null);
  invalid({ access: { oidc: { rateLimit: { perMinute: 0 } } } }, /^access\.oidc\.rateLimit\.perMinute: /);
  invalid({ access: { oidc: { rateLimit: { burst: 1.5 } } } }, /^access\.oidc\.rateLimit\.burst: /);
  invalid({ access: { oidc: { rateLimit: { clients: 10 } } } }, /^access\.oidc\.rateLimit\.clients: /);
  invalid({ access: { oidc: { rateLimit: { perSecond: 1 } } } }, /^access\.oidc\.rateLimit\.perSecond: unknown key/);
});

test('access.oidc: a rule grants reader or publisher only, for 1 minute to 1 hour, within repositories that exist', () => {
  invalid(withOidc([issuer({}, { role: 'admin', packages: undefined })]), /^access\.oidc\.issuers\[0\]\.trust\[0\]\.role: must be reader or publisher \("admin"\): approver and admin tokens are never handed to a CI job/);
  invalid(withOidc([issuer({}, { role: 'approver' })]), /trust\[0\]\.role: must be reader or publisher/);
  invalid(withOidc([issuer({}, { role: undefined })]), /trust\[0\]\.role: is required/);
  invalid(withOidc([issuer({}, { ttl: '2h' })]), /^access\.oidc\.issuers\[0\]\.trust\[0\]\.ttl: must be between 1m and 1h/);
  invalid(withOidc([issuer({}, { ttl: '10s' })]), /trust\[0\]\.ttl: must be between/);
  invalid(withOidc([issuer({}, { repos: ['nowhere'] })]), /^access\.oidc\.issuers\[0\]\.trust\[0\]\.repos\[0\]: no repository is named "nowhere" \(npm, internal\)/);
  invalid(withOidc([issuer({}, { role: 'reader' })]), /trust\[0\]\.packages: a reader token writes no package/);
  invalid(withOidc([issuer({}, { packages: ['*'] })]), /trust\[0\]\.packages: the package "\*" would cover every package/);
  invalid(withOidc([issuer({}, { repos: [] })]), /trust\[0\]\.repos: is empty: leave it out/);
});

test('access.oidc: a rule must pin the workload, with claims by name and patterns that limit something', () => {
  invalid(withOidc([issuer({}, { claims: { ref: 'refs/heads/main' } })]), /^access\.oidc\.issuers\[0\]\.trust\[0\]\.claims: pins no workload: name one of sub, repository, repository_owner/);
  invalid(withOidc([issuer({}, { claims: { repository: '*/app' } })]), /claims: pins no workload/);
  invalid(withOidc([issuer({}, { claims: { repository: '*' } })]), /^access\.oidc\.issuers\[0\]\.trust\[0\]\.claims\.repository: matches any value: leave the claim out/);
  invalid(withOidc([issuer({}, { claims: {} })]), /claims: names 1 to 16 claims/);
  invalid(withOidc([issuer({}, { claims: undefined })]), /claims: is required/);
  invalid(withOidc([issuer({}, { claims: { repository: 'acme/app', '__proto__x': 'y' } })]), /claims\.__proto__x: is not a claim name/);
  invalid(withOidc([issuer({}, { claims: { repository: 7 } })]), /claims\.repository: expected a string/);
});

test('access.oidc: set from the environment as a flow mapping', () => {
  const raw = applyEnvOverrides({ repositories }, { AIRLOCK_ACCESS_OIDC: `{issuers: [{issuer: "${GITHUB}", audience: airlock, trust: [{claims: {repository_owner: acme}, role: reader}]}]}` });
  assert.equal(validateConfig(raw, ctx).access.oidc.issuers[0]?.trust[0]?.role, 'reader');
});
