/**
 * The identity provider's userinfo endpoint (OpenID Connect Core §5.3), asked with the access
 * token of the code exchange as a Bearer credential, for the claims the role rules name when the
 * ID token does not carry them (Okta and Keycloak often put groups only here). The answer is
 * hostile input: at most 1 MiB within the fetcher's time-outs; `application/json`, or
 * `application/jwt` signed with one of the provider's keys (verified as the ID token is: its key
 * set, never `none` or an HMAC) naming the issuer (`iss`) and this client (`aud`); an encrypted
 * answer is refused. Its `sub` must be the ID token's (§5.3.2: otherwise it may be another
 * person's claims), and a claim the rules name may list at most 1,000 values.
 */
import { isAirlockError, isPlainObject, type PlainObject } from '../../../core/index.ts';
import { checkJwtSignature, isJwtError, parseCompactJwt, selectJwtKey } from '../../../verify/index.ts';
import { isOidcRefusal, type IssuerKeys } from '../oidc/index.ts';
import { idpUnavailable, SsoFailure } from './failure.ts';
import type { SsoHttp } from './provider.ts';
import { MAX_CLAIM_VALUES } from './roles.ts';

const MAX_USERINFO_BYTES = 1024 * 1024;
/** Members of a signed answer's header and claims. */
const MAX_JWT_CLAIMS = 1000;

export interface UserinfoExpect {
  readonly issuer: string;
  readonly clientId: string;
  /** The ID token's `sub`. */
  readonly subject: string;
  /** The claims the role rules name. */
  readonly claims: readonly string[];
  readonly keys: IssuerKeys;
}

function refused(message: string): SsoFailure {
  return new SsoFailure('userinfo', `the identity provider's userinfo answer was not accepted: ${message}`, ['An administrator should look at access.sso (groupsFrom) and the gateway log.']);
}

function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The claims of a signed answer, once its signature verifies with the provider's keys and it names the issuer and this client. */
async function signedClaims(text: string, expect: UserinfoExpect): Promise<PlainObject> {
  if (text.split('.').length === 5) throw refused('it is encrypted (a JWE); Airlock reads JSON or a signed JWT (set the client to an unencrypted userinfo answer)');
  try {
    const parsed = parseCompactJwt(text, { maxTokenChars: MAX_USERINFO_BYTES, maxClaims: MAX_JWT_CLAIMS });
    const { key, alg } = selectJwtKey(parsed, await expect.keys.keysFor(parsed.kid));
    checkJwtSignature(parsed, key, alg);
    const c = parsed.claims;
    if (c['iss'] !== expect.issuer) throw refused(`the signed answer's issuer is ${typeof c['iss'] === 'string' ? JSON.stringify(c['iss'].slice(0, 200)) : 'missing'}, not ${expect.issuer}`);
    const aud = c['aud'];
    if (!(aud === expect.clientId || (Array.isArray(aud) && aud.includes(expect.clientId)))) throw refused(`the signed answer is not for this client (aud is not ${JSON.stringify(expect.clientId)})`);
    return c;
  } catch (err) {
    if (isJwtError(err)) throw refused(`the signed answer: ${err.message}`);
    if (isOidcRefusal(err)) throw idpUnavailable(err.message, err);
    throw err;
  }
}

/** The userinfo claims of `expect.subject` at `endpoint`, asked with `accessToken`; an SsoFailure when they cannot be had or used. */
export async function fetchUserinfo(http: SsoHttp, endpoint: URL, accessToken: string, expect: UserinfoExpect): Promise<PlainObject> {
  let res: { readonly contentType: string | null; readonly body: Buffer };
  try {
    res = await http.get(endpoint, { accept: 'application/json, application/jwt', authorization: `Bearer ${accessToken}` }, MAX_USERINFO_BYTES);
  } catch (err) {
    if (isAirlockError(err) && err.details['limit'] !== undefined) throw refused(`the answer of ${endpoint.href} is larger than ${MAX_USERINFO_BYTES / 1024 / 1024} MiB`);
    if (isAirlockError(err) && (err.details['status'] === 401 || err.details['status'] === 403)) {
      const challenge = typeof err.details['challenge'] === 'string' ? ` (${err.details['challenge'].slice(0, 300)})` : '';
      throw refused(`${endpoint.href} refused the access token of the sign-in with HTTP ${String(err.details['status'])}${challenge}`);
    }
    throw idpUnavailable(`its userinfo endpoint ${endpoint.href}: ${err instanceof Error ? err.message : 'the request failed'}`, err);
  }
  const type = mediaType(res.contentType);
  let claims: unknown;
  if (type === 'application/jwt') {
    claims = await signedClaims(res.body.toString('utf8').trim(), expect);
  } else if (type === 'application/json' || type.endsWith('+json')) {
    try {
      claims = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw refused('it is not JSON');
    }
  } else {
    throw refused(`its content type is ${JSON.stringify(type.slice(0, 100) || '(none)')}, not application/json or application/jwt`);
  }
  if (!isPlainObject(claims)) throw refused('it is not a JSON object');
  const sub = claims['sub'];
  if (sub !== expect.subject) {
    throw refused(`it is for ${typeof sub === 'string' ? `another subject (${JSON.stringify(sub.slice(0, 100))})` : 'no subject (sub)'}, not the one the ID token names (OpenID Connect Core §5.3.2)`);
  }
  for (const name of expect.claims) {
    const v = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (Array.isArray(v) && v.length > MAX_CLAIM_VALUES) throw refused(`its ${name} claim lists ${v.length} values; at most ${MAX_CLAIM_VALUES} are read (have the provider send only the groups that matter to Airlock)`);
  }
  return claims;
}
