/**
 * The sources of temporary credentials that AWS runs beside a workload, read as the AWS SDKs
 * read them, each named by the variables the platform sets:
 *
 * - web identity (Kubernetes service accounts on EKS, and any OIDC issuer an IAM role trusts):
 *   STS AssumeRoleWithWebIdentity with the token in AWS_WEB_IDENTITY_TOKEN_FILE (read again at
 *   every renewal: the platform rotates it) for the role AWS_ROLE_ARN;
 * - container (ECS tasks, EKS Pod Identity): a GET of AWS_CONTAINER_CREDENTIALS_FULL_URI or
 *   169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with the authorization token from
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN;
 * - instance (EC2): the instance metadata service, version 2 only (a session token first, then the
 *   instance profile's role and its credentials).
 *
 * Every answer is read with a size cap and checked before use.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { AirlockError, backoffDelay, sleep } from '../../core/index.ts';
import { checkCredentials, RenewingCredentials, type ExpiringCredentials } from './credentials.ts';
import { HttpClient, readBody } from './http.ts';
import { parseIsoTime } from './iso-time.ts';
import { clean } from './s3-errors.ts';
import { childText, onlyChild, parseXml, XmlError, type XmlElement } from './xml.ts';

/** Bodies of credential answers are read up to this. */
const ANSWER_CAP = 64 * 1024;
/** Web identity tokens are JWTs of a few KiB; a file past this is not one. */
const TOKEN_FILE_CAP = 64 * 1024;

export type CredentialSourceKind = 'web-identity' | 'container' | 'instance';

export interface SourceOptions {
  /** The process environment the AWS variables are read from. */
  readonly env: NodeJS.ProcessEnv;
  /** The store's region: STS's regional endpoint when neither AWS_REGION nor AWS_DEFAULT_REGION is set. */
  readonly region: string;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}

function setting(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

/** A source that cannot be used as configured: says which variable to set. */
function misconfigured(message: string): never {
  throw new AirlockError('CONFIG_INVALID', `S3 blob store: ${message}`, { details: { option: 'credentials' } });
}

/** Which source the environment describes, as the SDKs look: web identity, then a container's. Null: neither. */
export function detectedSource(env: NodeJS.ProcessEnv): CredentialSourceKind | null {
  if (setting(env, 'AWS_WEB_IDENTITY_TOKEN_FILE') !== null && setting(env, 'AWS_ROLE_ARN') !== null) return 'web-identity';
  if (setting(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI') !== null || setting(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') !== null) return 'container';
  return null;
}

/**
 * The renewing source of `kind`, its settings checked now (CONFIG_INVALID names the missing
 * variable). Nothing is fetched, and no connection opened, before its first `get`.
 */
export function credentialSource(kind: CredentialSourceKind, options: SourceOptions): RenewingCredentials {
  const { description, endpoint, fetch } = kind === 'web-identity' ? webIdentity(options) : kind === 'container' ? container(options) : instance(options);
  return new RenewingCredentials({ description, fetch, close: () => endpoint.close(), ...(options.clock === undefined ? {} : { clock: options.clock }) });
}

interface Fetcher {
  readonly description: string;
  readonly endpoint: Endpoint;
  fetch(): Promise<ExpiringCredentials>;
}

/** The source refused (its answer says why): asking again will not help. */
class AnswerRefused extends Error {}

/** An answer worth asking again for (a 5xx, throttling). */
class PassingFailure extends Error {}

/** One endpoint's connections, for small exchanges: opened at the first, closed with the store. */
class Endpoint {
  readonly url: URL;
  readonly #timeoutMs: number;
  #http: HttpClient | null = null;

  constructor(url: URL, timeoutMs: number) {
    this.url = url;
    this.#timeoutMs = timeoutMs;
  }

  close(): void {
    this.#http?.close();
    this.#http = null;
  }

  /**
   * One request; the status and the body (at most ANSWER_CAP bytes, UTF-8). A body over the cap or
   * not UTF-8 is a refusal: the same endpoint asked again answers the same.
   */
  async exchange(method: string, path: string, headers: Record<string, string>, body: Buffer | null = null): Promise<{ status: number; text: string }> {
    this.#http ??= new HttpClient({ secure: this.url.protocol === 'https:', timeoutMs: this.#timeoutMs, maxSockets: 2, ca: null });
    const res = await this.#http.request({
      hostname: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.url.port === '' ? (this.url.protocol === 'https:' ? 443 : 80) : Number(this.url.port),
      method,
      path,
      headers: { host: this.url.host, ...headers, ...(body === null ? {} : { 'content-length': String(body.length) }) },
      body,
      signal: undefined,
    });
    const bytes = await readBody(res, ANSWER_CAP, 'fail', () => new AnswerRefused(`${this.url.origin} answered with a body over ${ANSWER_CAP} bytes`));
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new AnswerRefused(`${this.url.origin} answered with a body that is not UTF-8`);
    }
    return { status: res.statusCode ?? 0, text };
  }
}

