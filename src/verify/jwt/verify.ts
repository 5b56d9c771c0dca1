/**
 * Verifying a parsed JWT against an issuer's key set and what its claims must say: the key the
 * header names, an algorithm that key is for (a token cannot pick HS256 or `none`, nor an RSA
 * algorithm for an EC key), the signature over the token's own bytes, then `iss`, `aud`, `exp`,
 * `nbf` and `iat` with a small leeway for clock differences.
 */
import { constants, verify } from 'node:crypto';
import type { PlainObject } from '../../core/index.ts';
import type { JwtKeySet } from './jwks.ts';
import { isJwtAlgorithm, JwtError, type ClaimExpectations, type JwtAlgorithm, type ParsedJwt, type PublicJwk, type VerifiedJwt } from './types.ts';

const HASH: Readonly<Record<string, string>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
const CURVE_OF: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
/** An ECDSA signature in a JWS is r ‖ s, each the size of the curve's order. */
const EC_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 };
const MAX_AUDIENCES = 16;

function keyName(k: PublicJwk): string {
  return `${k.kid ?? '(without kid)'} (${k.kty === 'EC' ? `EC ${k.crv ?? ''}` : 'RSA'}${k.alg === null ? '' : `, for ${k.alg}`})`;
}

/** Whether `key` may verify a signature made with `alg`. */
function fits(key: PublicJwk, alg: JwtAlgorithm): boolean {
  if (key.alg !== null && key.alg !== alg) return false;
  return alg.startsWith('ES') ? key.kty === 'EC' && key.crv === CURVE_OF[alg] : key.kty === 'RSA';
}

function algorithmOf(parsed: ParsedJwt): JwtAlgorithm {
  const alg = parsed.alg;
  if (isJwtAlgorithm(alg)) return alg;
  if (/^HS\d+$/i.test(alg)) throw new JwtError('algorithm', `the token is signed with ${alg}, an HMAC with a shared secret; an issuer's tokens are checked with its public keys`);
  throw new JwtError('algorithm', `the token's algorithm ${JSON.stringify(alg)} is not one verified here (RS256, ES256 and the like)`);
}

/** The key of `set` that is to verify the token, or a JwtError (`unknown-key`, `algorithm`). */
export function selectJwtKey(parsed: ParsedJwt, set: JwtKeySet): { readonly key: PublicJwk; readonly alg: JwtAlgorithm } {
  const alg = algorithmOf(parsed);
  if (parsed.kid === null) {
    const fitting = set.keys.filter((k) => fits(k, alg));
    if (fitting.length === 1) return { key: fitting[0] as PublicJwk, alg };
    throw new JwtError('unknown-key', fitting.length === 0 ? `the token names no key (kid) and the issuer has no key for ${alg}` : `the token names no key (kid) and the issuer has ${fitting.length} keys for ${alg}`);
  }
  const named = set.keys.filter((k) => k.kid === parsed.kid);
  if (named.length === 0) {
    const unusable = set.unusable.find((u) => u.kid === parsed.kid);
    const kid = JSON.stringify(parsed.kid.slice(0, 64));
    throw new JwtError('unknown-key', unusable === undefined ? `the issuer's key set has no key ${kid}` : `the issuer's key ${kid} is not used: ${unusable.why}`);
  }
  const key = named.find((k) => fits(k, alg));
  if (key === undefined) throw new JwtError('algorithm', `the token says ${alg}, but its key is ${named.map(keyName).join(', ')}`);
  return { key, alg };
}

/**
 * The algorithm `parsed` is signed with, when `key` (one key given out of band, not a key set) may
 * verify it: a JwtError (`algorithm`) for `none`, an HMAC, an unknown algorithm or one the key is
 * not for. The header's `kid` is not looked at: the caller decides what it must say.
 */
export function algorithmForKey(parsed: ParsedJwt, key: PublicJwk): JwtAlgorithm {
  const alg = algorithmOf(parsed);
  if (!fits(key, alg)) throw new JwtError('algorithm', `the token says ${alg}, but the key is ${keyName(key)}`);
  return alg;
}

