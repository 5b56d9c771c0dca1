import type { Readable } from 'node:stream';
import { AirlockError, backoffDelay, sleep } from '../core/index.ts';
import { retryAfterMs } from './backoff.ts';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';
import { decodeBody, hasContentCoding, readDecoded, type BodyFailures } from './decode.ts';
import { CIRCUIT_OPEN, isHealthFailure, isRetryable, statusError, transportError } from './errors.ts';
import { resolveUpstreamOptions, type ResolvedUpstreamOptions, type UpstreamOptions } from './options.ts';
import { discard, Transport, type TransportResponse } from './transport.ts';

/** Cache validators of a stored response, sent as If-None-Match / If-Modified-Since. */
export interface Validators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export interface RequestOptionsBase {
  readonly accept?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Cap on the decoded body. */
  readonly maxBytes: number;
}

export interface DocumentRequest extends RequestOptionsBase {
  readonly validators?: Validators;
}

export type DocumentResult =
  | {
      readonly kind: 'fresh';
      readonly body: Buffer;
      readonly contentType: string | null;
      readonly etag: string | null;
      readonly lastModified: string | null;
      /** The `Link` header (paginated APIs name their next page there), or null. */
      readonly link?: string | null;
    }
  | { readonly kind: 'not-modified'; readonly etag: string | null; readonly lastModified: string | null };

export interface StreamResult {
  /**
   * Decoded and capped. The caller must consume it or destroy it. Its chunks are the caller's
   * own: nothing else reads them once they are handed on, so the caller may free them.
   */
  readonly body: Readable;
  /**
   * The upstream's claim for the body's length when it has no content coding (so it is the
   * length of `body`), else null. Never trusted for verification.
   */
  readonly contentLength: number | null;
  readonly contentType: string | null;
  readonly etag: string | null;
}

export interface ForwardResult {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Buffer;
}

/**
 * Where a repository reads its packages from: a registry over HTTP (`UpstreamClient`), or
 * Airlock's own stores (a hosted repository's packages). Paths resolve against its base URL.
 */
export interface Upstream {
  readonly name: string;
  resolve(target: string | URL): URL;
  owns(url: URL): boolean;
  fetchDocument(target: string | URL, req: DocumentRequest): Promise<DocumentResult>;
  openStream(target: string | URL, req: RequestOptionsBase): Promise<StreamResult>;
  forward(target: string | URL, method: 'POST' | 'PUT', body: Buffer, req: RequestOptionsBase): Promise<ForwardResult>;
}

const MAX_REDIRECTS = 5;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

/**
 * An HTTP client for one upstream: one connection pool, time-outs on connect, headers and body,
 * bounded retries with jittered back-off for idempotent requests (only while nothing has been
 * handed to the caller), a circuit breaker, conditional requests, content decoding and byte
 * caps. Every response body is consumed or destroyed.
 */
export class UpstreamClient implements Upstream {
  readonly options: ResolvedUpstreamOptions;
  readonly #transport: Transport;
  readonly #breaker: CircuitBreaker;

