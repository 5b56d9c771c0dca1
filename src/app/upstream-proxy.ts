/**
 * How a repository's connections reach its upstream: the proxy variables handed to Node's own
 * proxy support (`proxyEnv` on the upstream's agents), and the same route in words for the
 * start-up lines.
 */
import { assertNever } from '../core/index.ts';
import type { ProxyConfig, ProxyRepositoryConfig } from './config/types.ts';

/** `localhost`, a name under it, or an address in 127.0.0.0/8 or ::1: this machine, which no proxy can reach for it. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '[::1]' || h === '::1';
}

/** The variables Node's proxy support reads (both cases; the lower-case one wins, as in curl). */
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

function environmentProxy(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PROXY_VARIABLES) {
    const v = env[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

/**
 * The proxy npm itself would use for `upstream` (npm's agent): its `https-proxy` or `proxy`
 * setting whatever the scheme, else from the environment, read without regard to case,
 * `https_proxy` for an https registry and `https_proxy`, `http_proxy` or `proxy` for an http one;
 * its `noproxy` list, else the environment's `no_proxy`. npm matches a list entry against the
 * host and every domain above it; Node matches a bare entry against the host alone and a dotted
 * one against the domain, so each entry is handed to Node dotted.
 */
function npmProxy(settings: { readonly proxy: string | null; readonly noProxy: string }, env: NodeJS.ProcessEnv, upstream: URL): Record<string, string> {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) if (v !== undefined && /^(https_proxy|http_proxy|proxy|no_proxy)$/i.test(k)) lower.set(k.toLowerCase(), v);
  const fromEnv = upstream.protocol === 'https:' ? lower.get('https_proxy') : lower.get('https_proxy') || lower.get('http_proxy') || lower.get('proxy');
  const proxy = settings.proxy ?? (fromEnv === '' ? undefined : fromEnv);
  if (proxy === undefined) return {};
  const entries = (settings.noProxy !== '' ? settings.noProxy : (lower.get('no_proxy') ?? '')).split(',');
  const bypass = entries.map((e) => e.trim().replace(/^\.+/, '')).filter((e) => e !== '');
  return { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, ...(bypass.length === 0 ? {} : { NO_PROXY: bypass.map((e) => `.${e}`).join(',') }) };
}

/**
 * The proxy variables a repository's connections follow: the environment's, npm's, none, or its
 * own proxy's. An upstream on this machine (a local Verdaccio, say) is always reached directly: a
 * proxy elsewhere would reach its own loopback, and a proxy in the environment for the internet
 * should not break a local upstream that `NO_PROXY` happens not to list.
 */
export function proxyEnvFor(proxy: ProxyConfig, env: NodeJS.ProcessEnv, upstream: URL): Record<string, string> {
  if (isLoopbackHost(upstream.hostname)) return {};
  switch (proxy.kind) {
    case 'env':
      return environmentProxy(env);
    case 'npm':
      return npmProxy(proxy, env, upstream);
    case 'none':
      return {};
    case 'url': {
      const url = new URL(proxy.url);
      if (proxy.username !== null && proxy.password !== null) {
        url.username = encodeURIComponent(proxy.username);
        url.password = encodeURIComponent(proxy.password.reveal());
      }
      return { HTTP_PROXY: url.href, HTTPS_PROXY: url.href };
    }
    default:
      return assertNever(proxy, 'proxy setting');
  }
}

/**
 * Whether a `NO_PROXY` list sends `upstream` direct, by the rules of Node's proxy support: `*`;
 * the host, or host and port, exactly; a `.domain` or `*.domain` entry for the domain and the
 * hosts under it; an IPv4 range `a.b.c.d-e.f.g.h`.
 */
export function bypassesProxy(noProxy: string, upstream: URL): boolean {
  const host = upstream.hostname.toLowerCase();
  const port = upstream.port;
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*' || entry === host || (port !== '' && entry === `${host}:${port}`)) return true;
    if (entry.startsWith('.')) {
      const suffix = entry.slice(1);
      if (host === suffix || host.endsWith(`.${suffix}`)) return true;
    }
    if (entry.startsWith('*.') && host.endsWith(entry.slice(1))) return true;
    const range = /^(\d+\.\d+\.\d+\.\d+)\s*-\s*(\d+\.\d+\.\d+\.\d+)$/.exec(entry);
    const at = ipv4(host);
    if (range !== null && at !== null) {
      const [lo, hi] = [ipv4(range[1] ?? ''), ipv4(range[2] ?? '')];
      if (lo !== null && hi !== null && at >= lo && at <= hi) return true;
    }
  }
  return false;
}

function ipv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const SOURCE: Readonly<Record<ProxyConfig['kind'], string>> = {
  env: "the environment's",
  npm: "npm's",
  none: 'none',
  url: "the repository's",
};

/**
 * The route to a repository's upstream in words, for the start-up lines: `directly` or `through
 * the proxy ORIGIN`, and why. Proxy credentials are never shown.
 */
export function upstreamRoute(repo: ProxyRepositoryConfig, env: NodeJS.ProcessEnv): string {
  return routeFor(repo, new URL(repo.upstream), 'the upstream', env);
}

/** The route the repository's connections take to `upstream`: its upstream, or `what` else it reads from (a TUF repository). */
export function routeFor(repo: ProxyRepositoryConfig, upstream: URL, what: string, env: NodeJS.ProcessEnv): string {
  if (isLoopbackHost(upstream.hostname)) return `directly (${what} is on this machine)`;
  if (repo.proxy.kind === 'none') return 'directly (proxy: none)';
  const vars = proxyEnvFor(repo.proxy, env, upstream);
  const https = upstream.protocol === 'https:';
  const proxy = https ? (vars['https_proxy'] ?? vars['HTTPS_PROXY']) : (vars['http_proxy'] ?? vars['HTTP_PROXY']);
  const source = SOURCE[repo.proxy.kind];
  if (proxy === undefined) return `directly (no ${upstream.protocol.slice(0, -1)} proxy in ${repo.proxy.kind === 'npm' ? "npm's settings or the environment" : 'the environment'})`;
  if (bypassesProxy(vars['no_proxy'] ?? vars['NO_PROXY'] ?? '', upstream)) return `directly (${source} no-proxy list covers ${upstream.host})`;
  let shown: string;
  try {
    shown = new URL(proxy).origin;
  } catch {
    shown = '(a proxy that is not a URL)';
  }
  return `through the proxy ${shown} (${source} proxy setting)`;
}
