/**
 * `GET /-/api/repositories`: the repositories this server serves, where clients reach each and
 * the upstream it proxies (origin and path only: credentials stay in the configuration). Reader
 * role: the pre-flight check of a lockfile asks which origins are the registry's.
 */
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../gate/identity.ts';

export interface RepositoryInfo {
  readonly name: string;
  readonly format: string;
  /** The path clients use on this server (`/npm/`). */
  readonly path: string;
  readonly kind: 'proxy' | 'hosted' | 'group';
  /** The upstream's URL without credentials, query or fragment; null for a hosted repository or a group. */
  readonly upstream: string | null;
  /** A group's members, in the order a package name is looked up; absent for the others. */
  readonly members?: readonly string[];
}

/** An upstream URL as it may be shown: origin and path. */
export function publicUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export function repositoryRoutes(app: FastifyInstance, deps: { repositories: readonly RepositoryInfo[] }): void {
  app.get('/repositories', async (request) => {
    requireRole(request.identity, 'reader');
    return { items: deps.repositories };
  });
}