/** A few tries for answers that may pass (5xx, connection failures); other refusals at once. */
async function withRetries<T>(attempt: () => Promise<T>, retryable: (err: unknown) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= 2 || !retryable(err)) throw err;
      await sleep(backoffDelay(i, 200, 2_000));
    }
  }
}

/** Connection failures and passing answers are tried again; refusals are not. */
function passing(err: unknown): boolean {
  return err instanceof PassingFailure || !(err instanceof AnswerRefused);
}

function expiryOf(raw: unknown, where: string): Date {
  const at = typeof raw === 'string' ? parseIsoTime(raw) : null;
  if (at === null) throw new AnswerRefused(`${where} gave no usable expiry time (${shown(raw)})`);
  return at;
}

/** A value of an answer as a message quotes it: a string's start, or what else it is (a nested array is never written out). */
function shown(value: unknown, max = 40): string {
  if (typeof value === 'string') return JSON.stringify(clean(value, max));
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : String(value);
}

/** Keys from an answer, checked as S3 reads them (a bad answer is a refusal, never a request signed with it). */
function checked(c: ExpiringCredentials, where: string): ExpiringCredentials {
  checkCredentials(c, (option, message) => {
    throw new AnswerRefused(`${where} handed out unusable credentials (${option}: ${message})`);
  });
  return c;
}

