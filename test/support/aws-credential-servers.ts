/**
 * The AWS services that hand out temporary credentials, as small local servers speaking their
 * protocols: STS's AssumeRoleWithWebIdentity (a form POST answered in XML), the container
 * credentials endpoint (JSON, behind an authorization token) and the EC2 instance metadata
 * service, version 2 (a session token first, then the role and its JSON). The credentials they
 * issue are accepted by a test S3 endpoint (`TestS3.accept`) until they expire.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestS3, TestS3Credentials } from './s3-server.ts';

export interface IssuedCredentials extends TestS3Credentials {
  readonly sessionToken: string;
  readonly expiresAt: Date;
}

export interface CredentialServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every set of credentials handed out, in order. */
  readonly issued: readonly IssuedCredentials[];
  /** The next answers are this status (and S3-style error code) instead. */
  failNext(status: number, code: string, times?: number): void;
  close(): Promise<void>;
}

/** New temporary credentials, accepted by `s3` for `validForMs`. */
function issue(s3: TestS3, validForMs: number): IssuedCredentials {
  const creds: IssuedCredentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
    // Whole seconds, as AWS writes them.
    expiresAt: new Date(Math.floor((Date.now() + validForMs) / 1000) * 1000),
  };
  s3.accept(creds, creds.expiresAt);
  return creds;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, fail: { status: number; code: string } | null) => Promise<void>): Promise<{ server: Server; url: string; failNext: CredentialServer['failNext'] }> {
  const failures: { status: number; code: string }[] = [];
  const server = createServer((req, res) => {
    const fail = failures.shift() ?? null;
    handler(req, res, fail).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    failNext: (status, code, times = 1) => {
      for (let i = 0; i < times; i++) failures.push({ status, code });
    },
  };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface TestSts extends CredentialServer {
  /** The web identity token of every AssumeRoleWithWebIdentity call, in order. */
  readonly tokens: readonly string[];
}

/**
 * STS: AssumeRoleWithWebIdentity for `roleArn`, when the token presented is the one `validToken`
 * gives at the time (the platform rotates it in the file).
 */
export async function startTestSts(options: { readonly s3: TestS3; readonly roleArn: string; readonly validToken: () => string; readonly validForMs?: number }): Promise<TestSts> {
  const issued: IssuedCredentials[] = [];
  const tokens: string[] = [];
  const errorXml = (code: string, message: string): string =>
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>test</RequestId></ErrorResponse>`;
  const { server, url, failNext } = await listen(async (req, res, fail) => {
    const form = new URLSearchParams(await bodyOf(req));
    const refuse = (status: number, code: string, message: string): void => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(errorXml(code, message));
    };
    if (fail !== null) return refuse(fail.status, fail.code, 'injected by the test server');
    if (req.method !== 'POST' || !/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return refuse(400, 'InvalidAction', 'expected a form POST');
    if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('Version') !== '2011-06-15') return refuse(400, 'InvalidAction', 'unknown action or version');
    tokens.push(form.get('WebIdentityToken') ?? '');
    if (form.get('RoleArn') !== options.roleArn) return refuse(403, 'AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity on ${form.get('RoleArn')}`);
    if (!/^[\w+=,.@-]{2,64}$/.test(form.get('RoleSessionName') ?? '')) return refuse(400, 'ValidationError', 'RoleSessionName is invalid');
    if (form.get('WebIdentityToken') !== options.validToken()) return refuse(400, 'InvalidIdentityToken', 'Incorrect token audience or expired token');
    const c = issue(options.s3, options.validForMs ?? 3_600_000);
    issued.push(c);
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
        `<SubjectFromWebIdentityToken>system:serviceaccount:airlock:gateway</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>` +
        `<AssumedRoleUser><Arn>${options.roleArn}/${form.get('RoleSessionName')}</Arn><AssumedRoleId>AROATEST:${form.get('RoleSessionName')}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><SessionToken>${c.sessionToken}</SessionToken><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey><Expiration>${isoSeconds(c.expiresAt)}</Expiration><AccessKeyId>${c.accessKeyId}</AccessKeyId></Credentials>` +
        `<Provider>oidc.test</Provider></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    );
  });
  return { url, issued, tokens, failNext, close: () => close(server) };
}

/** The container credentials endpoint at `path`, answering only with the authorization token `validToken` gives. */
export async function startTestContainerEndpoint(options: { readonly s3: TestS3; readonly path: string; readonly validToken: () => string; readonly validForMs?: number }): Promise<CredentialServer> {
  const issued: IssuedCredentials[] = [];
  const { server, url, failNext } = await listen(async (req, res, fail) => {
    await bodyOf(req);
    const json = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (fail !== null) return json(fail.status, { code: fail.code, message: 'injected by the test server' });
    if (req.method !== 'GET' || req.url !== options.path) return json(404, { code: 'NotFound', message: 'no such path' });
    if (req.headers.authorization !== options.validToken()) return json(401, { code: 'AccessDenied', message: 'the authorization token is not valid' });
    const c = issue(options.s3, options.validForMs ?? 6 * 3_600_000);
    issued.push(c);
    json(200, { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.sessionToken, Expiration: isoSeconds(c.expiresAt), RoleArn: 'arn:aws:iam::111122223333:role/airlock-task' });
  });
  return { url, issued, failNext, close: () => close(server) };
}

/** IMDSv2: PUT /latest/api/token, then the role and its credentials, each only with the session token. */
export async function startTestImds(options: { readonly s3: TestS3; readonly role: string; readonly validForMs?: number }): Promise<CredentialServer & { readonly sessions: number }> {
  const issued: IssuedCredentials[] = [];
  const sessions = new Set<string>();
  const base = '/latest/meta-data/iam/security-credentials/';
  const { server, url, failNext } = await listen(async (req, res, fail) => {
    await bodyOf(req);
    const send = (status: number, body: string, type = 'text/plain'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (fail !== null) return send(fail.status, fail.code);
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return send(400, 'Bad Request');
      const token = randomBytes(32).toString('base64');
      sessions.add(token);
      return send(200, token);
    }
    // Version 1 (no session token) is off, as on instances that require IMDSv2.
    if (!sessions.has(String(req.headers['x-aws-ec2-metadata-token'] ?? ''))) return send(401, 'Unauthorized');
    if (req.method === 'GET' && req.url === base) return send(200, options.role);
    if (req.method === 'GET' && req.url === `${base}${options.role}`) {
      const c = issue(options.s3, options.validForMs ?? 6 * 3_600_000);
      issued.push(c);
      return send(
        200,
        JSON.stringify({ Code: 'Success', LastUpdated: isoSeconds(new Date()), Type: 'AWS-HMAC', AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.sessionToken, Expiration: isoSeconds(c.expiresAt) }),
        'application/json',
      );
    }
    send(404, 'Not Found');
  });
  return {
    url,
    issued,
    failNext,
    get sessions() {
      return sessions.size;
    },
    close: () => close(server),
  };
}
