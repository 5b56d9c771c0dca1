/**
 * The admin client's requests over HTTPS with its own trust: the authorities to trust in place of
 * the built-in roots (a private CA) and a client certificate for a server that requires one
 * (`server.tls.requireClientCert`). Node's fetch takes neither, so these requests go through
 * node:https and come back as a fetch `Response`; a failure is thrown as fetch throws it (a
 * TypeError whose cause is the connection's error), so callers handle both alike.
 */
import type * as Https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

// As in src/upstream/transport.ts: CommonJS, so as not to load Node's bundled undici for nothing.
const require = createRequire(import.meta.url);
const { Agent, request } = require('node:https') as typeof Https;

/** PEM text (not file names): what the CLI read from --cacert, --cert and --key. */
export interface ClientTls {
  /** Authorities trusted instead of Node's built-in roots. */
  readonly ca?: string;
  /** A client certificate (and its chain) and its key: both or neither. */
  readonly cert?: string;
  readonly key?: string;
}

export type FetchLike = (url: URL, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<Response>;

/** Statuses whose response has no body (a `Response` refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

/** A fetch for https: URLs that trusts `tls.ca` and presents `tls.cert`/`tls.key`; http: URLs go to the global fetch. */
export function tlsFetch(tls: ClientTls): FetchLike {
  const agent = new Agent({
    keepAlive: true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    // A custom agent follows the environment's proxy only when told to, as the global one does.
    ...(process.env['NODE_USE_ENV_PROXY'] === '1' ? { proxyEnv: process.env } : {}),
  });
  return (url, init) => {
    if (url.protocol !== 'https:') return fetch(url, { ...init, redirect: 'error' });
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method, headers: init.headers, agent, signal: init.signal }, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const one of v) headers.append(k, one);
          else if (v !== undefined) headers.set(k, v);
        }
        if (NO_BODY.has(status)) {
          res.resume();
          resolve(new Response(null, { status, headers }));
          return;
        }
        resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers }));
      });
      req.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
      req.end(init.body);
    });
  };
}

/**
 * Why a fetch failed, for a message (`: why`, or nothing): its cause's message, or for an error
 * of OpenSSL (a multi-line dump with file and line) its reason alone, such as "tlsv13 alert
 * certificate required".
 */
export function failureText(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (!(cause instanceof Error)) return '';
  const { code, reason } = cause as Error & { code?: unknown; reason?: unknown };
  if (typeof code === 'string' && code.startsWith('ERR_SSL_') && typeof reason === 'string') return `: ${reason}`;
  return `: ${cause.message}`;
}
