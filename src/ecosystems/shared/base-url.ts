import type { FastifyRequest } from 'fastify';
import { AirlockError } from '../../core/index.ts';

const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The URL clients reach a repository at (`publicUrl` when set, else from the request's Host) and
 * the base of the URLs in what it serves: a member serving a group's request gets the group's.
 */
export function repositoryUrl(publicUrl: string | null, repo: string, prefix: string, request: FastifyRequest): string {
  if (publicUrl !== null) return `${publicUrl}${repo}/`;
  const host = request.host;
  if (!HOST_RE.test(host)) throw new AirlockError('BAD_REQUEST', 'invalid Host header');
  return `${request.protocol}://${host}${prefix}/`;
}