// --- web identity --------------------------------------------------------------------------------

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function webIdentity(o: SourceOptions): Fetcher {
  const tokenFile = setting(o.env, 'AWS_WEB_IDENTITY_TOKEN_FILE') ?? misconfigured('credentials: web-identity needs AWS_WEB_IDENTITY_TOKEN_FILE (the file the platform keeps the token in)');
  const roleArn = setting(o.env, 'AWS_ROLE_ARN') ?? misconfigured('credentials: web-identity needs AWS_ROLE_ARN (the role to assume)');
  if (!ROLE_ARN.test(roleArn)) misconfigured(`AWS_ROLE_ARN is not an IAM role ARN: ${JSON.stringify(roleArn.slice(0, 200))}`);
  const sessionName = setting(o.env, 'AWS_ROLE_SESSION_NAME') ?? `airlock-${hostname().replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
  if (!SESSION_NAME.test(sessionName)) misconfigured(`AWS_ROLE_SESSION_NAME must be 2 to 64 of letters, digits and + = , . @ _ -, got ${JSON.stringify(sessionName.slice(0, 80))}`);
  const region = setting(o.env, 'AWS_REGION') ?? setting(o.env, 'AWS_DEFAULT_REGION') ?? o.region;
  const stsUrl = endpointUrl(setting(o.env, 'AWS_ENDPOINT_URL_STS') ?? `https://sts.${region}.amazonaws.com`, 'AWS_ENDPOINT_URL_STS');
  const sts = new Endpoint(stsUrl, o.timeoutMs ?? 10_000);
  const description = `web identity (role ${roleArn} through ${stsUrl.origin})`;
  return {
    description,
    endpoint: sts,
    fetch: async () => {
      let token: string;
      try {
        const bytes = await readFile(tokenFile);
        if (bytes.length > TOKEN_FILE_CAP) throw new Error(`it is over ${TOKEN_FILE_CAP} bytes`);
        token = bytes.toString('utf8').trim();
        if (token === '' || /\s/.test(token)) throw new Error('it does not hold one token');
      } catch (err) {
        throw new AnswerRefused(`cannot read the web identity token file ${tokenFile}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: sessionName, WebIdentityToken: token, DurationSeconds: '3600' });
      return withRetries(async () => {
        const { status, text } = await sts.exchange('POST', '/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/xml' }, Buffer.from(form.toString()));
        return stsCredentials(status, text, stsUrl.origin);
      }, passing);
    },
  };
}

/** STS's answer: the credentials, or the error it names. */
export function stsCredentials(status: number, text: string, origin: string): ExpiringCredentials {
  const where = `STS at ${origin}`;
  try {
    return stsAnswer(parseXml(text, { maxLength: ANSWER_CAP, maxDepth: 8, maxElements: 200 }), status, where);
  } catch (err) {
    // Malformed XML, or an element STS writes once given twice: a refusal of its own (never a
    // failure in passing, asked again for, unless the status says so), naming STS.
    if (!(err instanceof XmlError)) throw err;
    const what = `${where} answered ${status} with ${err.offset === null ? 'XML not of the shape STS writes' : 'malformed XML'} (${err.message})`;
    throw status >= 500 ? new PassingFailure(what) : new AnswerRefused(what);
  }
}

function stsAnswer(root: XmlElement, status: number, where: string): ExpiringCredentials {
  if (root.name === 'ErrorResponse' || root.name === 'Error' || status !== 200) {
    const error = root.name === 'Error' ? root : onlyChild(root, 'Error');
    const code = (error === undefined ? undefined : childText(error, 'Code')) ?? 'no error code';
    const message = (error === undefined ? undefined : childText(error, 'Message')) ?? '';
    const what = `${where} answered ${status} ${clean(code, 64)}${message.trim() === '' ? '' : `: ${clean(message, 300)}`}`;
    throw status >= 500 || code === 'IDPCommunicationError' || code === 'Throttling' ? new PassingFailure(what) : new AnswerRefused(what);
  }
  const result = root.name === 'AssumeRoleWithWebIdentityResponse' ? onlyChild(root, 'AssumeRoleWithWebIdentityResult') : undefined;
  const creds = result === undefined ? undefined : onlyChild(result, 'Credentials');
  if (creds === undefined) throw new AnswerRefused(`${where} answered 200 without <AssumeRoleWithWebIdentityResult><Credentials>`);
  const sessionToken = childText(creds, 'SessionToken') ?? '';
  return checked(
    {
      accessKeyId: childText(creds, 'AccessKeyId') ?? '',
      secretAccessKey: childText(creds, 'SecretAccessKey') ?? '',
      ...(sessionToken === '' ? {} : { sessionToken }),
      expiresAt: expiryOf(childText(creds, 'Expiration'), where),
    },
    where,
  );
}

// --- container -------------------------------------------------------------------------------------

/** Hosts a container credentials URI may name over plain http (the ECS and EKS agents' addresses, and this host). */
const CONTAINER_HOSTS = new Set(['169.254.170.2', '169.254.170.23', 'fd00:ec2::23', 'localhost']);

function loopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function container(o: SourceOptions): Fetcher {
  const full = setting(o.env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI');
  const relative = setting(o.env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  let url: URL;
  if (relative !== null) {
    if (!relative.startsWith('/')) misconfigured(`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with /, got ${JSON.stringify(relative.slice(0, 200))}`);
    url = new URL(`http://169.254.170.2${relative}`);
  } else if (full !== null) {
    url = endpointUrl(full, 'AWS_CONTAINER_CREDENTIALS_FULL_URI', true);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.protocol === 'http:' && !CONTAINER_HOSTS.has(host) && !loopback(host)) {
      misconfigured(`AWS_CONTAINER_CREDENTIALS_FULL_URI over http must name this host or the container agent (169.254.170.2, 169.254.170.23, fd00:ec2::23), got ${url.host}; use https for any other`);
    }
  } else {
    misconfigured('credentials: container needs AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  }
  const tokenFile = setting(o.env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
  const fixedToken = setting(o.env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN');
  const endpoint = new Endpoint(url, o.timeoutMs ?? 5_000);
  const where = `the container credentials endpoint ${url.origin}${url.pathname}`;
  return {
    description: `container credentials (${url.origin}${url.pathname})`,
    endpoint,
    fetch: async () => {
      let authorization = fixedToken;
      if (tokenFile !== null) {
        try {
          const bytes = await readFile(tokenFile);
          if (bytes.length > TOKEN_FILE_CAP) throw new Error(`it is over ${TOKEN_FILE_CAP} bytes`);
          authorization = bytes.toString('utf8').trim();
        } catch (err) {
          throw new AnswerRefused(`cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${tokenFile}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      // It goes in a header: a character Node will not send there would fail every fetch as it is sent.
      if (authorization !== null && /[^\x20-\x7e]/.test(authorization)) throw new AnswerRefused('the container authorization token must be one line of printable ASCII');
      return withRetries(async () => {
        const { status, text } = await endpoint.exchange('GET', `${url.pathname}${url.search}`, { accept: 'application/json', ...(authorization === null ? {} : { authorization }) });
        return jsonCredentials(status, text, where);
      }, passing);
    },
  };
}

/** The JSON both the container endpoint and the instance metadata service answer with. */
export function jsonCredentials(status: number, text: string, where: string): ExpiringCredentials {
  if (status !== 200) {
    const what = `${where} answered ${status}${text.trim() === '' ? '' : `: ${clean(text, 300)}`}`;
    throw status >= 500 ? new PassingFailure(what) : new AnswerRefused(what);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AnswerRefused(`${where} answered 200 with something that is not JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AnswerRefused(`${where} answered 200 with JSON that is not an object`);
  const o = doc as Record<string, unknown>;
  if (o['Code'] !== undefined && o['Code'] !== 'Success') throw new AnswerRefused(`${where} answered Code ${shown(o['Code'], 80)}${typeof o['Message'] === 'string' ? `: ${clean(o['Message'], 300)}` : ''}`);
  const field = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const token = field('Token');
  return checked({ accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), ...(token === '' ? {} : { sessionToken: token }), expiresAt: expiryOf(o['Expiration'], where) }, where);
}

// --- instance ----------------------------------------------------------------------------------------

const IMDS_TOKEN_TTL_S = 21_600;
const ROLE_NAME = /^[\w+=,.@-]{1,128}$/;

function instance(o: SourceOptions): Fetcher {
  if (/^true$/i.test(setting(o.env, 'AWS_EC2_METADATA_DISABLED') ?? '')) misconfigured('credentials: instance, but AWS_EC2_METADATA_DISABLED is true');
  const url = endpointUrl(setting(o.env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT') ?? 'http://169.254.169.254', 'AWS_EC2_METADATA_SERVICE_ENDPOINT');
  const imds = new Endpoint(url, o.timeoutMs ?? 5_000);
  const where = `the instance metadata service at ${url.origin}`;
  const base = '/latest/meta-data/iam/security-credentials/';
  return {
    description: `instance profile (${url.origin})`,
    endpoint: imds,
    fetch: () =>
      withRetries(async () => {
        const session = await imds.exchange('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': String(IMDS_TOKEN_TTL_S) });
        if (session.status !== 200) {
          const what = `${where} refused a session token (${session.status}); IMDSv2 must be reachable (a hop limit of 2 for containers)`;
          throw session.status >= 500 ? new PassingFailure(what) : new AnswerRefused(what);
        }
        const token = session.text.trim();
        // It goes back in a header: visible ASCII only (IMDS hands out base64), or every request with it fails as it is sent.
        if (!/^[\x21-\x7e]{1,1024}$/.test(token)) throw new AnswerRefused(`${where} answered the session token request with no usable token`);
        const auth = { 'x-aws-ec2-metadata-token': token };
        const roles = await imds.exchange('GET', base, auth);
        if (roles.status === 404) throw new AnswerRefused(`${where} knows no instance profile role: attach an IAM role to the instance`);
        if (roles.status !== 200) {
          const what = `${where} answered ${roles.status} for the instance profile's role`;
          throw roles.status >= 500 ? new PassingFailure(what) : new AnswerRefused(what);
        }
        const role = roles.text.split('\n')[0]?.trim() ?? '';
        if (!ROLE_NAME.test(role)) throw new AnswerRefused(`${where} named no usable role (${shown(role, 80)})`);
        const creds = await imds.exchange('GET', `${base}${encodeURIComponent(role)}`, auth);
        return jsonCredentials(creds.status, creds.text, `${where} (role ${role})`);
      }, passing),
  };
}

function endpointUrl(raw: string, variable: string, withPath = false): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    misconfigured(`${variable} is not a URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') misconfigured(`${variable} must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') misconfigured(`${variable} must not contain credentials`);
  if (!withPath && (url.pathname !== '/' || url.search !== '')) misconfigured(`${variable} must be the service URL alone, got ${url.origin}${url.pathname}`);
  return url;
}
