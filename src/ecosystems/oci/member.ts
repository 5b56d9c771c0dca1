/** An oci repository as a group sees it (the oci plugin gives it through `expose`). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GroupMember } from '../shared/group-owners.ts';
import type { Target } from './references.ts';

export interface OciMember extends GroupMember {
  readonly repo: string;
  readonly kind: 'proxy' | 'hosted';
  /**
   * Whether the member has the image repository `name` (see `GroupMember.has`): pushed to a hosted
   * member; answered by a proxy's upstream (its tag list), in the member's namespace (`alpine` is
   * Docker Hub's `library/alpine`). Not reported as missing.
   */
  has(name: string): Promise<boolean>;
  /**
   * Serves a read (a manifest, a blob, a tag list, referrers, an upload's status) as at the member's
   * own URL — its gate, its admitted images, its refusals — with the links in the answer under
   * `prefix` (the group's `/v2/<group>`). A missing name is not reported (the group does that).
   */
  read(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams, prefix: string): Promise<FastifyReply>;
  /** A hosted member's push, upload or delete (the pusher checked first), with `Location` under `prefix`; a proxy refuses it. */
  write(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams, prefix: string): Promise<FastifyReply>;
  /** The image repositories a hosted member has, sorted; null for a proxy (an upstream's are not Airlock's to list). */
  names(): Promise<readonly string[]> | null;
}
