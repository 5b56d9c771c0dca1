/**
 * The token exchange against a real OIDC issuer over HTTP (discovery, JWKS, real signatures),
 * fetched through the app's fetcher (the upstream module's client), with the token service on a
 * real SQLite store and a clock the test moves.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../../core/index.ts';
import { openSqliteMetadataStore } from '../../../storage/sqlite/index.ts';
import { OidcFetcher } from '../../../app/oidc-fetch.ts';
import { newSigningKey, signJwt } from '../../../verify/jwt/test-support.ts';
import { TestOidcIssuer, githubClaims } from '../../../../test/support/oidc-issuer.ts';
import { TokenService } from '../token-service.ts';
import { OidcExchange, type OidcExchangeOptions } from './exchange.ts';
import { isOidcRefusal, type OidcRefusalReason } from './refusal.ts';
import type { OidcIssuer } from './types.ts';

const MIN = 60_000;

function issuerConfig(url: string, over: Partial<OidcIssuer> = {}): OidcIssuer {
  return {
    issuer: url,
    audience: 'airlock',
    jwksUri: null,
    trust: [
      { name: 'release', claims: { repository: 'acme/*', ref: 'refs/heads/main' }, role: 'publisher', repos: ['internal'], packages: ['@acme/*'], ttlMs: 30 * MIN },
      { name: 'ci', claims: { repository_owner: 'acme' }, role: 'reader', repos: null, packages: null, ttlMs: 15 * MIN },
    ],
    ...over,
  };
}

async function setup(t: TestContext, options: { issuers?: (url: string) => OidcIssuer[]; exchange?: Partial<OidcExchangeOptions> } = {}) {
  const issuer = await TestOidcIssuer.start();
  t.after(() => issuer.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-oidc-'));
  const store = openSqliteMetadataStore({ path: join(dir, 'airlock.db') });
  await store.migrate();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  let now = Date.now();
  const clock = (): Date => new Date(now);
  const tokens = new TokenService({ store, newId: () => newId(), clock });
  const fetcher = new OidcFetcher({}, 'airlock-test');
  t.after(() => fetcher.close());
  const logged: { obj: object; msg: string }[] = [];
  const log = { info: (obj: object, msg: string) => logged.push({ obj, msg }), warn: (obj: object, msg: string) => logged.push({ obj, msg }) };
  const exchange = new OidcExchange({ tokens, fetcher, clock, log }, { issuers: options.issuers?.(issuer.url) ?? [issuerConfig(issuer.url)], ...options.exchange });
  return { issuer, store, tokens, exchange, logged, advance: (ms: number) => (now += ms), now: () => now };
}

async function refused(p: Promise<unknown>, reason: OidcRefusalReason, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isOidcRefusal(err), String(err));
    assert.equal(err.reason, reason, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('oidc exchange: a GitHub Actions token becomes a scoped, expiring token of the first matching rule, audited with issuer, subject and rule', async (t) => {
  const { issuer, store, tokens, exchange, advance, now } = await setup(t);
  const release = await exchange.exchange(issuer.idToken({}, { now: now() }));
  assert.equal(release.role, 'publisher');
  assert.equal(release.rule, 'release');
  assert.equal(release.label, 'oidc:acme/app@refs/heads/main');
  assert.deepEqual(release.scope, { repos: ['internal'], packages: ['@acme/*'] });
  assert.equal(release.expiresAt.getTime(), now() + 30 * MIN);
  assert.equal(release.subject, 'repo:acme/app:ref:refs/heads/main');
  const rec = await tokens.verify(release.token);
  assert.equal(rec?.id, release.id);
  assert.equal(rec?.exchangedFrom, issuer.url);

  const [event] = await store.listAudit({ limit: 10 });
  assert.equal(event?.action, 'token.create');
  assert.equal(event?.subject, release.id);
  assert.equal(event?.actor, 'oidc:repo:acme/app:ref:refs/heads/main');
  assert.deepEqual((event?.details as Record<string, unknown>)['oidc'], { issuer: issuer.url, subject: 'repo:acme/app:ref:refs/heads/main', rule: 'release' });

  // Another branch of the same owner falls through to the reader rule.
  const ci = await exchange.exchange(issuer.idToken({ ref: 'refs/heads/feature/x' }, { now: now() }));
  assert.deepEqual([ci.role, ci.rule, ci.scope], ['reader', 'ci', null]);

  advance(30 * MIN);
  assert.equal(await tokens.verify(release.token), null, 'expired at its ttl');
  assert.equal((await tokens.verify(ci.token))?.id, undefined, 'the 15-minute one too');
});

test('oidc exchange: a token no rule matches is refused, naming the claims checked and the token\'s values, never the rules\' patterns', async (t) => {
  const { issuer, exchange, store } = await setup(t);
  await assert.rejects(exchange.exchange(issuer.idToken({ repository: 'evil/app', ref: 'refs/heads/main' })), (err: unknown) => {
    assert.ok(isOidcRefusal(err));
    assert.equal(err.reason, 'no-rule');
    assert.equal(err.code, 'FORBIDDEN');
    assert.equal(err.message, 'no trust rule matched the token (2 rules checked repository, ref, repository_owner; the token has repository "evil/app", ref "refs/heads/main", repository_owner "evil")');
    assert.deepEqual(err.details['checked'], { repository: 'evil/app', ref: 'refs/heads/main', repository_owner: 'evil' });
    assert.doesNotMatch(err.message, /acme/);
    return true;
  });
  assert.deepEqual(await store.listTokens(), [], 'nothing written');
  assert.deepEqual(await store.listAudit({ limit: 10 }), [], 'refusals are not audited');
});

test('oidc exchange: unknown issuer, wrong audience, expired, a forged signature and alg none are refused with their reason', async (t) => {
  const { issuer, exchange, advance, now } = await setup(t);
  const other = await TestOidcIssuer.start();
  t.after(() => other.close());
  await refused(exchange.exchange(other.idToken()), 'unknown-issuer', new RegExp(`issuer "${other.url}" is not one this Airlock trusts \\(${issuer.url}\\)`));
  await refused(exchange.exchange(issuer.idToken({ aud: 'sigstore' })), 'audience', /audience is "sigstore", not "airlock"/);
  const forger = newSigningKey('RS256', issuer.key.kid);
  await refused(exchange.exchange(signJwt(forger, githubClaims(issuer.url, 'airlock', now()))), 'bad-signature', /does not verify with the issuer's key key-1/);
  await refused(exchange.exchange(issuer.idToken({}, { header: { alg: 'none' } }).replace(/[^.]+$/, '')), 'algorithm', /unsigned/);
  await refused(exchange.exchange('x'.repeat(9000)), 'too-large', /at most 8192/);
  const token = issuer.idToken({}, { now: now() });
  advance(5 * MIN + 61_000);
  await refused(exchange.exchange(token), 'expired', /the token expired at/);
});

test('oidc exchange: keys come from discovery, are cached, and are fetched again once when a token names a key the set lacks (rotation)', async (t) => {
  const { issuer, exchange, advance, now } = await setup(t);
  await exchange.exchange(issuer.idToken({}, { now: now() }));
  await exchange.exchange(issuer.idToken({}, { now: now() }));
  assert.deepEqual([issuer.discoveryRequests, issuer.jwksRequests], [1, 1], 'cached');

  advance(31_000);
  issuer.rotate('ES256', true);
  const rotated = await exchange.exchange(issuer.idToken({}, { now: now() }));
  assert.equal(rotated.rule, 'release');
  assert.equal(issuer.jwksRequests, 2, 'the new kid made one fetch');

  // Made-up key ids fetch again at most every 30 s.
  for (let i = 0; i < 5; i++) await refused(exchange.exchange(issuer.idToken({}, { now: now(), header: { kid: `made-up-${i}` } })), 'unknown-key', /has no key "made-up-\d"/);
  assert.equal(issuer.jwksRequests, 2);
  advance(31_000);
  await refused(exchange.exchange(issuer.idToken({}, { now: now(), header: { kid: 'made-up-late' } })), 'unknown-key', /made-up-late/);
  assert.equal(issuer.jwksRequests, 3);
  advance(11 * MIN);
  await exchange.exchange(issuer.idToken({}, { now: now() }));
  assert.equal(issuer.jwksRequests, 4, 'fetched again after the ttl');
});

test('oidc exchange: a key set over the size limit, a discovery document for another issuer, and an issuer out of reach are refused as unavailable', async (t) => {
  const { issuer, exchange } = await setup(t);
  issuer.jwksOverride = Buffer.from(JSON.stringify({ keys: [issuer.key.jwk], padding: 'x'.repeat(70 * 1024) }));
  await refused(exchange.exchange(issuer.idToken()), 'keys-unavailable', /the key set at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks: upstream oidc 127\.0\.0\.1:\d+ sent more than the 65536-byte limit/);

  const elsewhere = await setup(t, { issuers: (url) => [issuerConfig(url), issuerConfig('https://token.actions.example', { jwksUri: `${url}/.well-known/jwks` })] });
  // The test issuer's discovery document names itself, not token.actions.example: but with jwksUri set no discovery is made.
  const other = signJwt(elsewhere.issuer.key, githubClaims('https://token.actions.example', 'airlock', Date.now()));
  assert.equal((await elsewhere.exchange.exchange(other)).issuer, 'https://token.actions.example');
  const lying = await setup(t);
  lying.issuer.discoveryOverride = { issuer: 'https://token.actions.example' };
  await refused(lying.exchange.exchange(lying.issuer.idToken()), 'keys-unavailable', /the discovery document at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration names another issuer \("https:\/\/token.actions.example"\)/);
  // Found by fuzzing: String() of an object with a toString member threw a TypeError out of the
  // discovery (and of a list nested 100,000 deep a RangeError; the fuzz target's extra input).
  for (const [issuerValue, said] of [[{ toString: 1 }, 'a JSON object'], [[['https://token.actions.example']], 'a JSON list']] as const) {
    const odd = await setup(t);
    odd.issuer.discoveryOverride = { issuer: issuerValue };
    await refused(odd.exchange.exchange(odd.issuer.idToken()), 'keys-unavailable', new RegExp(`openid-configuration names no issuer \\(its issuer is ${said}, not a string\\)`));
  }
  const plain = await setup(t);
  plain.issuer.discoveryOverride = { jwks_uri: 'http://keys.example/jwks' };
  await refused(plain.exchange.exchange(plain.issuer.idToken()), 'keys-unavailable', /gives a jwks_uri that is not https \("http:\/\/keys.example\/jwks"\)/);
  const missing = await setup(t, { issuers: (url) => [issuerConfig(`${url}/tenant`)] });
  await refused(missing.exchange.exchange(signJwt(missing.issuer.key, githubClaims(`${missing.issuer.url}/tenant`, 'airlock', Date.now()))), 'keys-unavailable', /discovery document at .*\/tenant\/\.well-known\/openid-configuration: upstream oidc .* has no \/tenant\/\.well-known\/openid-configuration/);

  const down = await setup(t);
  const token = down.issuer.idToken();
  await down.issuer.close();
  await refused(down.exchange.exchange(token), 'keys-unavailable', /the signing keys of http:\/\/127\.0\.0\.1:\d+ are out of reach/);
});

test('oidc exchange: keys fetched before serve while the issuer is out of reach (up to an hour)', async (t) => {
  const { issuer, exchange, advance, now } = await setup(t);
  await exchange.exchange(issuer.idToken({}, { now: now() }));
  issuer.jwksOverride = Buffer.from('not json');
  advance(11 * MIN);
  assert.equal((await exchange.exchange(issuer.idToken({}, { now: now() }))).rule, 'release', 'the cached keys');
  advance(50 * MIN);
  await refused(exchange.exchange(issuer.idToken({}, { now: now() })), 'keys-unavailable', /the key set at .*: the key set is not JSON/);
});

test('oidc exchange: expired exchanged tokens are deleted by a later exchange (at most once a minute); other tokens stay', async (t) => {
  const { issuer, store, tokens, exchange, logged, advance, now } = await setup(t);
  const admin = await tokens.create({ role: 'admin', label: 'admin', expiresAt: null, actor: 'test' });
  const shortLived = await tokens.create({ role: 'reader', label: 'by hand', expiresAt: new Date(now() + MIN), actor: 'test' });
  const first = await Promise.all(Array.from({ length: 3 }, () => exchange.exchange(issuer.idToken({ ref: 'refs/heads/dev' }, { now: now() }))));
  assert.equal((await store.listTokens()).length, 5);

  advance(16 * MIN);
  const later = await exchange.exchange(issuer.idToken({ ref: 'refs/heads/dev' }, { now: now() }));
  const left = (await store.listTokens()).map((x) => x.id);
  assert.deepEqual(left.sort(), [admin.id, shortLived.id, later.id].sort(), 'the three expired exchanged tokens are gone; the expired one made by hand stays');
  assert.ok(logged.some((l) => l.msg === 'deleted expired exchanged tokens' && (l.obj as { purged: number }).purged === 3));
  assert.ok(first.every((f) => !left.includes(f.id)));

  // Within a minute of that purge none runs again; after it, the next exchange purges.
  const quick = await tokens.create({ role: 'reader', label: 'oidc:quick', expiresAt: new Date(now() + 1000), actor: 'test', exchange: { issuer: issuer.url, subject: 's', rule: 'ci' } });
  advance(2000);
  await exchange.exchange(issuer.idToken({ ref: 'refs/heads/dev' }, { now: now() }));
  assert.ok((await store.listTokens()).some((x) => x.id === quick.id), 'expired, but the last purge was under a minute ago');
  advance(MIN);
  await exchange.exchange(issuer.idToken({ ref: 'refs/heads/dev' }, { now: now() }));
  assert.ok(!(await store.listTokens()).some((x) => x.id === quick.id), 'purged by the next due run');
});
