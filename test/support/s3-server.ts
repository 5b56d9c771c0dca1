/**
 * An S3 endpoint for tests: s3rver (a real, if partial, S3 implementation keeping objects in a
 * folder) behind a small front server of ours that does what s3rver does not:
 *
 * - it checks every request's SigV4 signature, recomputed with the `aws4` package over what was
 *   received (s3rver accepts any v4 signature: its authentication middleware only looks the
 *   access key up), and answers S3's 403 SignatureDoesNotMatch (or InvalidAccessKeyId, …) as
 *   S3 does; every `x-amz-*` header must be signed, as S3 requires;
 * - it checks each body against its `x-amz-content-sha256` before s3rver sees it: S3 stores no
 *   object whose bytes do not match (XAmzContentSHA256Mismatch), while s3rver writes objects in
 *   place as they stream, so a body cut short would leave a partial object there;
 * - AbortMultipartUpload (DELETE ?uploadId=…), which s3rver answers 405: the parts are removed;
 * - ranges: s3rver reads `Range: bytes=0-0` as the whole object (an end of 0 counts as none)
 *   and answers a range of an empty object with a 206 it cannot fill, so the front server asks
 *   s3rver for the whole object and answers the range itself, as S3 does (206 with
 *   Content-Range, or 416 InvalidRange when the range starts at or past the end);
 * - a copy of an object onto itself with `x-amz-metadata-directive: REPLACE` renews its
 *   LastModified on S3; s3rver only rewrites its metadata file, so the front server touches the
 *   object's file after s3rver's 200;
 * - it counts requests, and fails the ones a test asks it to (an S3 error answer, a connection
 *   reset, a body cut in the middle), so that retries and failure paths can be tested.
 *
 * s3rver runs in a child process started with `--openssl-legacy-provider`: its ListObjectsV2
 * continuation tokens are DES-encrypted, which OpenSSL 3 refuses without the legacy provider, so
 * any listing of more than one page would fail with a 500. Other departures from S3 to know:
 * LastModified is the object file's mtime, to the second (S3 also answers whole seconds);
 * `encoding-type=url` is ignored (keys come as they are); ListMultipartUploads is not
 * implemented (`openMultipartUploads` reads s3rver's folder instead); part sizes are not
 * checked (S3 refuses parts under 5 MiB but the last) and part ETags are not checked at
 * completion. The driver is not bent to any of these.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { aws4 } from './aws4.ts';
import { exchange } from './http-exchange.ts';

const require = createRequire(import.meta.url);


export interface TestS3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface StartTestS3Options {
  readonly bucket: string;
  /** More buckets to create besides `bucket`. */
  readonly otherBuckets?: readonly string[];
  readonly accessKeyId?: string;
  /** Default: a random one. */
  readonly secretAccessKey?: string;
  /** When set, every request must carry (and sign) it as `x-amz-security-token`. */
  readonly sessionToken?: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Serve https with this key and certificate (PEM) instead of http. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** A request as the front server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Decoded path: `/bucket/key`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
}

/**
 * What a matching request gets instead of an answer from s3rver: an S3 error (`status`, `code`),
 * any answer (`status`, `body`), `reset` (the connection closed before any answer), `cut-request`
 * (half the request body read, then the connection closed; nothing reaches s3rver),
 * `cut-response` (s3rver's answer, cut after half its body) or `stall` (the body read, no
 * answer ever: the client's time-out or signal has to end it).
 */
export type Failure =
  | { readonly status: number; readonly code?: string; readonly body?: string; readonly headers?: Readonly<Record<string, string>> }
  | 'reset'
  | 'cut-request'
  | 'cut-response'
  | 'stall';

export interface FailureRule {
  readonly fail: Failure;
  /** Which requests (default: any). */
  readonly match?: (request: ReceivedRequest) => boolean;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
}

export interface TestS3 {
  /** `http://127.0.0.1:<port>` (https with `tls`) */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: TestS3Credentials;
  /** Every request received, in order (the ones refused and failed included). */
  readonly requests: readonly ReceivedRequest[];
  /** Requests received with this method (and, given a test, whose path and query pass it). */
  count(method: string, test?: (request: ReceivedRequest) => boolean): number;
  /** Fail the next requests that match. */
  failNext(rule: FailureRule): void;
  /** A correctly signed request of the test's own (through the front server, checks and all). */
  send(init: { readonly method: string; readonly key?: string; readonly bucket?: string; readonly query?: string; readonly headers?: Record<string, string>; readonly body?: Buffer }): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>;
  /**
   * Accept these credentials too (temporary ones, as an STS hands out): until `expiresAt`, after
   * which requests signed with them answer 400 ExpiredToken, as S3 does.
   */
  accept(credentials: TestS3Credentials, expiresAt?: Date): void;
  /** Credentials accepted with `accept` expire now. */
  expire(accessKeyId: string): void;
  /** Every key in the bucket. */
  keys(bucket?: string): Promise<string[]>;
  /** Multipart uploads begun and neither completed nor aborted. */
  openMultipartUploads(bucket?: string): Promise<string[]>;
  close(): Promise<void>;
}

