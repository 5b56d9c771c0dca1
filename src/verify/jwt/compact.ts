/**
 * Reading a compact JWS (`<header>.<payload>.<signature>`, RFC 7515 §7.1) as an OIDC ID token is
 * sent: three base64url parts without padding, a JSON object header and a JSON object payload,
 * each under the limits. Nothing is trusted here: the result still has to be verified.
 */
import { isPlainObject, type PlainObject } from '../../core/index.ts';
import { JwtError, type JwtLimits, type ParsedJwt } from './types.ts';

const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;
const MAX_KID_CHARS = 256;

function part(text: string, what: string): Buffer {
  // A length of 1 mod 4 is no whole byte; anything outside the alphabet (padding included) is not base64url.
  if (!BASE64URL_RE.test(text) || text.length % 4 === 1) throw new JwtError('malformed', `the token's ${what} is not base64url`);
  return Buffer.from(text, 'base64url');
}

function jsonObject(text: string, what: string, limits: JwtLimits): PlainObject {
  let value: unknown;
  try {
    value = JSON.parse(part(text, what).toString('utf8'));
  } catch (err) {
    if (err instanceof JwtError) throw err;
    throw new JwtError('malformed', `the token's ${what} is not JSON`);
  }
  if (!isPlainObject(value)) throw new JwtError('malformed', `the token's ${what} is not a JSON object`);
  const n = Object.keys(value).length;
  if (n > limits.maxClaims) throw new JwtError('too-large', `the token's ${what} has ${n} members; at most ${limits.maxClaims}`);
  return value;
}

/** The decoded parts of `token`, or a JwtError (`too-large`, `malformed`, `algorithm` for an unsigned token). */
export function parseCompactJwt(token: string, limits: JwtLimits): ParsedJwt {
  if (token.length > limits.maxTokenChars) throw new JwtError('too-large', `the token is ${token.length} characters long; at most ${limits.maxTokenChars}`);
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new JwtError('malformed', parts.length === 5 ? 'the token is encrypted (JWE); a signed ID token (JWS) is needed' : `the token has ${parts.length} parts; a signed JWT has 3 (header.payload.signature)`);
  }
  const [h, p, s] = parts as [string, string, string];
  const header = jsonObject(h, 'header', limits);
  const claims = jsonObject(p, 'payload', limits);
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg === '') throw new JwtError('malformed', 'the token header names no algorithm (alg)');
  if (alg.toLowerCase() === 'none') throw new JwtError('algorithm', 'the token is unsigned (alg none)');
  // Extensions the verifier must understand (RFC 7515 §4.1.11): none are.
  if (header['crit'] !== undefined) throw new JwtError('malformed', 'the token header has critical extensions (crit), which are not supported');
  const kid = header['kid'];
  if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_CHARS)) {
    throw new JwtError('malformed', `the token header's kid must be a string of 1 to ${MAX_KID_CHARS} characters`);
  }
  const signature = part(s, 'signature');
  if (signature.length === 0) throw new JwtError('algorithm', 'the token has no signature');
  return { header, claims, alg: alg.slice(0, 32), kid: kid ?? null, signingInput: `${h}.${p}`, signature };
}
