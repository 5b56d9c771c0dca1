/**
 * What JWT verification takes and gives: the limits a token and a key set are held to, the
 * problems it reports (each a stable word a caller can answer with), and a verified token.
 */
import type { KeyObject } from 'node:crypto';
import type { PlainObject } from '../../core/index.ts';

/** Signature algorithms verified: RSA PKCS#1 v1.5 and PSS, ECDSA on the NIST curves. Never `none` or an HMAC. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export function isJwtAlgorithm(v: unknown): v is JwtAlgorithm {
  return typeof v === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(v);
}

/**
 * Why a token or a key set was not accepted:
 * - `too-large`: past a size or count limit;
 * - `malformed`: not a compact JWS with JSON header and claims (or a key set that is not a JWKS);
 * - `algorithm`: `none`, an HMAC or another algorithm not verified here, or one the key is not for;
 * - `unknown-key`: the key set has no key the header names (`kid`);
 * - `bad-signature`: the signature does not verify with that key;
 * - `issuer`, `audience`: the `iss` or `aud` claim is not the expected one;
 * - `expired`, `not-yet-valid`: `exp` passed, or `nbf` / `iat` lie in the future.
 */
export type JwtProblem = 'too-large' | 'malformed' | 'algorithm' | 'unknown-key' | 'bad-signature' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid';

/** A token or key set refused, with the problem and a message that quotes no secret. */
export class JwtError extends Error {
  readonly problem: JwtProblem;

  constructor(problem: JwtProblem, message: string) {
    super(message);
    this.name = 'JwtError';
    this.problem = problem;
  }
}

export function isJwtError(err: unknown): err is JwtError {
  return err instanceof JwtError;
}

export interface JwtLimits {
  /** Characters of the compact token. */
  readonly maxTokenChars: number;
  /** Members of the header and of the claims object. */
  readonly maxClaims: number;
}

export const DEFAULT_JWT_LIMITS: JwtLimits = Object.freeze({ maxTokenChars: 8192, maxClaims: 100 });

export interface JwksLimits {
  /** Bytes of the JWKS document. */
  readonly maxBytes: number;
  /** Keys it lists (those of kinds not verified here count too). */
  readonly maxKeys: number;
}

export const DEFAULT_JWKS_LIMITS: JwksLimits = Object.freeze({ maxBytes: 64 * 1024, maxKeys: 32 });

/** The parts of a compact JWS, decoded; nothing in it is verified yet. */
export interface ParsedJwt {
  readonly header: PlainObject;
  readonly claims: PlainObject;
  readonly alg: string;
  /** The header's `kid`, or null. */
  readonly kid: string | null;
  /** `<header>.<payload>` as sent: what the signature is over. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** A verification key from a JWKS. */
export interface PublicJwk {
  /** null: the key has no `kid` (usable only when the token names none). */
  readonly kid: string | null;
  /** The key's `alg` when it names one: a token must then use exactly it. */
  readonly alg: string | null;
  readonly kty: 'RSA' | 'EC';
  /** EC: `P-256`, `P-384` or `P-521`; RSA: null. */
  readonly crv: string | null;
  readonly key: KeyObject;
}

/** What the claims must say. Times in milliseconds since the epoch. */
export interface ClaimExpectations {
  readonly issuer: string;
  readonly audience: string;
  readonly now: number;
  /** Allowed clock difference for `exp`, `nbf` and `iat`. */
  readonly leewayMs: number;
}

/** A token whose signature verified and whose registered claims hold. */
export interface VerifiedJwt {
  readonly header: PlainObject;
  readonly claims: PlainObject;
  readonly alg: JwtAlgorithm;
  /** The key that verified it. */
  readonly kid: string | null;
  /** `exp`, in milliseconds. */
  readonly expiresAt: number;
}