/** s3rver keeps a bucket's multipart uploads in this folder of the bucket's. */
const UPLOADS = '._S3rver_uploads';
const BODY_CAP = 64 * 1024 * 1024;

export async function startTestS3(options: StartTestS3Options): Promise<TestS3> {
  const credentials: TestS3Credentials = {
    accessKeyId: options.accessKeyId ?? 'AKIAAIRLOCKTEST00001',
    secretAccessKey: options.secretAccessKey ?? randomBytes(20).toString('base64'),
    ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
  };
  const region = options.region ?? 'us-east-1';
  /** Every accepted set of credentials by access key id, with when it expires (ms; none: never). */
  const accepted = new Map<string, { readonly credentials: TestS3Credentials; expiresAt: number }>([[credentials.accessKeyId, { credentials, expiresAt: Number.POSITIVE_INFINITY }]]);
  const buckets = [options.bucket, ...(options.otherBuckets ?? [])];
  const directory = await mkdtemp(join(tmpdir(), 'airlock-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', fileURLToPath(import.meta.url), directory, JSON.stringify(buckets)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let s3rverPort: number;
  try {
    s3rverPort = await portOf(child);
  } catch (err) {
    child.kill();
    await rm(directory, { recursive: true, force: true });
    throw err;
  }

  const requests: ReceivedRequest[] = [];
  const rules: { rule: FailureRule; left: number }[] = [];
  const sockets = new Set<Socket>();

  const takeFailure = (received: ReceivedRequest): Failure | null => {
    for (const entry of rules) {
      if (entry.left > 0 && (entry.rule.match?.(received) ?? true)) {
        entry.left--;
        return entry.rule.fail;
      }
    }
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://front');
    const received: ReceivedRequest = { method: req.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers };
    requests.push(received);
    const failure = takeFailure(received);
    if (failure === 'reset') {
      req.socket.destroy();
      return;
    }
    if (failure === 'stall') {
      req.resume();
      return;
    }
    if (failure === 'cut-request') {
      const half = Math.floor(Number(req.headers['content-length'] ?? 0) / 2);
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= half) req.socket.destroy();
      });
      return;
    }
    if (failure !== null && typeof failure === 'object') {
      req.resume();
      const body = failure.body ?? (failure.code === undefined ? '' : errorXml(failure.code, `injected by the test server (${failure.status})`));
      res.writeHead(failure.status, { 'content-type': 'application/xml', ...failure.headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const refused = verifySignature(req, accepted, region);
    if (refused !== null) {
      req.resume();
      return answer(res, req.method, refused.status, refused.code, refused.message);
    }
    const body = await readAll(req);
    if (body === null) return answer(res, req.method, 400, 'EntityTooLarge', 'the test server reads bodies up to 64 MiB');
    const declared = req.headers['x-amz-content-sha256'];
    if (declared !== 'UNSIGNED-PAYLOAD' && declared !== createHash('sha256').update(body).digest('hex')) {
      return answer(res, req.method, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const [bucket = '', ...keyParts] = received.path.slice(1).split('/');
    const key = keyParts.join('/');
    if (req.method === 'DELETE' && url.searchParams.has('uploadId')) {
      return abortMultipart(res, join(directory, bucket, UPLOADS), url.searchParams.get('uploadId') ?? '');
    }
    const copySelf =
      req.method === 'PUT' &&
      req.headers['x-amz-metadata-directive'] === 'REPLACE' &&
      decodeURIComponent(String(req.headers['x-amz-copy-source'] ?? '')).replace(/^\//, '') === `${bucket}/${key}`;
    await proxy(req, res, body, s3rverPort, failure === 'cut-response', req.method === 'GET' ? (req.headers.range ?? null) : null, async (status) => {
      // S3 renews LastModified on a copy onto itself; s3rver keeps the file's time.
      if (copySelf && status === 200) {
        const now = new Date();
        await utimes(join(directory, bucket, ...keyParts.slice(0, -1), `${keyParts.at(-1) ?? ''}._S3rver_object`), now, now);
      }
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else answer(res, req.method, 500, 'InternalError', `test server: ${String(err)}`);
    });
  };
  const tls = options.tls;
  const server: Server = tls === undefined ? createServer(onRequest) : createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest);
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = tls === undefined ? 'http' : 'https';
  const endpoint = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const send: TestS3['send'] = (init) => {
    const bucket = init.bucket ?? options.bucket;
    const path = `/${[bucket, ...(init.key === undefined ? [] : init.key.split('/'))].map(encodeRfc3986).join('/')}${init.query === undefined ? '' : `?${init.query}`}`;
    const body = init.body ?? Buffer.alloc(0);
    const host = endpoint.slice(`${scheme}://`.length);
    const signed = aws4.sign(
      { method: init.method, host, path, service: 's3', region, headers: { ...init.headers, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') } },
      credentials,
    );
    const sendRequest = tls === undefined ? httpRequest : httpsRequest;
    const how = { method: init.method, headers: { ...signed.headers, 'content-length': String(body.length) }, ...(tls === undefined ? {} : { ca: tls.cert }) };
    return exchange((onResponse) => sendRequest(`${endpoint}${signed.path}`, how, onResponse), body);
  };

  return {
    endpoint,
    bucket: options.bucket,
    region,
    credentials,
    requests,
    count: (method, test) => requests.filter((r) => r.method === method && (test?.(r) ?? true)).length,
    failNext: (rule) => {
      rules.push({ rule, left: rule.times ?? 1 });
    },
    send,
    accept(more, expiresAt) {
      accepted.set(more.accessKeyId, { credentials: more, expiresAt: expiresAt?.getTime() ?? Number.POSITIVE_INFINITY });
    },
    expire(accessKeyId) {
      const known = accepted.get(accessKeyId);
      if (known === undefined || known.credentials === credentials) throw new Error(`the test server did not accept ${accessKeyId} through accept()`);
      known.expiresAt = Date.now();
    },
    async keys(bucket = options.bucket) {
      const keys: string[] = [];
      let token: string | null = null;
      do {
        const query: string = `list-type=2${token === null ? '' : `&continuation-token=${encodeRfc3986(token)}`}`;
        const page = await send({ method: 'GET', bucket, query });
        if (page.status !== 200) throw new Error(`listing ${bucket}: ${page.status} ${page.body.toString()}`);
        const xml = page.body.toString();
        for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(m[1] as string));
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? unescapeXml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? '') : null;
      } while (token !== null);
      return keys;
    },
    async openMultipartUploads(bucket = options.bucket) {
      return (await readdir(join(directory, bucket, UPLOADS)).catch(() => [] as string[])).sort();
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string);
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message><RequestId>TEST</RequestId></Error>`;
}

function answer(res: ServerResponse, method: string | undefined, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(method === 'HEAD' ? undefined : errorXml(code, message));
}

/** Why S3 would refuse the request's signature, or null when it holds. */
function verifySignature(req: IncomingMessage, accepted: ReadonlyMap<string, { readonly credentials: TestS3Credentials; readonly expiresAt: number }>, region: string): { status: number; code: string; message: string } | null {
  const authorization = req.headers.authorization;
  if (authorization === undefined) return { status: 403, code: 'AccessDenied', message: 'Access Denied (the test server refuses anonymous requests)' };
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([^/,]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (m === null) return { status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
  const [, accessKeyId, day, signedRegion, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string];
  const known = accepted.get(accessKeyId);
  if (known === undefined) return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const credentials = known.credentials;
  if (Date.now() >= known.expiresAt) return { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' };
  if (signedRegion !== region) return { status: 400, code: 'AuthorizationHeaderMalformed', message: `The authorization header is malformed; the region '${signedRegion}' is wrong; expecting '${region}'` };
  const date = String(req.headers['x-amz-date'] ?? '');
  const at = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!date.startsWith(day) || Number.isNaN(at)) return { status: 403, code: 'AccessDenied', message: 'AWS authentication requires a valid x-amz-date header matching the credential scope' };
  if (Math.abs(Date.now() - at) > 15 * 60 * 1000) return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.' };
  const signed = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!signed.includes(required)) return { status: 403, code: 'AccessDenied', message: `${required} must be signed` };
  }
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
  if (unsigned.length > 0) return { status: 403, code: 'AccessDenied', message: `There were headers present in the request which were not signed: ${unsigned.join(', ')}` };
  if (credentials.sessionToken !== undefined && req.headers['x-amz-security-token'] !== credentials.sessionToken) {
    return { status: 403, code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
  }
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value === undefined) return { status: 403, code: 'SignatureDoesNotMatch', message: `signed header ${name} is not in the request` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const recomputed = aws4.sign(
    {
      method: req.method ?? '',
      host: headers['host'] as string,
      path: req.url ?? '/',
      service: 's3',
      region,
      headers,
      extraHeadersToInclude: Object.fromEntries(signed.map((h) => [h, true])),
    },
    credentials,
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(recomputed.headers['Authorization'] ?? '')?.[1];
  if (expected !== signature) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return null;
}

/** The whole request body, or null past the cap. */
async function readAll(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > BODY_CAP) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

async function abortMultipart(res: ServerResponse, uploads: string, uploadId: string): Promise<void> {
  if (!/^[0-9a-f]{32}$/.test(uploadId) || !(await readdir(uploads).catch(() => [] as string[])).includes(uploadId)) {
    return answer(res, 'DELETE', 404, 'NoSuchUpload', 'The specified upload does not exist.');
  }
  await rm(join(uploads, uploadId), { recursive: true, force: true });
  res.writeHead(204);
  res.end();
}

/**
 * Hand the (verified) request to s3rver without the signature it cannot check, and its answer
 * back: whole, cut after half its body (`cut`), or, for a `range`, the range of it.
 */
function proxy(req: IncomingMessage, res: ServerResponse, body: Buffer, port: number, cut: boolean, range: string | null, after: (status: number) => Promise<void>): Promise<void> {
  const headers = { ...req.headers };
  for (const h of ['authorization', 'connection', 'keep-alive', 'transfer-encoding', 'range']) delete headers[h];
  headers['content-length'] = String(body.length);
  headers.host = `127.0.0.1:${port}`;
  return new Promise<void>((resolve, reject) => {
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answerRes) => {
      if (!cut && (range === null || answerRes.statusCode !== 200)) {
        // The usual case, streamed.
        after(answerRes.statusCode ?? 502).then(() => {
          const outHeaders = { ...answerRes.headers };
          for (const h of ['connection', 'keep-alive', 'transfer-encoding']) delete outHeaders[h];
          res.writeHead(answerRes.statusCode ?? 502, outHeaders);
          pipeline(answerRes, res).then(resolve, reject);
        }, reject);
        return;
      }
      const chunks: Buffer[] = [];
      answerRes.on('data', (chunk: Buffer) => chunks.push(chunk));
      answerRes.on('error', reject);
      answerRes.on('end', () => {
        let status = answerRes.statusCode ?? 502;
        let out = Buffer.concat(chunks);
        const outHeaders = { ...answerRes.headers };
        for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'content-length']) delete outHeaders[h];
        if (range !== null && status === 200) {
          const size = out.length;
          const m = /^bytes=(\d+)-(\d*)$/.exec(range);
          const start = Number(m?.[1]);
          const end = m?.[2] === '' || m?.[2] === undefined ? size - 1 : Math.min(Number(m[2]), size - 1);
          if (m === null || start >= size || end < start) {
            status = 416;
            out = Buffer.from(errorXml('InvalidRange', 'The requested range is not satisfiable'));
            for (const h of Object.keys(outHeaders)) delete outHeaders[h];
            outHeaders['content-type'] = 'application/xml';
            outHeaders['content-range'] = `bytes */${size}`;
          } else {
            status = 206;
            out = out.subarray(start, end + 1);
            outHeaders['content-range'] = `bytes ${start}-${end}/${size}`;
          }
        }
        after(status).then(() => {
          res.writeHead(status, { ...outHeaders, 'content-length': String(req.method === 'HEAD' ? (answerRes.headers['content-length'] ?? 0) : out.length) });
          if (!cut) {
            res.end(out);
            resolve();
            return;
          }
          res.write(out.subarray(0, out.length >> 1), () => {
            res.socket?.destroy();
            resolve();
          });
        }, reject);
      });
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** The port s3rver listens on, from the child's first line of output. */
function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const line = out.split('\n')[0] as string;
      if (!out.includes('\n')) return;
      child.stdout?.off('data', onData);
      const port = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port === 'number') resolve(port);
      else reject(new Error(`s3rver said: ${line}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
    child.once('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

/** The child: s3rver itself, until its parent closes stdin or it is told to stop. */
async function runS3rver(directory: string, buckets: readonly string[]): Promise<void> {
  const S3rver = require('s3rver') as new (options: object) => { run(): Promise<AddressInfo>; close(): Promise<void> };
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await s3rver.run();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = (): void => {
    s3rver.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.once('SIGTERM', stop);
}

if (import.meta.main) {
  const [directory, buckets] = process.argv.slice(2);
  runS3rver(directory as string, JSON.parse(buckets as string) as string[]).catch((err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: String(err) })}\n`);
    process.exit(1);
  });
}
