/** A pypi repository as a group sees it (the pypi plugin gives it through `expose`). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PypiProjectName } from '../../core/index.ts';
import type { GroupMember } from '../shared/group-owners.ts';
import type { FileRoute, ReleaseRoute } from './routes.ts';

export interface PypiMember extends GroupMember {
  readonly repo: string;
  readonly kind: 'proxy' | 'hosted';
  /** Whether the member's index has the project (see `GroupMember.has`); not reported as missing. */
  has(name: PypiProjectName): Promise<boolean>;
  /** Serves the project's page as at the member's own URL, with its file URLs under `base`. */
  page(request: FastifyRequest, reply: FastifyReply, name: PypiProjectName, base: string): Promise<FastifyReply>;
  /** Serves a file (or its `.metadata`) as at the member's own URL. */
  file(request: FastifyRequest, reply: FastifyReply, route: FileRoute): Promise<FastifyReply>;
  /** The projects a hosted member has (PEP 503 names); null for a proxy, which lists none. */
  projects(): Promise<readonly string[]> | null;
  /** A hosted member's upload (the uploader checked first); a proxy refuses it. */
  upload(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  /** A hosted member's yank, unyank or removal of a release; a proxy refuses it. */
  release(request: FastifyRequest, reply: FastifyReply, route: ReleaseRoute): Promise<FastifyReply>;
}
