/**
 * The push side of the distribution API for a hosted oci repository (protocols: oci.md §1):
 * blob uploads (a session started by POST, chunks by PATCH, closed by PUT `?digest=`; a whole
 * blob in one POST `?digest=`; a cross-repository mount within this repository), manifest PUT by
 * tag or digest, and manifest or tag DELETE. Writing needs a publisher token (a scoped one: this
 * repository and the image's name); deleting needs what the repository's `unpublish` rule names.
 * Nothing a push sends is judged here: the gate judges an image when a client pulls it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { AirlockError, digestHex, isAirlockError, type Sha256Digest } from '../../../core/index.ts';
import { hasRole, requirePackageInScope, requireRepositoryInScope, type Identity } from '../../../gate/identity.ts';
import { storeStream, type BlobStore } from '../../../storage/ports/index.ts';
import { readCapped } from '../../../upstream/index.ts';
import { MAX_MANIFEST_BYTES } from '../manifest.ts';
import { checkName, isDigest, type Target } from '../references.ts';
import type { HostedImages, Pusher } from './hosted-images.ts';
import type { UploadSession, UploadSessions } from './upload-sessions.ts';
import { requireUnpublishRight, type UnpublishRule } from '../../shared/hosted-write.ts';
import { API_VERSION } from '../unroutable.ts';


export interface PushDeps {
  readonly repo: string;
  readonly images: HostedImages;
  readonly uploads: UploadSessions;
  readonly blobs: BlobStore;
  readonly maxBlobBytes: number;
  readonly deletes: UnpublishRule;
}

/** Where a push arrived: the URL path its `Location` headers go under, and the repository names a mount's `from` may start with. */
interface PushedAt {
  readonly prefix: string;
  readonly names: readonly string[];
}

/** Who pushes: a publisher token that may reach this repository and this image. */
function pusherOf(identity: Identity, repo: string, name: string): Pusher {
  if (identity.kind === 'anonymous') {
    throw new AirlockError('UNAUTHORIZED', `pushing to ${repo} needs a token with the publisher role: log in with any user name and the token as the password (docker login, skopeo --dest-creds)`);
  }
  // Said once, with the role the token has: docker and skopeo print it after "denied: ".
  if (!hasRole(identity, 'publisher')) throw new AirlockError('FORBIDDEN', `pushing to ${repo} needs a token with the publisher role, and this one has the ${identity.role} role: log in with a publisher token`);
  requireRepositoryInScope(identity, repo);
  requirePackageInScope(identity, name);
  return { actor: `token:${identity.tokenId}` };
}

/** The request's body as a stream (the plugin's content parser hands it over unread). */
function bodyOf(request: FastifyRequest): Readable {
  const body = request.body;
  return body instanceof Readable ? body : Readable.from([]);
}

/** `Content-Range: <start>-<end>` (inclusive; distribution-spec), or null without one. */
export function parseContentRange(header: string | undefined): { start: number; length: number } | null {
  if (header === undefined) return null;
  const m = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})(?:\/(?:\d{1,15}|\*))?$/.exec(header.trim());
  if (m === null) throw new AirlockError('BAD_REQUEST', `Content-Range ${JSON.stringify(header.slice(0, 60))} is not <start>-<end>`, { details: { ociCode: 'BLOB_UPLOAD_INVALID', ociStatus: 416 } });
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) throw new AirlockError('BAD_REQUEST', 'Content-Range ends before it starts', { details: { ociCode: 'BLOB_UPLOAD_INVALID', ociStatus: 416 } });
  return { start, length: end - start + 1 };
}

function digestParam(query: URLSearchParams): string {
  const digest = query.get('digest');
  if (digest === null || !isDigest(digest)) throw new AirlockError('BAD_REQUEST', `the upload must name its blob's digest as ?digest=sha256:<64 hex digits>`, { details: { ociCode: 'DIGEST_INVALID' } });
  return digest;
}

export class PushRoutes {
  readonly #deps: PushDeps;

  constructor(deps: PushDeps) {
    this.#deps = deps;
  }

