/**
 * HTTP/1.1 exchanges with upstreams over Node's own client: pooled keep-alive connections per
 * origin and time-outs on connecting, on the wait for the response headers and on silence while
 * the body streams. Node's client parses with the llhttp built into the runtime, which the
 * server side loads anyway; a second HTTP stack (undici, with its own WebAssembly parser) is
 * code and memory the gateway does not need.
 */
import type * as Http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { releaseResponseReads } from '../core/index.ts';

// Loaded as CommonJS: an ES import of node:http builds a facade that reads every export,
// including the lazy WebSocket getters, which load Node's bundled undici.
const require = createRequire(import.meta.url);
const { Agent: HttpAgent, request: httpRequest } = require('node:http') as typeof Http;
const { Agent: HttpsAgent, request: httpsRequest } = require('node:https') as typeof Https;

export type TimeoutPhase = 'connect' | 'headers' | 'body';

/** What timed out; `code` is one of the UPSTREAM_*_TIMEOUT codes `errors.ts` knows. */
export class TransportTimeout extends Error {
  readonly code: string;

  constructor(phase: TimeoutPhase, ms: number) {
    super(`no ${phase === 'connect' ? 'connection' : phase === 'headers' ? 'response headers' : 'body bytes'} within ${ms} ms`);
    this.name = 'TransportTimeout';
    this.code = TIMEOUT_CODE[phase];
  }
}

export const TIMEOUT_CODE: Readonly<Record<TimeoutPhase, string>> = {
  connect: 'UPSTREAM_CONNECT_TIMEOUT',
  headers: 'UPSTREAM_HEADERS_TIMEOUT',
  body: 'UPSTREAM_BODY_TIMEOUT',
};

export interface TransportOptions {
  /** Open connections per origin (requests beyond wait for a free one). */
  readonly connections: number;
  readonly connectTimeoutMs: number;
  /** Longest wait for the response headers once the request is on a connection. */
  readonly headersTimeoutMs: number;
  /** Longest silence between two body chunks. */
  readonly bodyTimeoutMs: number;
  /** An idle kept-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /**
   * Proxy settings as environment variables, for Node's built-in proxy support (HTTP through an
   * absolute-URI request, HTTPS through a CONNECT tunnel). Empty: direct connections, even when
   * the runtime is told to follow the environment's proxy (`NODE_USE_ENV_PROXY`).
   */
  readonly proxyEnv?: Readonly<Record<string, string>>;
  /** Certificate authorities (PEM) trusted for https upstreams in place of Node's built-in roots. */
  readonly ca?: readonly string[];
}

export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
  readonly signal: AbortSignal | undefined;
}

export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** Must be consumed, destroyed or handed to `discard`. */
  readonly body: IncomingMessage;
}

/** Bytes of an unwanted body read to keep its connection reusable; past this it is closed. */
const DISCARD_LIMIT = 64 * 1024;

export class Transport {
  readonly #options: TransportOptions;
  #http: Http.Agent | null = null;
  #https: Https.Agent | null = null;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** Send one request; resolves with the response once its headers are in. */
  request(url: URL, init: TransportRequest): Promise<TransportResponse> {
    const o = this.#options;
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<TransportResponse>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | null = null;
      const clearConnect = (): void => {
        if (connectTimer !== null) clearTimeout(connectTimer);
        connectTimer = null;
      };
      const req = send(url, {
        method: init.method,
        headers: init.headers,
        agent: secure ? this.#httpsAgent() : this.#httpAgent(),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
      req.on('error', (err) => {
        clearConnect();
        reject(err);
      });
      req.on('socket', (socket: Socket) => {
        // A reused connection is already up; a new one must come up in time.
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => req.destroy(new TransportTimeout('connect', o.connectTimeoutMs)), o.connectTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', clearConnect);
      });
      // Inactivity on the connection (counted once it is up): first while waiting for the
      // response headers, then between body chunks until the body has been read.
      let response: IncomingMessage | null = null;
      req.setTimeout(o.headersTimeoutMs);
      req.on('timeout', () => {
        if (response === null) req.destroy(new TransportTimeout('headers', o.headersTimeoutMs));
        else response.destroy(new TransportTimeout('body', o.bodyTimeoutMs));
      });
      req.on('response', (res: IncomingMessage) => {
        clearConnect();
        response = res;
        req.setTimeout(o.bodyTimeoutMs);
        releaseResponseReads(res);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.end(init.body ?? undefined);
    });
  }

  /** Close every connection; requests in flight fail. */
  close(): void {
    this.#http?.destroy();
    this.#https?.destroy();
  }

  #httpAgent(): Http.Agent {
    this.#http ??= new HttpAgent(this.#agentOptions());
    return this.#http;
  }

  #httpsAgent(): Https.Agent {
    const ca = this.#options.ca;
    this.#https ??= new HttpsAgent({ ...this.#agentOptions(), ...(ca === undefined ? {} : { ca: [...ca] }) });
    return this.#https;
  }

  #agentOptions(): ConstructorParameters<typeof HttpAgent>[0] {
    const o = this.#options;
    return { keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections, timeout: o.keepAliveTimeoutMs, scheduling: 'lifo', proxyEnv: { ...o.proxyEnv } };
  }
}

/**
 * Read and drop an unwanted body (a redirect's, a 304's, an error page's) so its connection can
 * carry the next request; a body longer than 64 KiB closes the connection instead.
 */
export function discard(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let seen = 0;
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_LIMIT) body.destroy();
    });
    body.once('end', resolve);
    body.once('close', resolve);
    body.once('error', () => resolve());
  });
}