/** Throws JwtError `bad-signature` unless the token's signature verifies with `key` under `alg`. */
export function checkJwtSignature(parsed: ParsedJwt, key: PublicJwk, alg: JwtAlgorithm): void {
  const hash = HASH[alg.slice(2)] as string;
  const data = Buffer.from(parsed.signingInput, 'ascii');
  let ok = false;
  try {
    if (alg.startsWith('ES')) {
      if (parsed.signature.length !== EC_SIGNATURE_BYTES[alg]) throw new JwtError('bad-signature', `the ${alg} signature is ${parsed.signature.length} bytes; it must be ${EC_SIGNATURE_BYTES[alg]}`);
      ok = verify(hash, data, { key: key.key, dsaEncoding: 'ieee-p1363' }, parsed.signature);
    } else if (alg.startsWith('PS')) {
      ok = verify(hash, data, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, parsed.signature);
    } else {
      ok = verify(hash, data, key.key, parsed.signature);
    }
  } catch (err) {
    if (err instanceof JwtError) throw err;
    ok = false;
  }
  if (!ok) throw new JwtError('bad-signature', `the token's ${alg} signature does not verify with the issuer's key ${key.kid ?? '(without kid)'}`);
}

function numericDate(claims: PlainObject, name: string): number | null {
  const v = claims[name];
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new JwtError('malformed', `the token's ${name} claim is not a time (seconds since the epoch)`);
  return v * 1000;
}

const iso = (ms: number): string => new Date(Math.min(ms, 8.64e15)).toISOString();

/** Throws JwtError (`issuer`, `audience`, `expired`, `not-yet-valid`, `malformed`) unless the registered claims hold; returns `exp` in ms. */
export function checkJwtClaims(claims: PlainObject, expect: ClaimExpectations): number {
  const iss = claims['iss'];
  if (iss !== expect.issuer) throw new JwtError('issuer', `the token's issuer is ${typeof iss === 'string' ? JSON.stringify(iss.slice(0, 200)) : 'missing'}, not ${expect.issuer}`);
  const aud = claims['aud'];
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (audiences.length > MAX_AUDIENCES) throw new JwtError('too-large', `the token names ${audiences.length} audiences; at most ${MAX_AUDIENCES}`);
  if (!audiences.includes(expect.audience)) {
    const shown = audiences.filter((a): a is string => typeof a === 'string').map((a) => JSON.stringify(a.slice(0, 100)));
    throw new JwtError('audience', `the token's audience is ${shown.length === 0 ? 'missing' : shown.join(', ')}, not ${JSON.stringify(expect.audience)}`);
  }
  const exp = numericDate(claims, 'exp');
  if (exp === null) throw new JwtError('malformed', 'the token has no expiry (exp)');
  if (exp + expect.leewayMs <= expect.now) throw new JwtError('expired', `the token expired at ${iso(exp)} (it is now ${iso(expect.now)})`);
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== null && nbf - expect.leewayMs > expect.now) throw new JwtError('not-yet-valid', `the token is not valid before ${iso(nbf)} (it is now ${iso(expect.now)})`);
  const iat = numericDate(claims, 'iat');
  if (iat !== null && iat - expect.leewayMs > expect.now) throw new JwtError('not-yet-valid', `the token was issued in the future, at ${iso(iat)} (it is now ${iso(expect.now)}); check the clocks`);
  return exp;
}

/** The token verified with `set` and checked against `expect`, or a JwtError saying what failed. */
export function verifyJwt(parsed: ParsedJwt, set: JwtKeySet, expect: ClaimExpectations): VerifiedJwt {
  const { key, alg } = selectJwtKey(parsed, set);
  checkJwtSignature(parsed, key, alg);
  const expiresAt = checkJwtClaims(parsed.claims, expect);
  return { header: parsed.header, claims: parsed.claims, alg, kid: key.kid, expiresAt };
}
