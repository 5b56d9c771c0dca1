/**
 * The few S3 operations the blob store needs, signed (SigV4), retried where that is safe, and
 * failing with errors that say what was asked of which bucket and what S3 answered.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { AirlockError, backoffDelay, digestHex, sha256Of, sleep } from '../../core/index.ts';
import { discard, HttpClient, readBody } from './http.ts';
import { LIST_PAGE_CAP, parseListPage, type ListPage } from './list-page.ts';
import type { ResolvedS3Options } from './options.ts';
import {
  answerError,
  clean,
  ERROR_BODY_CAP,
  isRetryableAnswer,
  isRetryableFailure,
  networkError,
  parseErrorBody,
  type S3ErrorBody,
  type S3Subject,
} from './s3-errors.ts';
import { canonicalQuery, EMPTY_SHA256, encodePath, SigV4Signer, type SigV4Credentials } from './sigv4.ts';
import { childText, parseXml, XmlError, type XmlElement } from './xml.ts';

/** A request body: bytes in memory, or a span of a (staged) file, read again for each attempt. */
export type S3Body =
  | { readonly bytes: Buffer }
  | { readonly file: string; readonly start: number; readonly length: number; readonly sha256: string };

export interface S3Call {
  /** What the message calls the request: `PUT`, `HEAD`, `UploadPart 3` … */
  readonly operation: string;
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** The object; null: the bucket. */
  readonly key: string | null;
  /** For a bucket-level request, what the message names (a listing: its prefix). */
  readonly about?: string;
  readonly query?: readonly (readonly [string, string])[];
  /** Signed with the request. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: S3Body;
  /** Statuses besides 2xx that the caller reads itself. */
  readonly accept?: readonly number[];
  /** Whether the request may be sent again after a failure in passing (it is idempotent). */
  readonly retry: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** Bodies of small XML answers (a copy's, a multipart upload's) are read up to this. */
const RESULT_CAP = 1024 * 1024;
const MAX_BACKOFF_MS = 5_000;

export class S3Client {
  readonly #o: ResolvedS3Options;
  readonly #http: HttpClient;
  /** The signer of the credentials in use (a new one when the source hands out others). */
  #signer: { readonly credentials: SigV4Credentials; readonly signer: SigV4Signer } | null = null;

  constructor(options: ResolvedS3Options) {
    this.#o = options;
    this.#http = new HttpClient({ secure: options.secure, timeoutMs: options.timeoutMs, maxSockets: options.maxSockets, ca: options.ca });
  }

  close(): void {
    this.#http.close();
    this.#o.credentials.close();
  }

