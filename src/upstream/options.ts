import { AirlockError } from '../core/index.ts';

/** How one upstream is reached. Every field has a default; `resolveUpstreamOptions` fills them. */
export interface UpstreamOptions {
  /** Short name for messages and logs, e.g. the repository name. */
  readonly name: string;
  /** Base URL; paths are resolved against it. A trailing slash is added when missing. */
  readonly url: string;
  readonly connectTimeoutMs?: number;
  /** Time to the response headers. */
  readonly headersTimeoutMs?: number;
  /** Longest silence between two body chunks. */
  readonly bodyTimeoutMs?: number;
  /** Concurrent connections to the upstream. */
  readonly connections?: number;
  /** Extra attempts for idempotent requests that failed before any byte was handed out. */
  readonly retries?: number;
  /** First back-off delay; doubles per attempt, with full jitter. */
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** Consecutive failures that open the circuit. */
  readonly breakerFailureThreshold?: number;
  /** How long an open circuit refuses requests before one trial request is let through. */
  readonly breakerOpenMs?: number;
  /** Sent with every request (already resolved secrets, e.g. an authorization header). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly userAgent?: string;
  /**
   * The proxy settings the connections follow, as environment variables (`HTTPS_PROXY`,
   * `HTTP_PROXY`, `NO_PROXY`, either case): Node's own proxy support reads them. Default: none
   * (direct connections, whatever the process environment says).
   */
  readonly proxyEnv?: Readonly<Record<string, string>>;
  /** Certificate authorities (PEM) trusted for an https upstream in place of Node's built-in roots. */
  readonly ca?: readonly string[];
}

export interface ResolvedUpstreamOptions {
  readonly name: string;
  readonly baseUrl: URL;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly connections: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly breakerFailureThreshold: number;
  readonly breakerOpenMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly userAgent: string;
  readonly proxyEnv: Readonly<Record<string, string>>;
  /** Null: Node's built-in roots. */
  readonly ca: readonly string[] | null;
}

export const UPSTREAM_DEFAULTS = Object.freeze({
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  connections: 32,
  retries: 2,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 2_000,
  breakerFailureThreshold: 5,
  breakerOpenMs: 10_000,
  userAgent: 'airlock',
});

function positive(name: string, field: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new AirlockError('CONFIG_INVALID', `upstream ${name}: ${field} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

export function resolveUpstreamOptions(options: UpstreamOptions): ResolvedUpstreamOptions {
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
  } catch (cause) {
    throw new AirlockError('CONFIG_INVALID', `upstream ${options.name}: not a URL: ${JSON.stringify(options.url)}`, { cause });
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new AirlockError('CONFIG_INVALID', `upstream ${options.name}: only http and https upstreams are supported`);
  }
  if (baseUrl.search !== '' || baseUrl.hash !== '') {
    throw new AirlockError('CONFIG_INVALID', `upstream ${options.name}: the URL must not have a query or fragment`);
  }
  const n = options.name;
  const d = UPSTREAM_DEFAULTS;
  return Object.freeze({
    name: n,
    baseUrl,
    connectTimeoutMs: positive(n, 'connectTimeoutMs', options.connectTimeoutMs ?? d.connectTimeoutMs),
    headersTimeoutMs: positive(n, 'headersTimeoutMs', options.headersTimeoutMs ?? d.headersTimeoutMs),
    bodyTimeoutMs: positive(n, 'bodyTimeoutMs', options.bodyTimeoutMs ?? d.bodyTimeoutMs),
    connections: Math.floor(positive(n, 'connections', options.connections ?? d.connections)),
    retries: Math.floor(positive(n, 'retries', options.retries ?? d.retries, true)),
    retryBaseDelayMs: positive(n, 'retryBaseDelayMs', options.retryBaseDelayMs ?? d.retryBaseDelayMs, true),
    retryMaxDelayMs: positive(n, 'retryMaxDelayMs', options.retryMaxDelayMs ?? d.retryMaxDelayMs, true),
    breakerFailureThreshold: Math.floor(positive(n, 'breakerFailureThreshold', options.breakerFailureThreshold ?? d.breakerFailureThreshold)),
    breakerOpenMs: positive(n, 'breakerOpenMs', options.breakerOpenMs ?? d.breakerOpenMs, true),
    headers: Object.freeze({ ...(options.headers ?? {}) }),
    userAgent: options.userAgent ?? d.userAgent,
    proxyEnv: Object.freeze({ ...(options.proxyEnv ?? {}) }),
    ca: options.ca === undefined ? null : Object.freeze([...options.ca]),
  });
}
