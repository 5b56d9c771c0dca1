import type { FastifyRequest } from 'fastify';
import { AirlockError } from '../../core/index.ts';

const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
/** A DNS name's 253 characters and a port. */
const MAX_HOST_CHARS = 253 + ':65535'.length;

/**
 * The URL clients reach a repository at (`publicUrl` when set, else from the request's Host) and
 * the base of the URLs in what it serves: a member serving a group's request gets the group's.
 * Its scheme is the connection's (https over TLS); X-Forwarded-Proto and X-Forwarded-Host count
 * only with `server.trustProxy` (Fastify reads them only then), and must be http or https and a
 * host name, or the request is refused rather than answered with URLs built from them.
 */
export function repositoryUrl(publicUrl: string | null, repo: string, prefix: string, request: FastifyRequest): string {
  // Fastify's type says a string; an HTTP/1.0 request without Host has none.
  const host: string | undefined = publicUrl === null ? request.host : '';
  const scheme = publicUrl === null ? request.protocol : '';
  const m = last;
  if (m !== null && host === m.host && scheme === m.scheme && publicUrl === m.publicUrl && repo === m.repo && prefix === m.prefix) return m.url;
  let url: string;
  if (publicUrl !== null) url = `${publicUrl}${repo}/`;
  else {
    if (host === undefined || host === '') throw new AirlockError('BAD_REQUEST', 'no Host header: Airlock builds the URLs it gives from it');
    if (host.length > MAX_HOST_CHARS || !HOST_RE.test(host)) {
      throw new AirlockError('BAD_REQUEST', `invalid Host header ${JSON.stringify(host.slice(0, 100))}: a host name or address, and a port if any, from which Airlock builds the URLs it gives`);
    }
    const lower = scheme.toLowerCase();
    if (lower !== 'http' && lower !== 'https') throw new AirlockError('BAD_REQUEST', 'invalid X-Forwarded-Proto header (http or https)');
    url = `${lower}://${host}${prefix}/`;
  }
  last = { publicUrl, repo, prefix, host, scheme, url };
  return url;
}

/**
 * The last URL made, and what it was made from: clients send the same Host again and again, and
 * the same string back lets caches keyed by it (the npm renderings) find it without hashing a new
 * one. Only a URL that passed the checks is kept.
 */
let last: { readonly publicUrl: string | null; readonly repo: string; readonly prefix: string; readonly host: string | undefined; readonly scheme: string; readonly url: string } | null = null;

