/**
 * Reading and verifying an ID token of one issuer, shared by a CI job's exchange and single
 * sign-on: parsed under limits, checked with the issuer's keys (`IssuerKeys`) and against what
 * its registered claims must say (`verifyJwt`), with a subject. Every failure is an OidcRefusal
 * naming the problem; the token itself is never quoted.
 */
import { isJwtError, parseCompactJwt, verifyJwt, type ClaimExpectations, type JwtLimits, type ParsedJwt, type VerifiedJwt } from '../../../verify/index.ts';
import type { IssuerKeys } from './key-sets.ts';
import { OidcRefusal } from './refusal.ts';

/** The decoded parts of `jwt` (nothing verified yet), or an OidcRefusal. */
export function parseIdToken(jwt: string, limits: JwtLimits): ParsedJwt {
  try {
    return parseCompactJwt(jwt, limits);
  } catch (err) {
    if (isJwtError(err)) throw new OidcRefusal(err.problem, err.message);
    throw err;
  }
}

/** `parsed` verified with the issuer's keys against `expect`, and its subject; or an OidcRefusal. */
export async function verifyIdToken(parsed: ParsedJwt, keys: IssuerKeys, expect: ClaimExpectations): Promise<{ readonly verified: VerifiedJwt; readonly subject: string }> {
  const set = await keys.keysFor(parsed.kid);
  let verified: VerifiedJwt;
  try {
    verified = verifyJwt(parsed, set, expect);
  } catch (err) {
    if (isJwtError(err)) throw new OidcRefusal(err.problem, err.message, { issuer: expect.issuer });
    throw err;
  }
  const sub = verified.claims['sub'];
  if (typeof sub !== 'string' || sub === '') throw new OidcRefusal('malformed', 'the token has no subject (sub)', { issuer: expect.issuer });
  return { verified, subject: sub };
}
