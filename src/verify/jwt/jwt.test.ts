/**
 * JWT verification with real keys and real signatures (node:crypto): what an issuer signs
 * verifies, and each way a token can be wrong or forged is refused with its own problem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCompactJwt } from './compact.ts';
import { parseJwks } from './jwks.ts';
import { verifyJwt } from './verify.ts';
import { DEFAULT_JWKS_LIMITS, DEFAULT_JWT_LIMITS, JwtError, type JwtProblem } from './types.ts';
import { hmacJwt, jwksOf, newSigningKey, signJwt, unsignedJwt } from './test-support.ts';

const ISSUER = 'https://token.actions.example';
const AUDIENCE = 'https://airlock.example';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const expect = { issuer: ISSUER, audience: AUDIENCE, now: NOW, leewayMs: 60_000 };

const rsa = newSigningKey('RS256', 'rsa-1');
const ec = newSigningKey('ES256', 'ec-1');
const keys = parseJwks(jwksOf([rsa, ec]), DEFAULT_JWKS_LIMITS);

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const s = NOW / 1000;
  return { iss: ISSUER, aud: AUDIENCE, sub: 'repo:acme/app:ref:refs/heads/main', iat: s - 10, nbf: s - 10, exp: s + 300, ...over };
}

function check(token: string, set = keys, e = expect) {
  return verifyJwt(parseCompactJwt(token, DEFAULT_JWT_LIMITS), set, e);
}

function refuses(fn: () => unknown, problem: JwtProblem, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof JwtError, String(err));
    assert.equal(err.problem, problem, err.message);
    assert.match(err.message, message);
    return true;
  });
}

test('jwt: RS256, PS256, ES256 and ES384 tokens signed by the issuer verify, by the key their kid names', () => {
  for (const key of [rsa, ec]) {
    const v = check(signJwt(key, claims()));
    assert.equal(v.alg, key.alg);
    assert.equal(v.kid, key.kid);
    assert.equal(v.claims['sub'], 'repo:acme/app:ref:refs/heads/main');
    assert.equal(v.expiresAt, NOW + 300_000);
  }
  const ps = newSigningKey('PS256', 'ps-1');
  const es384 = newSigningKey('ES384', 'ec-384');
  const set = parseJwks(jwksOf([ps, es384]), DEFAULT_JWKS_LIMITS);
  assert.equal(check(signJwt(ps, claims()), set).alg, 'PS256');
  assert.equal(check(signJwt(es384, claims({ aud: ['other', AUDIENCE] })), set).alg, 'ES384');
});

test('jwt: alg none, HS256 (even keyed with the public key) and unknown algorithms are refused', () => {
  refuses(() => check(unsignedJwt(claims(), { kid: 'rsa-1' })), 'algorithm', /unsigned \(alg none\)/);
  refuses(() => check(unsignedJwt(claims(), { alg: 'NONE' })), 'algorithm', /unsigned/);
  const pem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  refuses(() => check(hmacJwt(pem, claims(), { kid: 'rsa-1' })), 'algorithm', /HS256, an HMAC/);
  refuses(() => check(signJwt(rsa, claims(), { alg: 'RS1' })), 'algorithm', /"RS1" is not one verified here/);
  // A real signature with the signature part left empty.
  const token = signJwt(rsa, claims());
  refuses(() => check(`${token.slice(0, token.lastIndexOf('.'))}.`), 'algorithm', /no signature/);
});

test('jwt: an algorithm the named key is not for is refused (ES256 key, RS256 header; RS256 key, PS256 header)', () => {
  refuses(() => check(signJwt(rsa, claims(), { kid: 'ec-1' })), 'algorithm', /says RS256, but its key is ec-1 \(EC P-256, for ES256\)/);
  refuses(() => check(signJwt(newSigningKey('PS256', 'rsa-1'), claims())), 'algorithm', /says PS256, but its key is rsa-1 \(RSA, for RS256\)/);
  // A key set entry without alg still only takes the algorithms of its type and curve.
  const bare = { ...ec.jwk };
  delete bare['alg'];
  const set = parseJwks(Buffer.from(JSON.stringify({ keys: [bare] })), DEFAULT_JWKS_LIMITS);
  refuses(() => check(signJwt(newSigningKey('ES384', 'ec-1'), claims()), set), 'algorithm', /says ES384/);
  assert.equal(check(signJwt(ec, claims()), set).alg, 'ES256');
});

test('jwt: a kid the key set lacks is an unknown key; no kid works only when one key fits', () => {
  refuses(() => check(signJwt(rsa, claims(), { kid: 'rotated-away' })), 'unknown-key', /has no key "rotated-away"/);
  const noKid = signJwt(rsa, claims(), { kid: undefined });
  assert.equal(check(noKid).kid, 'rsa-1', 'the one RSA key');
  const twoRsa = parseJwks(jwksOf([rsa, newSigningKey('RS256', 'rsa-2')]), DEFAULT_JWKS_LIMITS);
  refuses(() => check(noKid, twoRsa), 'unknown-key', /names no key \(kid\) and the issuer has 2 keys for RS256/);
});

test('jwt: a changed payload, a signature by another key under the same kid, or a DER ECDSA signature does not verify', () => {
  const token = signJwt(rsa, claims());
  const [h, , s] = token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify(claims({ sub: 'repo:acme/app:ref:refs/heads/evil' }))).toString('base64url')}.${s}`;
  refuses(() => check(forged), 'bad-signature', /RS256 signature does not verify with the issuer's key rsa-1/);
  refuses(() => check(signJwt(newSigningKey('RS256', 'rsa-1'), claims())), 'bad-signature', /does not verify/);
  refuses(() => check(signJwt(newSigningKey('ES256', 'ec-1'), claims())), 'bad-signature', /ES256 signature does not verify/);
  const ecToken = signJwt(ec, claims());
  const der = Buffer.concat([Buffer.from([0x30, 0x44, 0x02, 0x20]), Buffer.alloc(32, 1), Buffer.from([0x02, 0x20]), Buffer.alloc(32, 2)]);
  refuses(() => check(`${ecToken.slice(0, ecToken.lastIndexOf('.'))}.${der.toString('base64url')}`), 'bad-signature', /is 70 bytes; it must be 64/);
});

test('jwt: issuer and audience must be the expected ones', () => {
  refuses(() => check(signJwt(rsa, claims({ iss: 'https://evil.example' }))), 'issuer', /issuer is "https:\/\/evil.example", not https:\/\/token.actions.example/);
  refuses(() => check(signJwt(rsa, claims({ iss: `${ISSUER}/` }))), 'issuer', /not https/);
  refuses(() => check(signJwt(rsa, claims({ aud: 'sigstore' }))), 'audience', /audience is "sigstore", not "https:\/\/airlock.example"/);
  refuses(() => check(signJwt(rsa, claims({ aud: undefined }))), 'audience', /audience is missing/);
  refuses(() => check(signJwt(rsa, claims({ aud: Array.from({ length: 17 }, () => AUDIENCE) }))), 'too-large', /17 audiences/);
});

test('jwt: exp, nbf and iat are held to the clock with a small leeway', () => {
  const s = NOW / 1000;
  refuses(() => check(signJwt(rsa, claims({ exp: s - 61 }))), 'expired', /expired at 2025-06-01T11:58:59.000Z \(it is now 2025-06-01T12:00:00.000Z\)/);
  assert.ok(check(signJwt(rsa, claims({ exp: s - 59 }))), 'within the leeway');
  refuses(() => check(signJwt(rsa, claims({ exp: undefined }))), 'malformed', /no expiry/);
  refuses(() => check(signJwt(rsa, claims({ exp: '2030-01-01' }))), 'malformed', /exp claim is not a time/);
  refuses(() => check(signJwt(rsa, claims({ nbf: s + 120 }))), 'not-yet-valid', /not valid before/);
  refuses(() => check(signJwt(rsa, claims({ iat: s + 120, nbf: undefined }))), 'not-yet-valid', /issued in the future/);
  assert.ok(check(signJwt(rsa, claims({ iat: s + 30, nbf: s + 30 }))), 'a clock 30 s ahead is within the leeway');
});

test('jwt: an oversized token, too many claims and malformed parts are refused before any key is used', () => {
  const big = signJwt(rsa, claims({ padding: 'x'.repeat(9000) }));
  refuses(() => check(big), 'too-large', /characters long; at most 8192/);
  const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`c${i}`, i]));
  refuses(() => check(signJwt(rsa, claims(many))), 'too-large', /payload has 10\d members; at most 100/);
  refuses(() => check('a.b'), 'malformed', /has 2 parts/);
  refuses(() => check('a.b.c.d.e'), 'malformed', /encrypted \(JWE\)/);
  const token = signJwt(rsa, claims());
  refuses(() => check(`${token}=`), 'malformed', /signature is not base64url/);
  refuses(() => check(`e30.${Buffer.from('not json').toString('base64url')}.AAAA`), 'malformed', /payload is not JSON/);
  refuses(() => check(`${Buffer.from('[1]').toString('base64url')}.e30.AAAA`), 'malformed', /header is not a JSON object/);
  refuses(() => check(signJwt(rsa, claims(), { crit: ['exp'] })), 'malformed', /critical extensions/);
  refuses(() => check(signJwt(rsa, claims(), { kid: 7 })), 'malformed', /kid must be a string/);
});

test('jwks: size and key count are capped; private or symmetric keys refuse the set; weak or foreign keys are unusable, with why', () => {
  const padded = Buffer.from(JSON.stringify({ keys: [rsa.jwk], padding: 'x'.repeat(DEFAULT_JWKS_LIMITS.maxBytes) }));
  refuses(() => parseJwks(padded, DEFAULT_JWKS_LIMITS), 'too-large', /bytes; at most 65536/);
  refuses(() => parseJwks(Buffer.from(JSON.stringify({ keys: Array.from({ length: 33 }, () => ec.jwk) })), DEFAULT_JWKS_LIMITS), 'too-large', /lists 33 keys; at most 32/);
  refuses(() => parseJwks(Buffer.from(JSON.stringify({ keys: [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'leak' }] })), DEFAULT_JWKS_LIMITS), 'malformed', /private or symmetric key \(leak\)/);
  refuses(() => parseJwks(Buffer.from(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] })), DEFAULT_JWKS_LIMITS), 'malformed', /private or symmetric/);
  refuses(() => parseJwks(Buffer.from('{"keys": {}}'), DEFAULT_JWKS_LIMITS), 'malformed', /not a JWKS/);
  refuses(() => parseJwks(Buffer.from(JSON.stringify({ keys: [{ kty: 'RSA', kid: 'x', n: 'AQAB' }] })), DEFAULT_JWKS_LIMITS), 'malformed', /no base64url e/);

  const weak = newSigningKey('RS256', 'weak', { rsaBits: 1024 });
  const set = parseJwks(
    Buffer.from(JSON.stringify({ keys: [weak.jwk, { ...rsa.jwk, kid: 'enc', use: 'enc' }, { kty: 'OKP', crv: 'Ed25519', x: 'AA', kid: 'ed' }, ec.jwk] })),
    DEFAULT_JWKS_LIMITS,
  );
  assert.deepEqual(set.keys.map((k) => k.kid), ['ec-1']);
  assert.deepEqual(set.unusable.map((u) => u.kid), ['weak', 'enc', 'ed']);
  refuses(() => check(signJwt(weak, claims()), set), 'unknown-key', /key "weak" is not used: it is an RSA key of 1024 bits/);
  refuses(() => check(signJwt(rsa, claims(), { kid: 'enc' }), set), 'unknown-key', /is for "enc", not signatures/);
});

test('jwks: a use, alg or crv that is an object with a toString member is named by its type (found by fuzzing: String() of it threw a TypeError)', () => {
  const odd = { toString: 1 };
  const set = parseJwks(
    Buffer.from(JSON.stringify({ keys: [{ ...rsa.jwk, kid: 'use', use: odd }, { ...rsa.jwk, kid: 'alg', alg: odd }, { ...ec.jwk, kid: 'crv', crv: odd }, { ...ec.jwk, kid: 'n', crv: 7 }, ec.jwk] })),
    DEFAULT_JWKS_LIMITS,
  );
  assert.deepEqual(set.keys.map((k) => k.kid), ['ec-1']);
  assert.deepEqual(
    set.unusable.map((u) => `${u.kid}: ${u.why}`),
    ['use: it is for an object, not signatures', 'alg: its algorithm an object is not one verified here', 'crv: its curve an object is not one verified here (P-256, P-384, P-521)', 'n: its curve a number is not one verified here (P-256, P-384, P-521)'],
  );
});
