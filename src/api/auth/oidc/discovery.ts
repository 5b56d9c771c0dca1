/**
 * An issuer's OpenID Provider metadata (`<issuer>/.well-known/openid-configuration`), read as
 * hostile input: at most `maxBytes`, a JSON object whose `issuer` is exactly the configured one,
 * and endpoint URLs that are https (plain http only where the issuer itself is, on its host: a
 * test issuer on this machine). The token exchange takes its `jwks_uri`; single sign-on also its
 * authorization, token and userinfo endpoints and what they support.
 */
import { isPlainObject, jsonKind, type PlainObject } from '../../../core/index.ts';
import type { OidcDocumentFetcher } from './key-sets.ts';

/** What Airlock uses of a discovery document. */
export interface OidcDiscovery {
  readonly issuer: string;
  readonly jwksUri: URL;
  /** null: the document names none (a CI issuer needs none). */
  readonly authorizationEndpoint: URL | null;
  readonly tokenEndpoint: URL | null;
  /** `userinfo_endpoint`, or null when the document names none. */
  readonly userinfoEndpoint: URL | null;
  /** `token_endpoint_auth_methods_supported`; absent means `client_secret_basic` (OpenID Connect Discovery §3). */
  readonly tokenAuthMethods: readonly string[];
  /** `code_challenge_methods_supported`, or null when the document does not say. */
  readonly codeChallengeMethods: readonly string[] | null;
}

/** A discovery document could not be had or read; `message` says which URL and why. */
export class DiscoveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiscoveryError';
  }
}

const MAX_LIST = 32;

export function discoveryUrl(issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

function endpoint(doc: PlainObject, name: string, from: URL, bad: (why: string) => DiscoveryError): URL | null {
  const v = doc[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > 2048 || !URL.canParse(v)) throw bad(`has no ${name} URL`);
  const url = new URL(v);
  const insecureOk = from.protocol === 'http:' && url.protocol === 'http:' && url.hostname === from.hostname;
  if (url.protocol !== 'https:' && !insecureOk) throw bad(`gives a ${name} that is not https (${JSON.stringify(v.slice(0, 200))})`);
  if (url.username !== '' || url.password !== '' || url.hash !== '') throw bad(`gives a ${name} with credentials or a fragment`);
  return url;
}

function strings(doc: PlainObject, name: string): readonly string[] | null {
  const v = doc[name];
  if (!Array.isArray(v)) return null;
  return v.slice(0, MAX_LIST).filter((x): x is string => typeof x === 'string' && x.length <= 100);
}

/** The discovery document of `issuer`, fetched with `fetcher`, or a DiscoveryError. */
export async function fetchDiscovery(fetcher: OidcDocumentFetcher, issuer: string, maxBytes: number): Promise<OidcDiscovery> {
  const url = discoveryUrl(issuer);
  const bad = (why: string): DiscoveryError => new DiscoveryError(`the discovery document at ${url.href} ${why}`);
  let body: Buffer;
  try {
    body = await fetcher.fetch(url, maxBytes);
  } catch (err) {
    throw new DiscoveryError(`the discovery document at ${url.href}: ${err instanceof Error ? err.message : 'the request failed'}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw bad('is not JSON');
  }
  if (!isPlainObject(doc)) throw bad('is not a JSON object');
  const named = doc['issuer'];
  // Only a string is shown: String() of an object with a toString member, or of a list nested deep, throws.
  if (typeof named !== 'string') throw bad(`names no issuer (its issuer is ${named === undefined ? 'missing' : `a JSON ${jsonKind(named)}, not a string`})`);
  if (named !== issuer) throw bad(`names another issuer (${JSON.stringify(named.slice(0, 200))})`);
  const jwksUri = endpoint(doc, 'jwks_uri', url, bad);
  if (jwksUri === null) throw bad('has no jwks_uri URL');
  return {
    issuer,
    jwksUri,
    authorizationEndpoint: endpoint(doc, 'authorization_endpoint', url, bad),
    tokenEndpoint: endpoint(doc, 'token_endpoint', url, bad),
    userinfoEndpoint: endpoint(doc, 'userinfo_endpoint', url, bad),
    tokenAuthMethods: strings(doc, 'token_endpoint_auth_methods_supported') ?? ['client_secret_basic'],
    codeChallengeMethods: strings(doc, 'code_challenge_methods_supported'),
  };
}
