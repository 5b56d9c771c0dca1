/**
 * The oci repository as a Fastify plugin, mounted under `/v2/<repo>/` by the composition root:
 * registry clients reach an upstream image `library/alpine` as `<airlock host>/<repo>/library/alpine`
 * (the way Harbor's proxy-cache projects and Artifactory's remote registries are addressed), or
 * through a `registries.conf` mirror whose location is `<airlock host>/<repo>`. It serves the
 * read side of the distribution API — manifests by tag or digest (GET and HEAD), blobs (with
 * byte ranges), tag lists, referrers — and refuses pushes: a proxy hosts nothing of its own (a
 * hosted repository takes them, hosted/push-routes.ts). A group (group.ts) serves through the
 * member it gives through `expose`, as at the member's own URL.
 *
 * Every manifest a client GETs is judged before a byte of it goes out; the blobs and platform
 * manifests of an admitted image are served as part of it, each verified against its digest
 * before it is stored. Errors are the registry's JSON (`{"errors": [{"code", "message"}]}`),
 * which skopeo, podman and docker print: a refusal is `DENIED` with the reasons, the quarantine
 * id and how to ask for release.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, isAirlockError, type Sha256Digest } from '../../core/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import type { Upstream } from '../../upstream/index.ts';
import { publicGoodTrustedRoot } from '../../verify/index.ts';
import { parseByteRange } from '../shared/byte-range.ts';
import { etagMatches, rawTarget } from '../shared/http.ts';
import { DEFAULT_MODEL_SCAN, ModelScans } from '../shared/model-files.ts';
import { asciiLine, wireError } from '../shared/wire-error.ts';
import { Admission } from './admission.ts';
import { ociPackageSource } from './check-source.ts';
import type { ImageBackend, ServedAt } from './backend.ts';
import { imagePurl } from './facts.ts';
import { hostedBackend } from './hosted/hosted-backend.ts';
import { accepts, MEDIA, type Descriptor } from './manifest.ts';
import { resolveOciSettings, type OciPluginOptions } from './options.ts';
import { proxyBackend } from './proxy-backend.ts';
import { nameInNamespace, parseTarget, referenceLabel, type Target } from './references.ts';
import { SignatureFinder } from './signatures.ts';
import { API_VERSION, registryErrorBody } from './unroutable.ts';

const MAX_WARNING_CHARS = 1500;
/** The challenge a registry client answers with credentials (the app's auth hook takes a token as a Basic password). */
const REGISTRY_CHALLENGE = 'Basic realm="Airlock"';

type OciCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'NAME_INVALID'
  | 'DIGEST_INVALID'
  | 'MANIFEST_INVALID'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

function ociCodeOf(err: unknown, status: number, target: Target['kind'] | null, client: string | undefined): OciCode {
  const given = isAirlockError(err) ? err.details['ociCode'] : undefined;
  if (typeof given === 'string') return given as OciCode;
  if ((isAirlockError(err, 'QUARANTINED') || isAirlockError(err, 'BLOCKED')) && isDockerEngine(client)) return 'UNKNOWN';
  if (status === 404) return target === 'blob' ? 'BLOB_UNKNOWN' : target === 'manifest' ? 'MANIFEST_UNKNOWN' : 'NAME_UNKNOWN';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  // A name's or a digest's own refusal says its code; any other request Airlock does not take (a bad Host, a body it cannot read) is UNSUPPORTED.
  if (status === 400) return isAirlockError(err, 'INVALID_NAME') ? 'NAME_INVALID' : isAirlockError(err, 'INVALID_DIGEST') ? 'DIGEST_INVALID' : 'UNSUPPORTED';
  if (status === 413) return 'SIZE_INVALID';
  if (status === 429) return 'TOOMANYREQUESTS';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return 'UNKNOWN';
}

/**
 * Docker's engine (its User-Agent is `docker/<version> …`) reads a DENIED pull as no access: by
 * digest it prints "pull access denied for <image>, repository does not exist or may require
 * 'docker login'" before the message, and a DENIED manifest it resolved from a tag it takes for
 * a registry that cannot serve by digest, warning that the registry "does not appear to conform
 * to the distribution registry specification" before asking again by tag. A policy refusal is
 * neither, so to Docker it is UNKNOWN, which it prints as it comes (`unknown: Airlock: …`).
 * containers/image and containerd print any code as `<code>: <message>`: they get DENIED.
 */
function isDockerEngine(userAgent: string | undefined): boolean {
  return userAgent !== undefined && userAgent.startsWith('docker/');
}

