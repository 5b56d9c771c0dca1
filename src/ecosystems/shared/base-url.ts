import type { FastifyRequest } from 'fastify';
import { AirlockError } from '../../core/index.ts';

const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The URL clients reach a repository at (`publicUrl` when set, else from the request's Host) and
 * the base of the URLs in what it serves: a member serving a group's request gets the group's.
 * Its scheme is the connection's (https over TLS); X-Forwarded-Proto and X-Forwarded-Host count
 * only with `server.trustProxy` (Fastify reads them only then), and must be http or https and a
 * host name, or the request is refused rather than answered with URLs built from them.
 */
export function repositoryUrl(publicUrl: string | null, repo: string, prefix: string, request: FastifyRequest): string {
  if (publicUrl !== null) return `${publicUrl}${repo}/`;
  const host = request.host;
  if (!HOST_RE.test(host)) throw new AirlockError('BAD_REQUEST', 'invalid Host header');
  const scheme = request.protocol.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw new AirlockError('BAD_REQUEST', 'invalid X-Forwarded-Proto header (http or https)');
  return `${scheme}://${host}${prefix}/`;
}

