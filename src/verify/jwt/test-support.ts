/**
 * For tests: signing keys made with node:crypto, their JWKS entries, and real JWTs signed with
 * them, as an OIDC issuer makes them (the header `alg` and `kid` may be overridden to forge).
 */
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from './types.ts';

export interface TestSigningKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly privateKey: KeyObject;
  /** The public key as a JWKS entry (`kid`, `alg`, `use: sig`). */
  readonly jwk: Record<string, unknown>;
}

const CURVE: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export function newSigningKey(alg: JwtAlgorithm, kid: string, options: { readonly rsaBits?: number } = {}): TestSigningKey {
  const pair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: CURVE[alg] as string })
    : generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 2048 });
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function jwksOf(keys: readonly TestSigningKey[]): Buffer {
  return Buffer.from(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
}

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A compact JWS of `claims`, signed with `key` (header `{alg, kid, typ: JWT}` and any `header` overrides). */
export function signJwt(key: TestSigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const head = { alg: key.alg, typ: 'JWT', kid: key.kid, ...header };
  const input = `${b64(head)}.${b64(claims)}`;
  const hash = `sha${key.alg.slice(2)}`;
  const data = Buffer.from(input);
  const signature = key.alg.startsWith('ES')
    ? sign(hash, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
    : key.alg.startsWith('PS')
      ? sign(hash, data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
      : sign(hash, data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** An unsigned token (`alg: none`, empty signature), as an attacker sends one. */
export function unsignedJwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...header })}.${b64(claims)}.`;
}

/** A token signed with HMAC-SHA256 over `secret` (e.g. the text of a public key: the RS256 → HS256 confusion). */
export function hmacJwt(secret: string | Buffer, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