/** An error as registry clients read it: `{"errors": [{"code", "message"}]}` (containers/image prints `<code>: <message>`). */
export function sendOciError(request: FastifyRequest, reply: FastifyReply, err: unknown, target: Target['kind'] | null = null): FastifyReply {
  const wire = wireError(err, String(request.id), request.raw);
  const { message, serious } = wire;
  // The registry API's own statuses: 416 for an upload chunk out of order, 405 for what a repository does not do, 429.
  const given = isAirlockError(err) ? err.details['ociStatus'] : undefined;
  const status = given === 416 || given === 405 || given === 429 ? given : wire.status;
  if (serious) request.log.error({ err }, 'oci request failed');
  else request.log.info({ status, message }, 'oci request refused');
  const code = ociCodeOf(err, status, target, request.headers['user-agent']);
  reply.code(status).headers({ ...API_VERSION, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
  // Clients ask for credentials when told how (the version check may have said so already).
  if (status === 401 && reply.getHeader('www-authenticate') === undefined) reply.header('www-authenticate', REGISTRY_CHALLENGE);
  const received = isAirlockError(err) ? err.details['received'] : undefined;
  if (status === 416 && typeof received === 'number') reply.header('range', `0-${Math.max(0, received - 1)}`);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(registryErrorBody(code, message));
}

/** Errors no route caught (a hook's, a body parser's) answered as the registry's, with the status of their code: never Fastify's own 500. */
export function ociErrorHandler(fastify: FastifyInstance): void {
  fastify.setErrorHandler((err, request, reply) => sendOciError(request, reply, err));
}

export async function ociPlugin(fastify: FastifyInstance, options: OciPluginOptions): Promise<void> {
  const settings = resolveOciSettings(options);
  const clock = options.clock ?? (() => new Date());
  const gate = options.gate;
  const hosted = options.hosted === undefined ? null : hostedBackend({ store: options.hosted.store, blobs: options.blobs, clock, deletes: options.hosted.deletes, uploadGraceMs: options.hosted.uploadGraceMs }, settings);
  const images: ImageBackend =
    hosted?.backend ??
    proxyBackend({ upstream: options.upstream as Upstream, gate, documents: options.store, blobs: options.blobs, clock, metrics: options.metrics, log: fastify.log }, settings);
  const push = hosted?.push ?? null;
  const { catalog, blobs } = images;
  const root = options.sigstoreRoot ?? publicGoodTrustedRoot();
  const keys = options.cosignKeys ?? [];
  const signatures = new SignatureFinder({
    catalog,
    blobs,
    referrers: images.referrers,
    trust: () => ({ sigstoreRoot: typeof root === 'function' ? root() : root, keys }),
    generation: () => gate.generation(),
    clock,
  });
  const scans = new ModelScans({ blobs: options.blobs, pool: options.scanPool }, DEFAULT_MODEL_SCAN, Math.max(256 * 1024, Math.floor(settings.cacheBytes / 8)));
  const admission = new Admission({ repo: settings.repo, gate, catalog, blobs, signatures: (m) => signatures.check(m), scanModel: (digest, size, path) => scans.scan(digest as Sha256Digest, size, path), clock }, Math.floor(settings.cacheBytes / 2));
  options.metrics?.watchCaches(settings.repo, () => ({ ...images.caches(), ...admission.caches() }));
  fastify.addHook('onClose', async () => {
    await images.close();
  });
  options.sources?.register(
    ociPackageSource({ repo: settings.repo, namespace: options.defaultNamespace ?? null, images, admission, reportMissing: (name, request) => gate.reportMissing('oci', name, request) }),
  );
  if (push !== null) {
    // Uploads stream their bodies into the blob store, and a manifest is read under its own bound.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  }

  async function manifest(request: FastifyRequest, reply: FastifyReply, target: Extract<Target, { kind: 'manifest' }>, at: ServedAt): Promise<FastifyReply> {
    const ctx = requestContextOf(request);
    let m;
    try {
      m = await catalog.manifest(target.name, target.reference);
    } catch (err) {
      if (images.reportsMissing && at.reportsMissing && isAirlockError(err, 'UPSTREAM_NOT_FOUND') && err.details['ociCode'] === 'NAME_UNKNOWN') await gate.reportMissing('oci', target.name, ctx);
      throw err;
    }
    const accept = request.headers.accept;
    if (!accepts(accept, m.mediaType)) {
      throw new AirlockError('UPSTREAM_NOT_FOUND', `${referenceLabel(target.name, target.reference)} is a ${m.mediaType}, which the request's Accept header does not list`, { details: { ociCode: 'MANIFEST_UNKNOWN' } });
    }
    const headers = { ...API_VERSION, 'content-type': m.mediaType, 'docker-content-digest': m.digest, etag: `"${m.digest}"`, 'cache-control': 'no-cache' };
    // A HEAD resolves a tag to its digest (docker and containerd ask that way, then GET by
    // digest): it is answered from the manifest, and the GET that follows is judged.
    if (request.method === 'HEAD') return reply.headers({ ...headers, 'content-length': String(m.bytes.length) }).send();
    const asked = target.reference.kind === 'tag' ? { tag: target.reference.tag, sightings: await images.sightings(m.name, target.reference.tag, m.digest) } : null;
    const outcome = await admission.admit(m, asked, ctx);
    if (outcome.kind === 'refuse') return sendOciError(request, reply, outcome.error, 'manifest');
    if (outcome.warnings.length > 0) reply.header('warning', warningHeader(outcome.warnings));
    if (etagMatches(request.headers['if-none-match'], headers.etag)) return reply.code(304).headers(headers).send();
    return reply.headers({ ...headers, 'content-length': String(m.bytes.length) }).send(m.bytes);
  }

  async function blob(request: FastifyRequest, reply: FastifyReply, target: Extract<Target, { kind: 'blob' }>): Promise<FastifyReply> {
    const ctx = requestContextOf(request);
    const headers = { ...API_VERSION, 'docker-content-digest': target.digest, etag: `"${target.digest}"`, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'cache-control': 'max-age=31536000, immutable' };
    const part = admission.partOf(target.name, target.digest);
    // The image it was admitted as part of may have been deleted since (a hosted repository's): then it is no image's part.
    const owner = part === undefined ? null : await catalog.optional(target.name, { kind: 'digest', digest: part.owner });
    if (part === undefined || owner === null) {
      // A pushing client asks whether the image repository has a blob already (a HEAD): it is told, and given nothing.
      const own = request.method === 'HEAD' ? await images.ownBlob(target.name, target.digest) : null;
      if (own !== null) return reply.headers({ ...headers, 'content-length': String(own) }).send();
      throw new AirlockError('NOT_FOUND', `${target.name}: Airlock serves the blob ${target.digest} only as part of an image it has admitted; pull the image (its tag or digest) first`, { details: { ociCode: 'BLOB_UNKNOWN' } });
    }
    const admitted = await admission.admit(owner, part.asked, ctx);
    if (admitted.kind === 'refuse') return sendOciError(request, reply, admitted.error, 'blob');
    const layer = owner.manifest.kind === 'manifest' ? owner.manifest.layers.find((l) => l.digest === target.digest) : undefined;
    // A HEAD is answered from what is known; the GET that follows judges a model layer first.
    const outcome = layer === undefined || request.method === 'HEAD' ? admitted : await admission.admitLayer(owner, layer, ctx);
    if (outcome.kind === 'refuse') return sendOciError(request, reply, outcome.error, 'blob');
    if (outcome.warnings.length > 0) reply.header('warning', warningHeader(outcome.warnings));
    if (request.method === 'HEAD') return reply.headers({ ...headers, 'content-length': String(part.size) }).send();
    await blobs.ingest(target.name, target.digest, part.size, { purl: imagePurl(owner.name, owner.digest), name: owner.name, version: owner.digest });
    options.artifactUse?.note(target.digest as Sha256Digest);
    if (etagMatches(request.headers['if-none-match'], headers.etag)) return reply.code(304).headers(headers).send();
    const range = parseByteRange(request.headers.range, part.size);
    if (range === 'unsatisfiable') return reply.code(416).headers({ ...headers, 'content-range': `bytes */${part.size}` }).send();
    if (range === null) return reply.headers({ ...headers, 'content-length': String(part.size) }).send(await blobs.open(target.digest, null));
    return reply
      .code(206)
      .headers({ ...headers, 'content-range': `bytes ${range.start}-${range.end}/${part.size}`, 'content-length': String(range.end - range.start + 1) })
      .send(await blobs.open(target.digest, range));
  }

  async function tagList(request: FastifyRequest, reply: FastifyReply, name: string, query: URLSearchParams, at: ServedAt): Promise<FastifyReply> {
    const page = await images.tags(request, name, query, at);
    if (page.next !== null) reply.header('link', page.next);
    return reply.headers({ ...API_VERSION, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }).send(JSON.stringify({ name, tags: page.tags }));
  }

  async function referrers(request: FastifyRequest, reply: FastifyReply, name: string, digest: string, query: URLSearchParams): Promise<FastifyReply> {
    let list = await images.referrers.referrers(name, digest);
    const type = query.get('artifactType');
    if (type !== null) {
      list = list.filter((d) => d.artifactType === type);
      reply.header('oci-filters-applied', 'artifactType');
    }
    const index = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: list.map(descriptorJson) };
    // A Buffer: Fastify adds a charset to a string's type, and the type is the index's media type exactly.
    return reply.headers({ ...API_VERSION, 'content-type': MEDIA.ociIndex, 'cache-control': 'no-cache' }).send(Buffer.from(JSON.stringify(index)));
  }

  /** What a request asks for, and its query. */
  function targetOf(request: FastifyRequest): { readonly target: Target; readonly query: URLSearchParams } {
    const { path, query } = rawTarget(request, fastify.prefix);
    return { target: inNamespace(parseTarget(path), options.defaultNamespace ?? null), query };
  }

  /** A GET or HEAD, served at the repository's own URL or a group's (its target in this repository's namespace). */
  async function read(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams, at: ServedAt): Promise<FastifyReply> {
    switch (target.kind) {
      case 'manifest':
        return manifest(request, reply, target, at);
      case 'blob':
        return blob(request, reply, target);
      case 'tags':
        return tagList(request, reply, target.name, query, at);
      case 'referrers':
        return referrers(request, reply, target.name, target.digest, query);
      case 'upload':
        if (push === null || request.method !== 'GET') throw pushRefused(settings.repo);
        return push.handle(request, reply, target, query, at.prefix);
    }
  }

  function write(request: FastifyRequest, reply: FastifyReply, target: Target, query: URLSearchParams, prefix: string): Promise<FastifyReply> {
    if (push === null) throw pushRefused(settings.repo);
    return push.handle(request, reply, target, query, prefix);
  }

  const own: ServedAt = { prefix: fastify.prefix, reportsMissing: true };
  ociErrorHandler(fastify);
  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      let kind: Target['kind'] | null = null;
      try {
        const { target, query } = targetOf(request);
        kind = target.kind;
        return await read(request, reply, target, query, own);
      } catch (err) {
        return sendOciError(request, reply, err, kind);
      }
    },
  });
  fastify.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      let kind: Target['kind'] | null = null;
      try {
        if (push === null) throw pushRefused(settings.repo);
        const { target, query } = targetOf(request);
        kind = target.kind;
        return await write(request, reply, target, query, fastify.prefix);
      } catch (err) {
        // The body a refused write did not read is drained, so the connection can be used again.
        if (request.body instanceof Readable) request.body.resume();
        return sendOciError(request, reply, err, kind);
      }
    },
  });
  const namespace = options.defaultNamespace ?? null;
  options.expose?.({
    repo: settings.repo,
    kind: hosted === null ? 'proxy' : 'hosted',
    maxAgeMs: settings.metadataMaxAgeMs,
    has: (name) => images.has(inNamespace({ kind: 'tags', name }, namespace).name),
    read: (request, reply, target, query, prefix) => read(request, reply, inNamespace(target, namespace), query, { prefix, reportsMissing: false }),
    write: async (request, reply, target, query, prefix) => write(request, reply, inNamespace(target, namespace), query, prefix),
    names: () => hosted?.images.names() ?? null,
    onWrite: (listener) => hosted?.images.onWrite(listener),
  });
}

/** The target with a one-component name put in the default namespace (`alpine` → `library/alpine`), as the upstream names it. */
function inNamespace(target: Target, namespace: string | null): Target {
  const name = nameInNamespace(target.name, namespace);
  return name === target.name ? target : { ...target, name };
}

/** The policy's warnings as a `Warning` header (distribution-spec: `299 - "<text>"`), which clients log. */
function warningHeader(warnings: readonly string[]): string {
  return `299 - "Airlock: ${asciiLine(warnings.join('; '), MAX_WARNING_CHARS).replace(/["\\]/g, "'")}"`;
}

function pushRefused(repo: string): AirlockError {
  return new AirlockError('FORBIDDEN', `${repo} is a proxy of an upstream registry: Airlock takes no pushes, deletes or uploads to it`, { details: { ociCode: 'UNSUPPORTED' } });
}

function descriptorJson(d: Descriptor): Record<string, unknown> {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType === null ? {} : { artifactType: d.artifactType }),
    ...(Object.keys(d.annotations).length === 0 ? {} : { annotations: d.annotations }),
    ...(d.platform === null ? {} : { platform: { os: d.platform.os, architecture: d.platform.architecture, ...(d.platform.variant === null ? {} : { variant: d.platform.variant }) } }),
  };
}
