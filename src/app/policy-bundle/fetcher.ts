/**
 * How the bundle server is reached: the upstream module's HTTP client (connect, headers and body
 * time-outs, bounded retries, a circuit breaker, a byte cap, redirects never from https to http),
 * with the bearer token sent to the bundle's origin only, through the proxy the environment names
 * unless `proxy: none` (a server on this machine directly), trusting `ca` when given.
 */
import { UpstreamClient } from '../../upstream/index.ts';
import type { PolicyBundleConfig } from '../config/types.ts';
import { proxyEnvFor } from '../upstream-proxy.ts';

export type BundleFetchResult = { readonly kind: 'fresh'; readonly body: Buffer; readonly etag: string | null } | { readonly kind: 'not-modified' };

export interface BundleFetcher {
  /** GET the bundle, conditional on `etag` when given. */
  fetch(etag: string | null): Promise<BundleFetchResult>;
  close(): Promise<void>;
}

export function httpBundleFetcher(config: PolicyBundleConfig, env: NodeJS.ProcessEnv, userAgent: string): BundleFetcher {
  const url = new URL(config.url);
  const client = new UpstreamClient({
    name: `policy bundle ${url.host}`,
    url: url.origin,
    connectTimeoutMs: Math.min(config.timeoutMs, 10_000),
    headersTimeoutMs: config.timeoutMs,
    bodyTimeoutMs: config.timeoutMs,
    connections: 2,
    retries: 1,
    // One poller spaced by its own delays: a circuit breaker would only hide the server's real error.
    breakerFailureThreshold: 1_000_000,
    userAgent,
    ...(config.bearer === null ? {} : { headers: { authorization: `Bearer ${config.bearer.reveal()}` } }),
    proxyEnv: proxyEnvFor({ kind: config.proxy }, env, url),
    ...(config.ca === null ? {} : { ca: config.ca }),
  });
  return {
    async fetch(etag) {
      const got = await client.fetchDocument(url, {
        maxBytes: config.maxSizeBytes,
        accept: 'application/gzip, application/octet-stream;q=0.9, */*;q=0.1',
        validators: { etag, lastModified: null },
      });
      return got.kind === 'fresh' ? { kind: 'fresh', body: got.body, etag: got.etag } : { kind: 'not-modified' };
    },
    close: () => client.close(),
  };
}
