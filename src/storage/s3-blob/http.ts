/**
 * HTTP/1.1 to an S3 endpoint over Node's own client: keep-alive connections (one agent per
 * store, so several stores never share a pool), and one time-out for each phase of an exchange:
 * connecting, waiting for the response headers, and silence while the body streams.
 */
import type * as Http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as Tls from 'node:tls';
import { releaseResponseReads } from '../../core/index.ts';

// Loaded as CommonJS: an ES import of node:http builds a facade that reads every export,
// including the lazy WebSocket getters, which load Node's bundled undici.
const require = createRequire(import.meta.url);
const { Agent: HttpAgent, request: httpRequest } = require('node:http') as typeof Http;
const { Agent: HttpsAgent, request: httpsRequest } = require('node:https') as typeof Https;
const { rootCertificates } = require('node:tls') as typeof Tls;

export type TimeoutPhase = 'connect' | 'headers' | 'body';

export class HttpTimeout extends Error {
  readonly phase: TimeoutPhase;

  constructor(phase: TimeoutPhase, ms: number) {
    super(`no ${phase === 'connect' ? 'connection' : phase === 'headers' ? 'response headers' : 'body bytes'} within ${ms} ms`);
    this.name = 'HttpTimeout';
    this.phase = phase;
  }
}

export interface HttpClientOptions {
  readonly secure: boolean;
  readonly timeoutMs: number;
  /** Open connections (requests beyond wait for a free one). */
  readonly maxSockets: number;
  /** PEM certificates trusted for https next to Node's built-in authorities. */
  readonly ca: string | null;
}

export interface HttpRequest {
  /** The host to connect to (a virtual-hosted bucket's own name included). */
  readonly hostname: string;
  readonly port: number;
  readonly method: string;
  /** Path and query, encoded, sent as they are. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | Readable | null;
  readonly signal: AbortSignal | undefined;
}

/** An idle kept-alive connection is closed after this long: shorter than S3's own idle limit (about 20 s). */
const IDLE_MS = 4_000;

export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #agent: Http.Agent;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, timeout: IDLE_MS, scheduling: 'lifo' as const };
    this.#agent = options.secure
      ? new HttpsAgent({ ...agentOptions, ...(options.ca === null ? {} : { ca: [...rootCertificates, options.ca] }) })
      : new HttpAgent(agentOptions);
  }

  /**
   * Send one request; resolves once the response headers are in. The response body must be
   * consumed or destroyed. A request body that fails before the response comes fails the request.
   */
  request(init: HttpRequest): Promise<IncomingMessage> {
    const { timeoutMs, secure } = this.#options;
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | null = null;
      const clearConnect = (): void => {
        if (connectTimer !== null) clearTimeout(connectTimer);
        connectTimer = null;
      };
      const fail = (err: unknown): void => {
        clearConnect();
        if (settled) return;
        settled = true;
        reject(err);
      };
      const req = send({
        hostname: init.hostname,
        port: init.port,
        method: init.method,
        path: init.path,
        headers: init.headers,
        agent: this.#agent,
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
      req.on('error', fail);
      req.on('socket', (socket: Socket) => {
        // A reused connection is already up; a new one must come up in time.
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => req.destroy(new HttpTimeout('connect', timeoutMs)), timeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', clearConnect);
      });
      // Inactivity on the connection once it is up: first while the headers are awaited (the
      // request body going out counts as activity), then between body chunks.
      let response: IncomingMessage | null = null;
      req.setTimeout(timeoutMs);
      req.on('timeout', () => {
        if (response === null) req.destroy(new HttpTimeout('headers', timeoutMs));
        else response.destroy(new HttpTimeout('body', timeoutMs));
      });
      req.on('response', (res: IncomingMessage) => {
        clearConnect();
        response = res;
        releaseResponseReads(res);
        settled = true;
        resolve(res);
      });
      const body = init.body;
      if (body === null || Buffer.isBuffer(body)) {
        req.end(body ?? undefined);
      } else {
        // An early answer (a refusal) may close the connection under the body: the answer counts.
        pipeline(body, req).catch(fail);
      }
    });
  }

  /** Close every connection; requests in flight fail. */
  close(): void {
    this.#agent.destroy();
  }
}

/**
 * The body, up to `cap` bytes. `over: 'fail'` rejects a longer body (with what `tooLong` gives);
 * `'truncate'` keeps its first `cap` bytes and closes the connection.
 */
export function readBody(res: IncomingMessage, cap: number, over: 'fail' | 'truncate', tooLong: () => Error = () => new Error(`body longer than ${cap} bytes`)): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    res.on('data', (chunk: Buffer) => {
      if (length + chunk.length > cap) {
        if (over === 'fail') {
          res.destroy();
          reject(tooLong());
          return;
        }
        chunks.push(chunk.subarray(0, cap - length));
        length = cap;
        res.destroy();
        resolve(Buffer.concat(chunks, length));
        return;
      }
      chunks.push(chunk);
      length += chunk.length;
    });
    res.once('end', () => resolve(Buffer.concat(chunks, length)));
    res.once('error', reject);
    res.once('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the body ended'));
    });
  });
}

/**
 * Read and drop an unwanted body so its connection can carry the next request; a long one closes
 * it instead. An answer already complete (a PUT's or DELETE's, whose empty body came with its
 * headers) is read as well: the connection goes back to the pool only at the body's end, which
 * an unread answer never reaches, and it would stay taken until the time-out ended it.
 */
export function discard(res: IncomingMessage): void {
  if (res.destroyed) return;
  let seen = 0;
  res.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > 64 * 1024) res.destroy();
  });
  res.on('error', () => undefined);
}