  /**
   * Any request that writes, and GET of an upload's status. `prefix` is the URL path the client
   * pushes under (`/v2/<repo>`, or a group's that publishes here): `Location` headers are under it.
   */
  async handle(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams, prefix: string): Promise<FastifyReply> {
    const who = pusherOf(request.identity, this.#deps.repo, target.name);
    // A mount's `from` names an image repository as the client saw it: under this repository's name, or the group's it pushes through.
    const at: PushedAt = { prefix, names: [this.#deps.repo, prefix.slice(prefix.lastIndexOf('/') + 1)] };
    reply.headers({ ...API_VERSION, 'cache-control': 'no-store' });
    const method = request.method;
    if (target.kind === 'upload') {
      if (target.id === null) {
        if (method === 'POST') return this.#post(request, reply, target.name, query, who, at);
      } else if (method === 'PATCH') {
        const s = await this.#deps.uploads.append(target.name, target.id, bodyOf(request), parseContentRange(request.headers['content-range']));
        return this.#progress(reply.code(202), s, at);
      } else if (method === 'PUT') {
        return this.#finish(request, reply, target.name, target.id, digestParam(query), who, at);
      } else if (method === 'GET') {
        return this.#progress(reply.code(204), await this.#deps.uploads.get(target.name, target.id), at);
      } else if (method === 'DELETE') {
        await this.#deps.uploads.cancel(target.name, target.id);
        return reply.code(204).send();
      }
    } else if (target.kind === 'manifest' && method === 'PUT') {
      const bytes = await readCapped(bodyOf(request), MAX_MANIFEST_BYTES, () => new AirlockError('LIMIT_EXCEEDED', `a manifest is taken up to ${MAX_MANIFEST_BYTES} bytes`, { details: { ociCode: 'SIZE_INVALID' } }));
      const { digest, manifest } = await this.#deps.images.putManifest(target.name, target.reference, bytes, request.headers['content-type'] ?? null, who);
      request.log.info({ image: target.name, digest, by: who.actor }, 'manifest pushed');
      if (manifest.subject !== null) reply.header('oci-subject', manifest.subject.digest);
      return reply.code(201).headers({ location: `${prefix}/${target.name}/manifests/${digest}`, 'docker-content-digest': digest }).send();
    } else if (target.kind === 'manifest' && method === 'DELETE') {
      requireUnpublishRight(this.#deps.deletes, request.identity, this.#deps.repo, 'deleting from');
      if (target.reference.kind === 'digest') await this.#deps.images.deleteManifest(target.name, target.reference.digest, who);
      else await this.#deps.images.deleteTag(target.name, target.reference.tag, who);
      request.log.info({ image: target.name, reference: target.reference, by: who.actor }, 'manifest deleted');
      return reply.code(202).send();
    }
    throw new AirlockError('BAD_REQUEST', `${method} is not taken here: ${this.#deps.repo} takes blob uploads, manifest pushes and manifest or tag deletes (a blob goes with the image repository, not on its own)`, { details: { ociCode: 'UNSUPPORTED', ociStatus: 405 } });
  }

  /** POST to `…/blobs/uploads/`: a mount, a whole blob (`?digest=`), or a new session. */
  async #post(request: FastifyRequest, reply: FastifyReply, name: string, query: URLSearchParams, who: Pusher, at: PushedAt): Promise<FastifyReply> {
    const mount = query.get('mount');
    const from = mountSource(query.get('from'), at);
    if (mount !== null && isDigest(mount) && from !== null) {
      const size = await this.#deps.images.mount(name, from, mount, who);
      if (size !== null) return this.#created(reply, name, mount, at);
    }
    if (query.get('digest') !== null) {
      const digest = digestParam(query);
      let committed;
      try {
        committed = await storeStream(this.#deps.blobs, bodyOf(request), { maxBytes: this.#deps.maxBlobBytes, digests: 'address', expect: { sha256: digestHex(digest as Sha256Digest) } });
      } catch (err) {
        throw uploadError(err, digest, this.#deps.maxBlobBytes);
      }
      await this.#deps.images.addBlob(name, digest, committed.size, who);
      return this.#created(reply, name, digest, at);
    }
    const s = await this.#deps.uploads.start(name);
    return this.#progress(reply.code(202), s, at);
  }

  async #finish(request: FastifyRequest, reply: FastifyReply, name: string, id: string, digest: string, who: Pusher, at: PushedAt): Promise<FastifyReply> {
    const hasBody = request.body instanceof Readable && request.headers['content-length'] !== '0';
    const committed = await this.#deps.uploads.finish(name, id, digest, hasBody ? bodyOf(request) : null);
    await this.#deps.images.addBlob(name, digest, committed.size, who);
    request.log.info({ image: name, digest, size: committed.size }, 'blob uploaded');
    return this.#created(reply, name, digest, at);
  }


  #created(reply: FastifyReply, name: string, digest: string, at: PushedAt): FastifyReply {
    return reply.code(201).headers({ location: `${at.prefix}/${name}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' }).send();
  }

  #progress(reply: FastifyReply, s: UploadSession, at: PushedAt): FastifyReply {
    return reply
      .headers({ location: `${at.prefix}/${s.name}/blobs/uploads/${s.id}`, 'docker-upload-uuid': s.id, range: `0-${Math.max(0, s.offset - 1)}`, 'content-length': '0' })
      .send();
  }
}

/**
 * The image repository of this repository a mount's `from` names (clients write it with the
 * repository's name first, the name they push under), or null.
 */
function mountSource(from: string | null, at: PushedAt): string | null {
  const under = at.names.find((n) => from?.startsWith(`${n}/`) === true);
  if (from === null || under === undefined) return null;
  try {
    return checkName(from.slice(under.length + 1));
  } catch {
    return null;
  }
}

/** A whole-blob upload's failure as the client reads it: its digest wrong, or too large. */
function uploadError(err: unknown, digest: string, max: number): unknown {
  if (isAirlockError(err, 'DIGEST_MISMATCH') || isAirlockError(err, 'SIZE_MISMATCH')) {
    return new AirlockError('BAD_REQUEST', `the bytes uploaded do not hash to ${digest}; nothing was stored`, { cause: err, details: { ociCode: 'DIGEST_INVALID' } });
  }
  if (isAirlockError(err, 'LIMIT_EXCEEDED')) {
    return new AirlockError('LIMIT_EXCEEDED', `the blob is larger than this repository takes (${max} bytes, maxArtifactSize)`, { cause: err, details: { ociCode: 'SIZE_INVALID' } });
  }
  return err;
}