  subject(call: Pick<S3Call, 'operation' | 'key' | 'about'>): S3Subject {
    return { operation: call.operation, what: call.key ?? call.about ?? 'the bucket', bucket: this.#o.bucket };
  }

  /**
   * Send a request; resolves with the response (body unread: consume or destroy it) when the
   * status is 2xx or one the call accepts. Otherwise the error S3 answered (or the network
   * failure), after the retries an idempotent request is allowed.
   */
  async send(call: S3Call): Promise<IncomingMessage> {
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      call.signal?.throwIfAborted();
      const last = !call.retry || attempt > this.#o.retries;
      const credentials = await this.#o.credentials.get();
      let res: IncomingMessage;
      try {
        res = await this.#http.request(this.#prepare(call, credentials));
      } catch (err) {
        if (call.signal?.aborted === true) throw call.signal.reason;
        if (last || !isRetryableFailure(err)) throw networkError(this.subject(call), this.#o.endpoint, err, attempt);
        await this.#backoff(attempt, call.signal);
        continue;
      }
      const status = res.statusCode ?? 0;
      if ((status >= 200 && status < 300) || call.accept?.includes(status) === true) return res;
      const body = await this.#errorBody(res);
      // Temporary credentials ran out sooner than they said (or the clock is off): S3 did
      // nothing with the request, so it is sent once more, whatever it is, with new ones. An
      // answer to HEAD has no body to name its error: a bare 400 or 403 may be the same refusal.
      const expired = body.code === 'ExpiredToken' || (call.method === 'HEAD' && body.code === null && (status === 400 || status === 403));
      if (expired && !renewed && this.#o.credentials.expired(credentials)) {
        renewed = true;
        attempt--;
        continue;
      }
      if (last || !isRetryableAnswer(status, body)) throw answerError(this.subject(call), status, body, attempt);
      await this.#backoff(attempt, call.signal);
    }
  }

  /** The object's size, or null when there is none. */
  async head(key: string, signal?: AbortSignal): Promise<{ readonly size: number } | null> {
    const call: S3Call = { operation: 'HEAD', method: 'HEAD', key, accept: [404], retry: true, signal };
    const res = await this.send(call);
    res.resume();
    if (res.statusCode === 404) return null;
    return { size: this.contentLength(call, res) };
  }

  /** GET the object, or a range of it: 200, 206, 404 or 416 (body unread). */
  get(key: string, range: { readonly start: number; readonly end: number } | null): Promise<IncomingMessage> {
    return this.send({
      operation: 'GET',
      method: 'GET',
      key,
      ...(range === null ? {} : { headers: { range: `bytes=${range.start}-${range.end}` } }),
      accept: [404, 416],
      retry: true,
    });
  }

  /** One PUT of `length` bytes of a file (S3 checks them against `sha256`). */
  async putFile(key: string, body: S3Body, signal?: AbortSignal): Promise<void> {
    discard(await this.send({ operation: 'PUT', method: 'PUT', key, headers: { 'content-type': 'application/octet-stream' }, body, retry: true, signal }));
  }

  /**
   * Copy the object onto itself with its metadata replaced, which S3 allows and which renews its
   * LastModified without sending the bytes again. Objects over 5 GiB cannot be copied so.
   */
  async renew(key: string, signal?: AbortSignal): Promise<void> {
    const call: S3Call = {
      operation: 'copy',
      method: 'PUT',
      key,
      headers: {
        'x-amz-copy-source': `/${encodePath(`${this.#o.bucket}/${key}`)}`,
        'x-amz-metadata-directive': 'REPLACE',
        'content-type': 'application/octet-stream',
      },
      retry: true,
      signal,
    };
    await this.#result(call, 'CopyObjectResult');
  }

  async createMultipart(key: string, signal?: AbortSignal): Promise<string> {
    const call: S3Call = {
      operation: 'CreateMultipartUpload',
      method: 'POST',
      key,
      query: [['uploads', '']],
      headers: { 'content-type': 'application/octet-stream' },
      retry: false,
      signal,
    };
    const uploadId = childText(await this.#result(call, 'InitiateMultipartUploadResult'), 'UploadId');
    if (uploadId === undefined || uploadId === '' || uploadId.length > 1024) throw this.malformed(call, 'no <UploadId>');
    return uploadId;
  }

  /** Upload one part; its ETag, which the completion names. */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: S3Body, signal?: AbortSignal): Promise<string> {
    const call: S3Call = {
      operation: `UploadPart ${partNumber}`,
      method: 'PUT',
      key,
      query: [
        ['partNumber', String(partNumber)],
        ['uploadId', uploadId],
      ],
      body,
      retry: true,
      signal,
    };
    const res = await this.send(call);
    discard(res);
    const etag = res.headers.etag;
    if (etag === undefined || etag === '' || etag.length > 256 || /[\r\n<>&]/.test(etag)) throw this.malformed(call, 'no usable ETag');
    return etag;
  }

  async completeMultipart(key: string, uploadId: string, etags: readonly string[], signal?: AbortSignal): Promise<void> {
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag.replace(/"/g, '&quot;')}</ETag></Part>`).join('');
    const bytes = Buffer.from(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`);
    const call: S3Call = {
      operation: 'CompleteMultipartUpload',
      method: 'POST',
      key,
      query: [['uploadId', uploadId]],
      headers: { 'content-type': 'application/xml' },
      body: { bytes },
      retry: false,
      signal,
    };
    await this.#result(call, 'CompleteMultipartUploadResult');
  }

  /** Give the parts up (404: there is no such upload any more, which is what was wanted). */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    const res = await this.send({ operation: 'AbortMultipartUpload', method: 'DELETE', key, query: [['uploadId', uploadId]], accept: [404], retry: true });
    discard(res);
  }

  /** DELETE answers 204 whether or not there was an object. */
  async deleteObject(key: string): Promise<void> {
    discard(await this.send({ operation: 'DELETE', method: 'DELETE', key, retry: true }));
  }

  /** One ListObjectsV2 page of the keys under `prefix`. */
  async listPage(prefix: string, token: string | null, maxKeys: number, signal?: AbortSignal): Promise<ListPage> {
    const query: [string, string][] = [
      ['list-type', '2'],
      ['prefix', prefix],
      ['max-keys', String(maxKeys)],
      ['encoding-type', 'url'],
    ];
    if (token !== null) query.push(['continuation-token', token]);
    const call: S3Call = { operation: 'listing', method: 'GET', key: null, about: `"${prefix}"`, query, retry: true, signal };
    const text = await this.#text(call, LIST_PAGE_CAP);
    try {
      return parseListPage(text);
    } catch (err) {
      if (err instanceof XmlError) throw this.malformed(call, `a malformed page: ${err.message}`, err);
      throw err;
    }
  }

  contentLength(call: S3Call, res: IncomingMessage): number {
    const header = res.headers['content-length'];
    if (header === undefined || !/^\d{1,16}$/.test(header) || !Number.isSafeInteger(Number(header))) {
      throw this.malformed(call, header === undefined ? 'no Content-Length' : `Content-Length "${header.slice(0, 40)}"`);
    }
    return Number(header);
  }

  /** `what` quotes the answer (a header, a field of a page): made one printable line, as S3's own error messages are. */
  malformed(call: Pick<S3Call, 'operation' | 'key' | 'about'>, what: string, cause?: unknown): AirlockError {
    const subject = this.subject(call);
    return new AirlockError('STORAGE_ERROR', `S3 ${subject.operation} of ${subject.what} in bucket "${subject.bucket}" answered ${clean(what, 500)}`, cause === undefined ? {} : { cause });
  }

  /**
   * The XML answer of a request whose 200 may still carry an error: S3 answers a copy or a
   * multipart completion at once and writes the outcome (the result, or an <Error>) when done.
   */
  async #result(call: S3Call, expected: string): Promise<XmlElement> {
    const text = await this.#text(call, RESULT_CAP);
    let root: XmlElement;
    try {
      root = parseXml(text, { maxLength: RESULT_CAP, maxDepth: 8, maxElements: 100 });
    } catch (err) {
      if (err instanceof XmlError) throw this.malformed(call, `malformed XML: ${err.message}`, err);
      throw err;
    }
    if (root.name === 'Error') throw answerError(this.subject(call), 200, parseErrorBody(Buffer.from(text)), 1);
    if (root.name !== expected) throw this.malformed(call, `a <${root.name}> where a <${expected}> belongs`);
    return root;
  }

  /** The answer's body as text, at most `cap` bytes of UTF-8. */
  async #text(call: S3Call, cap: number): Promise<string> {
    const res = await this.send(call);
    let body: Buffer;
    try {
      body = await readBody(res, cap, 'fail', () => this.malformed(call, `a body over ${cap} bytes`));
    } catch (err) {
      if (err instanceof AirlockError) throw err;
      throw this.malformed(call, 'a body cut short', err);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch (err) {
      throw this.malformed(call, 'a body that is not UTF-8', err);
    }
  }

  async #errorBody(res: IncomingMessage): Promise<S3ErrorBody> {
    try {
      return parseErrorBody(await readBody(res, ERROR_BODY_CAP, 'truncate'));
    } catch {
      return { code: null, message: null };
    }
  }

  #backoff(attempt: number, signal: AbortSignal | undefined): Promise<void> {
    return sleep(backoffDelay(attempt - 1, this.#o.retryBaseDelayMs, MAX_BACKOFF_MS), signal);
  }

  #signerFor(credentials: SigV4Credentials): SigV4Signer {
    if (this.#signer?.credentials !== credentials) this.#signer = { credentials, signer: new SigV4Signer(credentials, this.#o.region) };
    return this.#signer.signer;
  }

  #prepare(call: S3Call, credentials: SigV4Credentials): Parameters<HttpClient['request']>[0] {
    const o = this.#o;
    const virtual = o.addressing === 'virtual';
    const host = virtual ? `${o.bucket}.${o.host}` : o.host;
    const objectPath = call.key === null ? '' : `/${call.key}`;
    const path = encodePath(virtual ? objectPath || '/' : `/${o.bucket}${objectPath}`);
    const query = canonicalQuery(call.query ?? []);
    const body = call.body;
    const sha256 = body === undefined ? EMPTY_SHA256 : 'bytes' in body ? digestHex(sha256Of(body.bytes)) : body.sha256;
    const own = { host, ...call.headers };
    const signed = this.#signerFor(credentials).sign({ method: call.method, path, query, headers: own, payloadSha256: sha256 });
    const length = body === undefined ? (call.method === 'PUT' || call.method === 'POST' ? 0 : null) : 'bytes' in body ? body.bytes.length : body.length;
    return {
      hostname: virtual ? `${o.bucket}.${o.hostname}` : o.hostname,
      port: o.port,
      method: call.method,
      path: query === '' ? path : `${path}?${query}`,
      headers: { ...own, ...signed, ...(length === null ? {} : { 'content-length': String(length) }) },
      body:
        body === undefined
          ? null
          : 'bytes' in body
            ? body.bytes
            : body.length === 0
              ? Buffer.alloc(0)
              : createReadStream(body.file, { start: body.start, end: body.start + body.length - 1 }),
      signal: call.signal,
    };
  }
}