  constructor(options: UpstreamOptions, deps: { readonly now?: () => number } = {}) {
    this.options = resolveUpstreamOptions(options);
    const o = this.options;
    this.#transport = new Transport({
      connections: o.connections,
      connectTimeoutMs: o.connectTimeoutMs,
      headersTimeoutMs: o.headersTimeoutMs,
      bodyTimeoutMs: o.bodyTimeoutMs,
      keepAliveTimeoutMs: 10_000,
      proxyEnv: o.proxyEnv,
      ...(o.ca === null ? {} : { ca: o.ca }),
    });
    this.#breaker = new CircuitBreaker({
      threshold: o.breakerFailureThreshold,
      openMs: o.breakerOpenMs,
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
  }

  get name(): string {
    return this.options.name;
  }

  get circuit(): CircuitState {
    return this.#breaker.state;
  }

  /**
   * Resolve a path (relative to the base URL) or an absolute URL. Absolute URLs must be on the
   * upstream's origin: the client never follows upstream data to arbitrary hosts.
   */
  resolve(target: string | URL): URL {
    const url = typeof target === 'string' ? new URL(target.replace(/^\/+/, ''), this.options.baseUrl) : target;
    if (!this.owns(url)) {
      throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} referred to another origin`, {
        details: { upstream: this.name },
      });
    }
    return url;
  }

  /** The URL is on the upstream's origin. */
  owns(url: URL): boolean {
    return url.origin === this.options.baseUrl.origin;
  }

  /** Fetch a document into memory (capped), revalidating with the given validators. */
  async fetchDocument(target: string | URL, req: DocumentRequest): Promise<DocumentResult> {
    const url = this.resolve(target);
    const headers: Record<string, string> = {};
    if (req.validators?.etag != null) headers['if-none-match'] = req.validators.etag;
    if (req.validators?.lastModified != null) headers['if-modified-since'] = req.validators.lastModified;
    return this.#withRetries(url, req.signal, async () => {
      const res = await this.#request(url, 'GET', { ...req, headers: { ...req.headers, ...headers } }, null);
      const etag = header(res.headers, 'etag');
      const lastModified = header(res.headers, 'last-modified');
      if (res.statusCode === 304) {
        await discard(res.body);
        return { kind: 'not-modified', etag, lastModified };
      }
      const body = await readDecoded(res.body, header(res.headers, 'content-encoding') ?? undefined, req.maxBytes, this.#bodyFailures(url, req.maxBytes));
      return { kind: 'fresh', body, contentType: header(res.headers, 'content-type'), etag, lastModified, link: header(res.headers, 'link') };
    });
  }

  /**
   * Open a streaming GET. Retries cover failures before the response headers; once the body
   * is returned, errors surface on the stream (time-outs, resets, the byte cap).
   */
  async openStream(target: string | URL, req: RequestOptionsBase): Promise<StreamResult> {
    const url = this.resolve(target);
    return this.#withRetries(url, req.signal, async () => {
      const res = await this.#request(url, 'GET', req, null);
      if (res.statusCode === 304) {
        await discard(res.body);
        throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} answered 304 to an unconditional request`);
      }
      const length = header(res.headers, 'content-length');
      const coding = header(res.headers, 'content-encoding') ?? undefined;
      const body = decodeBody(res.body, coding, req.maxBytes, this.#bodyFailures(url, req.maxBytes));
      return {
        body,
        contentLength: !hasContentCoding(coding) && length !== null && /^\d+$/.test(length) ? Number(length) : null,
        contentType: header(res.headers, 'content-type'),
        etag: header(res.headers, 'etag'),
      };
    });
  }

  /**
   * Forward a non-idempotent request (e.g. an audit POST) once, without retries, and return
   * the status and capped body whatever the status (except transport failures).
   */
  async forward(target: string | URL, method: 'POST' | 'PUT', body: Buffer, req: RequestOptionsBase): Promise<ForwardResult> {
    const url = this.resolve(target);
    if (!this.#breaker.admit()) throw this.#circuitOpen();
    let res: TransportResponse;
    try {
      res = await this.#transport.request(url, { method, headers: this.#headers(url, req), body, signal: req.signal });
    } catch (err) {
      const e = transportError(err, this.name, url.pathname);
      if (isHealthFailure(e)) this.#breaker.failure();
      throw e;
    }
    // The status counts against the upstream's health as it does for every other request (a 508, a loop, does not).
    if (res.statusCode >= 400 && isHealthFailure(statusError(res.statusCode, this.name, url.pathname, null))) this.#breaker.failure();
    else this.#breaker.success();
    const data = await readDecoded(res.body, header(res.headers, 'content-encoding') ?? undefined, req.maxBytes, this.#bodyFailures(url, req.maxBytes));
    return { status: res.statusCode, contentType: header(res.headers, 'content-type'), body: data };
  }

  async close(): Promise<void> {
    this.#transport.close();
  }

  #headers(url: URL, req: RequestOptionsBase): Record<string, string> {
    const sameOrigin = url.origin === this.options.baseUrl.origin;
    return {
      'user-agent': this.options.userAgent,
      'accept-encoding': 'gzip, br',
      ...(req.accept === undefined ? {} : { accept: req.accept }),
      // Configured headers (credentials) go to the upstream's own origin only.
      ...(sameOrigin ? this.options.headers : {}),
      ...req.headers,
    };
  }

  /**
   * One request with redirects followed (never from https to http). Returns a 2xx or 304
   * response; any other status has its body dumped and becomes a typed error.
   */
  async #request(start: URL, method: 'GET', req: RequestOptionsBase, body: Buffer | null): Promise<TransportResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      let res: TransportResponse;
      try {
        const headers = hop === 0 ? this.#headers(url, req) : this.#headers(url, { ...req, headers: {} });
        res = await this.#transport.request(url, { method, headers, body, signal: req.signal });
      } catch (err) {
        if (req.signal?.aborted === true) throw req.signal.reason;
        throw transportError(err, this.name, start.pathname);
      }
      const status = res.statusCode;
      if ((status >= 200 && status < 300) || status === 304) return res;
      await discard(res.body);
      const location = header(res.headers, 'location');
      if ([301, 302, 303, 307, 308].includes(status) && location !== null) {
        if (hop >= MAX_REDIRECTS) {
          throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} redirected too often for ${start.pathname}`);
        }
        const next = URL.parse(location, url.href);
        if (next === null) {
          // Not the network's fault: new URL's TypeError would be read as an unreachable upstream, retried and counted against its health.
          throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} redirected to ${JSON.stringify(location.slice(0, 100))}, which is no URL, for ${start.pathname}`, {
            details: { upstream: this.name, status },
          });
        }
        if ((next.protocol !== 'https:' && next.protocol !== 'http:') || (url.protocol === 'https:' && next.protocol === 'http:')) {
          throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} redirected to an insecure or unsupported URL`);
        }
        url = next;
        continue;
      }
      throw statusError(status, this.name, start.pathname, retryAfterMs(res.headers['retry-after']), header(res.headers, 'www-authenticate'));
    }
  }

  async #withRetries<T>(url: URL, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      if (!this.#breaker.admit()) throw this.#circuitOpen();
      try {
        const out = await attempt();
        this.#breaker.success();
        return out;
      } catch (err) {
        if (signal?.aborted === true) {
          this.#breaker.success();
          throw err;
        }
        const e = transportError(err, this.name, url.pathname);
        if (isHealthFailure(e)) this.#breaker.failure();
        else this.#breaker.success();
        if (n >= this.options.retries || !isRetryable(e)) throw e;
        const asked = e.details['retryAfterMs'];
        const delay =
          typeof asked === 'number' ? Math.min(asked, this.options.retryMaxDelayMs) : backoffDelay(n, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs);
        await sleep(delay, signal);
      }
    }
  }

  #circuitOpen(): AirlockError {
    const seconds = Math.ceil(this.#breaker.retryInMs() / 1000);
    return new AirlockError('UPSTREAM_UNAVAILABLE', `upstream ${this.name} is failing; not retrying for ${seconds}s (circuit open)`, {
      details: { upstream: this.name, circuit: CIRCUIT_OPEN },
    });
  }

  /**
   * What a body's failures become, in every way a body is read: a stream handed to a store, and a
   * forwarded request's answer, fail after the retries are past, so they are typed here too.
   */
  #bodyFailures(url: URL, maxBytes: number): BodyFailures {
    return {
      tooLarge: () =>
        new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${this.name} sent more than the ${maxBytes}-byte limit for ${url.pathname}`, {
          details: { upstream: this.name, limit: maxBytes },
        }),
      broken: (err) => transportError(err, this.name, url.pathname),
    };
  }
}
