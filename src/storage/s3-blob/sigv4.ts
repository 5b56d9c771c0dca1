/**
 * AWS Signature Version 4 for S3, in the Authorization header with a signed payload (the body's
 * sha256 in `x-amz-content-sha256`, which S3 checks the body against). S3's rules where SigV4
 * differs per service: the URI path is encoded once (each segment, RFC 3986 unreserved
 * characters kept) and never normalised, so `a//b` and `./` mean what they say.
 *
 * What the client sends is built with the same functions that canonicalise it (`encodePath`,
 * `canonicalQuery`), so the request on the wire and the one signed cannot drift apart.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials' token, sent (and signed) as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** sha256 of no bytes: the payload hash of a request without a body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Percent-encoding as SigV4 wants it: the unreserved characters `A-Z a-z 0-9 - _ . ~` kept,
 * every other UTF-8 byte as `%XX` with upper-case hex (`encodeURIComponent` leaves `!'()*`).
 */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object path (`/bucket/key` or `/key`) as sent and signed: each segment encoded once, slashes kept. */
export function encodePath(path: string): string {
  return path.split('/').map(uriEncode).join('/');
}

/**
 * The canonical query string, which is also what the client sends: names and values encoded,
 * sorted by name, then (a name given twice) by value; a parameter without a value is `name=`.
 */
export function canonicalQuery(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export interface SigV4Request {
  readonly method: string;
  /** The path as sent: already encoded (`encodePath`). */
  readonly path: string;
  /** The query as sent: canonical already (`canonicalQuery`), '' for none. */
  readonly query: string;
  /** The headers to sign, `host` among them; names in any case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex sha256 of the body. */
  readonly payloadSha256: string;
}

export interface CanonicalRequest {
  readonly text: string;
  /** `host;x-amz-date;…`: the names signed, lower case, sorted. */
  readonly signedHeaders: string;
}

/** Header values as SigV4 compares them: trimmed, runs of white space as one space. */
function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

export function canonicalRequest(request: SigV4Request): CanonicalRequest {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), canonicalValue(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const text = [
    request.method,
    request.path,
    request.query,
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    request.payloadSha256,
  ].join('\n');
  return { text, signedHeaders };
}

/** `20130524T000000Z` */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

export function stringToSign(date: string, scope: string, canonical: string): string {
  return [ALGORITHM, date, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
}

export function signingKey(secretAccessKey: string, day: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
}

/**
 * Signs requests for one set of credentials in one region. The signing key is derived once a
 * day (it depends only on the secret, the date, the region and the service), not per request.
 */
export class SigV4Signer {
  readonly #credentials: SigV4Credentials;
  readonly #region: string;
  readonly #service: string;
  #key: { readonly day: string; readonly key: Buffer } | null = null;

  constructor(credentials: SigV4Credentials, region: string, service = 's3') {
    this.#credentials = credentials;
    this.#region = region;
    this.#service = service;
  }

  /**
   * The headers to send with the request besides its own: `x-amz-date`, `x-amz-content-sha256`,
   * `x-amz-security-token` (with a session token) and `authorization`. Every header in
   * `request.headers` is signed, with these (but `authorization`).
   */
  sign(request: SigV4Request, now: Date = new Date()): Record<string, string> {
    const date = amzDate(now);
    const day = date.slice(0, 8);
    const added: Record<string, string> = { 'x-amz-date': date, 'x-amz-content-sha256': request.payloadSha256 };
    const token = this.#credentials.sessionToken;
    if (token !== undefined) added['x-amz-security-token'] = token;
    const canonical = canonicalRequest({ ...request, headers: { ...request.headers, ...added } });
    const scope = `${day}/${this.#region}/${this.#service}/aws4_request`;
    const signature = createHmac('sha256', this.#keyFor(day)).update(stringToSign(date, scope, canonical.text), 'utf8').digest('hex');
    added['authorization'] = `${ALGORITHM} Credential=${this.#credentials.accessKeyId}/${scope}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
    return added;
  }

  #keyFor(day: string): Buffer {
    if (this.#key?.day !== day) this.#key = { day, key: signingKey(this.#credentials.secretAccessKey, day, this.#region, this.#service) };
    return this.#key.key;
  }
}
