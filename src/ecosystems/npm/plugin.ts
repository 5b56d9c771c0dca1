/**
 * The npm repository as a Fastify plugin, mounted under `/<repo>/` by the composition root.
 * Routing is done here on the raw path (scoped-name encodings defeat a pattern router); the
 * services do the work; errors are rendered by `wire-errors.ts` only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import semver from 'semver';
import { createGunzip } from 'node:zlib';
import { AirlockError, assertNever, isAirlockError, ownMember, Semaphore, type Admission, type NpmPackageName } from '../../core/index.ts';
import { requestContextOf, requirePackageInScope, requireRepositoryInScope, requireRole, type Identity } from '../../gate/identity.ts';
import { auditAdmission, bulkAdvisory, mergeBulk, MAX_AUDIT_REQUEST, readAuditJson, readBulkRequest, upstreamAuditJson } from './audit.ts';
import { auditReport, installedNodes, mergeReports } from './audit-report.ts';
import { auditTurns } from './audit-turns.ts';
import { ArtifactService } from './artifact-service.ts';
import { etagMatches, requesterKey } from '../shared/http.ts';
import { DocumentSource } from '../shared/document-source.ts';
import { HostedPublisher, type Publisher } from './hosted/publisher.ts';
import { publisherOf, requireUnpublishRight } from '../shared/hosted-write.ts';
import { MetadataService, renderKey, type Variant } from './metadata-service.ts';
import { Negotiation } from './negotiate.ts';
import { resolveNpmSettings, type NpmPluginOptions, type NpmSettings } from './options.ts';
import type { Rendering } from './package-view.ts';
import { npmPackageSource } from './package-source.ts';
import { parseNpmPath, type NpmRoute } from './routes.ts';
import { gateHits, MAX_SEARCH_BODY, parseSearchAnswer, parseSearchQuery, upstreamSearchPath, type SearchResults } from './search.ts';
import { sendOwnedStream } from '../shared/send-stream.ts';
import { attestationsKey, attestationsPath } from './urls.ts';
import { npmWireError } from './wire-errors.ts';
import type { DocumentResult } from '../../upstream/index.ts';
import { repositoryUrl } from '../shared/base-url.ts';

export { repositoryUrl } from '../shared/base-url.ts';

/**
 * The chunks a rendering is inflated in for a client that does not take gzip: what such a
 * request holds while its client reads (inflating it whole held the whole body per request).
 */
const INFLATE_CHUNK = 64 * 1024;
const YEAR_SECONDS = 365 * 24 * 3600;
const MAX_AUDIT_BODY = MAX_AUDIT_REQUEST;
/**
 * Packages loaded and judged for search results at once, across all searches: one search names
 * up to 100 packages, so searches in parallel would otherwise multiply the upstream fetches and
 * gate work a single request can cause. Installs do not wait for it.
 */
const SEARCH_LOAD_WIDTH = 4;

interface Services {
  readonly settings: NpmSettings;
  readonly metadata: MetadataService;
  readonly artifacts: ArtifactService;
  readonly documents: DocumentSource;
  readonly immutableDocuments: DocumentSource;
  readonly options: NpmPluginOptions;
  readonly negotiation: Negotiation;
  readonly metadataCacheControl: string;
  readonly prefix: string;
  readonly searchLoads: Semaphore;
  /** A hosted repository's writer; null for a proxy (read-only). */
  readonly publisher: HostedPublisher | null;
  /** Told of each package name written to the hosted repository (groups it is a member of). */
  readonly written: ((name: string) => void)[];
}

function buildServices(fastify: FastifyInstance, options: NpmPluginOptions): Services {
  const settings = resolveNpmSettings(options);
  const clock = options.clock ?? (() => new Date());
  const sourceDeps = { repo: settings.repo, upstream: options.upstream, documents: options.store, blobs: options.blobs, clock, metrics: options.metrics, log: fastify.log };
  const documents = new DocumentSource(sourceDeps, {
    freshness: { maxAgeMs: settings.metadataMaxAgeMs, staleIfErrorMs: settings.staleIfErrorMs },
    maxBytes: settings.maxMetadataBytes,
  });
  const immutableDocuments = new DocumentSource(sourceDeps, {
    freshness: { maxAgeMs: YEAR_SECONDS * 1000, staleIfErrorMs: YEAR_SECONDS * 1000 },
    maxBytes: settings.maxMetadataBytes,
  });
  const metadata = new MetadataService({ gate: options.gate, source: documents, clock, metrics: options.metrics, log: fastify.log }, settings);
  const artifacts = new ArtifactService(
    { gate: options.gate, blobs: options.blobs, index: options.store, upstream: options.upstream, metadata, attestations: immutableDocuments, clock, metrics: options.metrics, log: fastify.log },
    settings,
  );
  options.metrics?.watchCaches(settings.repo, () => ({ ...metadata.caches(), ...artifacts.caches() }));
  options.sources?.register(npmPackageSource(settings.repo, metadata, artifacts, settings.blockedVersions === 'show'));
  const hosted = options.hosted;
  const written: ((name: string) => void)[] = [];
  const publisher =
    hosted === undefined
      ? null
      : new HostedPublisher(
          {
            repo: settings.repo,
            store: hosted,
            blobs: options.blobs,
            clock,
            changed: async (name) => {
              // Read again at once; a package whose every version was unpublished is gone (and its state with it).
              // The writer names the package it was given: an npm name.
              await metadata.refresh(name as NpmPackageName).catch((err: unknown) => {
                if (!isAirlockError(err, 'UPSTREAM_NOT_FOUND')) throw err;
              });
              for (const listener of written) listener(name);
              await options.published?.(name);
            },
          },
          { maxTarballBytes: settings.maxArtifactBytes, maxDocumentBytes: settings.maxMetadataBytes },
        );
  const maxAge = settings.clientMaxAgeSeconds;
  return {
    settings,
    metadata,
    artifacts,
    documents,
    immutableDocuments,
    options,
    negotiation: new Negotiation(),
    metadataCacheControl: maxAge === 0 ? 'no-cache' : `public, max-age=${Math.floor(maxAge)}`,
    prefix: fastify.prefix,
    searchLoads: new Semaphore(SEARCH_LOAD_WIDTH),
    publisher,
    written,
  };
}

/** The request's query string, without `?` ('' for none). */
export function queryOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? '' : request.url.slice(q + 1);
}

/** A route's path below a repository's prefix. */
export function routeBelow(prefix: string, request: FastifyRequest): NpmRoute {
  const url = request.url;
  const q = url.indexOf('?');
  return parseNpmPath(url.slice(prefix.length, q === -1 ? undefined : q), request.method);
}

/** Synchronous for a compressed answer (the hot path): no promise is made for it. */
function sendRendering(s: Services, request: FastifyRequest, reply: FastifyReply, r: Rendering): FastifyReply | Promise<FastifyReply> {
  reply.headers({ 'content-type': r.contentType, etag: r.etag, vary: 'Accept, Accept-Encoding', 'cache-control': s.metadataCacheControl });
  if (etagMatches(request.headers['if-none-match'], r.etag)) return reply.code(304).send();
  if (s.negotiation.acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(r.gzip);
  // Inflated as the client takes it, never whole: a request without Accept-Encoding costs a few
  // bytes to send, and one that did not read its answer held the whole body, 9.5 MiB for a 5 MiB
  // packument (100 such requests: 950 MiB more resident memory), up to `maxMetadataSize` each.
  reply.header('content-length', r.size);
  if (request.method === 'HEAD') return reply.send();
  const inflate = createGunzip({ chunkSize: INFLATE_CHUNK });
  inflate.end(r.gzip);
  return sendOwnedStream(reply, inflate);
}

/** A cached rendering is sent at once, without a promise of its own (see `sendRendering`). */
function packument(s: Services, request: FastifyRequest, reply: FastifyReply, route: Extract<NpmRoute, { kind: 'packument' }>, base: string): FastifyReply | Promise<FastifyReply> {
  const variant: Variant = s.negotiation.wantsAbbreviated(request.headers.accept) ? 'abbreviated' : 'full';
  const cached = s.metadata.cachedRendering(route.name, renderKey(variant, base));
  if (cached !== null) {
    s.options.metrics?.cache(s.settings.repo, 'metadata', 'hit');
    return sendRendering(s, request, reply, cached);
  }
  s.options.metrics?.cache(s.settings.repo, 'metadata', 'miss');
  return s.metadata.rendering(route.name, variant, base, requestContextOf(request)).then((r) => sendRendering(s, request, reply, r));
}

async function tarball(s: Services, request: FastifyRequest, reply: FastifyReply, route: Extract<NpmRoute, { kind: 'tarball' }>): Promise<FastifyReply> {
  const ctx = requestContextOf(request);
  const outcome = s.artifacts.cached(route.name, route.filename, requesterKey(ctx)) ?? (await s.artifacts.resolve(route.name, route.filename, ctx));
  if (outcome.kind === 'refuse') throw outcome.error;
  s.options.artifactUse?.note(outcome.blob);
  reply.headers({
    'content-type': 'application/octet-stream',
    etag: outcome.etag,
    'cache-control': `public, max-age=${YEAR_SECONDS}, immutable`,
  });
  if (etagMatches(request.headers['if-none-match'], outcome.etag)) return reply.code(304).send();
  reply.header('content-length', outcome.size);
  if (request.method === 'HEAD') return reply.send();
  const body = await s.artifacts.open(route.name, route.filename, outcome, ctx);
  return Buffer.isBuffer(body) ? reply.send(body) : sendOwnedStream(reply, body);
}

async function versionDocument(s: Services, request: FastifyRequest, reply: FastifyReply, route: Extract<NpmRoute, { kind: 'version' }>, base: string): Promise<FastifyReply> {
  const ctx = requestContextOf(request);
  let version = route.spec;
  if (semver.valid(version) === null) {
    const { view } = await s.metadata.view(route.name, ctx);
    const tagged = ownMember(view.distTags, route.spec);
    if (tagged === undefined) throw new AirlockError('NOT_FOUND', `${route.name} has no version or dist-tag ${JSON.stringify(route.spec.slice(0, 64))}`);
    version = tagged;
  }
  const body = await s.metadata.versionDocument(route.name, version, base, ctx);
  if (body === null) throw new AirlockError('NOT_FOUND', `version not found: ${route.name}@${version}`);
  return reply.headers({ 'content-type': 'application/json', 'cache-control': s.metadataCacheControl }).send(body);
}

async function passThroughDocument(s: Services, reply: FastifyReply, key: string, path: string, immutable: boolean): Promise<FastifyReply> {
  const source = immutable ? s.immutableDocuments : s.documents;
  const doc = await source.get(key, { path, accept: 'application/json' });
  const body = await source.bytes(doc);
  return reply
    .headers({ 'content-type': doc.contentType, 'cache-control': immutable ? `public, max-age=${YEAR_SECONDS}, immutable` : s.metadataCacheControl })
    .send(body);
}

/**
 * The audit endpoints go to the upstream, and carry the imported vulnerability advisories too:
 * `npm audit`'s bulk advisories (audit.ts) and the legacy audits of pnpm and yarn 1
 * (audit-report.ts), added to the upstream's answer, or on their own when the upstream has no
 * audit endpoint and advisories were imported.
 */
async function audit(s: Services, request: FastifyRequest, reply: FastifyReply, route: Extract<NpmRoute, { kind: 'audit' }>): Promise<FastifyReply> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const headers: Record<string, string> = { 'content-type': request.headers['content-type'] ?? 'application/json' };
  const encoding = typeof request.headers['content-encoding'] === 'string' ? request.headers['content-encoding'] : undefined;
  if (encoding !== undefined) headers['content-encoding'] = encoding;
  const advisories = s.options.advisories ?? null;
  // Read before anything is forwarded: a request Airlock cannot read is refused, not passed on.
  const asked =
    advisories === null
      ? null
      : route.endpoint === 'advisories/bulk'
        ? { kind: 'bulk' as const, versions: await readBulkRequest(body, encoding) }
        : { kind: 'tree' as const, installed: installedNodes(await readAuditJson(body, encoding, 'an npm lockfile tree')) };
  const forwarded = s.options.upstream.forward(`-/npm/v1/security/${route.endpoint}`, 'POST', body, { headers, maxBytes: MAX_AUDIT_BODY });
  if (advisories === null || asked === null) {
    const res = await forwarded;
    if (res.status >= 200 && res.status < 300) return reply.code(res.status).type(res.contentType ?? 'application/json').send(res.body);
    throw new AirlockError('NOT_FOUND', `security audit is not available through Airlock: the upstream answered ${res.status} to ${route.endpoint}`);
  }
  // Without the upstream (no audit endpoint, a hosted repository's store, unreachable), the imported advisories answer alone.
  let upstream: Record<string, unknown> | null = null;
  let why: string;
  try {
    const res = await forwarded;
    const got = res.status >= 200 && res.status < 300 ? upstreamAuditJson(res.body) : null;
    if (typeof got === 'string') why = `the upstream answered ${res.status} with ${got}`;
    else {
      upstream = got;
      why = `the upstream answered ${res.status}`;
    }
  } catch (err) {
    why = `the upstream failed (${isAirlockError(err) ? err.message : String(err)})`;
  }
  if (upstream === null && !(await advisories.imported())) {
    throw new AirlockError('NOT_FOUND', `security audit is not available through Airlock: ${why} to ${route.endpoint}, and no vulnerability advisories are imported (airlock feeds import)`);
  }
  if (asked.kind === 'tree') {
    const names = [...new Set(asked.installed.map((n) => n.name))];
    const report = auditReport(asked.installed, await advisories.of('npm', names));
    return reply.code(200).type('application/json').send(JSON.stringify(mergeReports(upstream, report)));
  }
  const imported = await advisories.of('npm', [...asked.versions.keys()]);
  const merged = mergeBulk(upstream, new Map([...imported].map(([name, records]) => [name, records.map(bulkAdvisory).filter((a) => a !== null)])));
  return reply.code(200).type('application/json').send(JSON.stringify(merged));
}

/**
 * `npm search`: the upstream's results through the gate (search.ts). An upstream without a search
 * endpoint is named as the reason, as for the audit endpoints.
 */
async function search(s: Services, request: FastifyRequest, reply: FastifyReply, query: string): Promise<FastifyReply> {
  const answer = await searchAnswer(s, request, query);
  return reply.headers({ 'content-type': 'application/json', 'cache-control': 'no-cache' }).send(answer);
}

/** A search's results through the gate (see `search`). */
async function searchAnswer(s: Services, request: FastifyRequest, query: string): Promise<SearchResults> {
  const q = parseSearchQuery(query);
  const ctx = requestContextOf(request);
  let res: DocumentResult;
  try {
    res = await s.options.upstream.fetchDocument(upstreamSearchPath(q), { accept: 'application/json', maxBytes: MAX_SEARCH_BODY });
  } catch (err) {
    if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) throw new AirlockError('NOT_FOUND', 'search is not available through Airlock: the upstream has no search endpoint (it answered 404)', { cause: err });
    throw err;
  }
  if (res.kind !== 'fresh') throw new AirlockError('UPSTREAM_BAD_RESPONSE', 'the upstream answered an unconditional search with 304');
  const answer = parseSearchAnswer(res.body, q.size);
  const { objects, withheld } = await gateHits(answer.hits, (name) =>
    s.searchLoads.run(async () => {
      const { state, view } = await s.metadata.view(name, ctx, { asked: false });
      const version = view.distTags['latest'];
      return version === undefined ? null : { version, date: state.index.time[version] ?? null };
    }),
  );
  if (withheld + answer.malformed > 0) request.log.info({ text: q.text, withheld, malformed: answer.malformed }, 'search results left out');
  return { objects, total: answer.total, time: answer.time ?? (s.options.clock ?? (() => new Date()))().toISOString() };
}

function isUnpublish(route: NpmRoute): boolean {
  return route.kind === 'unpublish' || route.kind === 'unpublish-version' || route.kind === 'unpublish-file';
}

/**
 * Who makes a write: a publisher, and for an unpublish whoever the repository's rule names; a
 * scoped token only to a repository and a package its scope names (through a group too: this is
 * the repository written to).
 */
function writerOf(s: Services, identity: Identity, route: HostedWrite): Publisher {
  const who = publisherOf(identity);
  requireRepositoryInScope(identity, s.settings.repo);
  requirePackageInScope(identity, route.name);
  if (isUnpublish(route)) requireUnpublishRight(s.settings.unpublish, identity, s.settings.repo, 'unpublishing from', '; deprecate the version instead');
  return who;
}

/** A write to a hosted repository, or the refusal a proxy gives every write. */
async function write(s: Services, request: FastifyRequest, reply: FastifyReply, route: HostedWrite): Promise<FastifyReply> {
  if (s.publisher === null) return refuseWrite(reply, writeName(route));
  const who = writerOf(s, request.identity, route);
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  reply.header('cache-control', 'no-store');
  switch (route.kind) {
    case 'publish': {
      const { kind, rev } = await s.publisher.put(route.name, body, who);
      request.log.info({ package: route.name, rev, by: who.actor }, kind === 'publish' ? 'package published' : 'deprecation messages changed');
      return reply.code(kind === 'publish' ? 201 : 200).send({ ok: true, id: route.name, rev: String(rev) });
    }
    case 'dist-tag-set':
      await s.publisher.setTag(route.name, route.tag, body, who);
      return reply.code(201).send({ ok: true });
    case 'dist-tag-remove':
      await s.publisher.removeTag(route.name, route.tag, who);
      return reply.send({ ok: true });
    case 'unpublish-version': {
      const version = await s.publisher.unpublishVersion(route.name, route.rev, body, who);
      request.log.info({ package: route.name, version, by: who.actor }, 'version unpublished');
      return reply.send({ ok: true, id: route.name });
    }
    case 'unpublish': {
      const versions = await s.publisher.unpublishPackage(route.name, route.rev, who);
      request.log.info({ package: route.name, versions: versions.length, by: who.actor }, 'package unpublished');
      return reply.send({ ok: true, id: route.name });
    }
    case 'unpublish-file':
      await s.publisher.unpublishFile(route.name, route.filename);
      return reply.send({ ok: true, id: route.name });
    default:
      return assertNever(route, 'npm write');
  }
}

function refuseWrite(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(405).header('cache-control', 'no-store').send({ error: `${what} is not supported by this Airlock repository (a read-only, policy-gated proxy)` });
}

/** What a write does, as a refusal names it. */
export function writeName(route: HostedWrite): string {
  return route.kind === 'publish' ? 'publishing' : isUnpublish(route) ? 'unpublishing' : 'changing dist-tags';
}

export type HostedWrite = Extract<NpmRoute, { kind: 'publish' | 'dist-tag-set' | 'dist-tag-remove' | 'unpublish' | 'unpublish-version' | 'unpublish-file' }>;

/** Whether this route writes to a hosted repository (the writer's role is checked before its body is read). */
export function isHostedWrite(route: NpmRoute): route is HostedWrite {
  return route.kind === 'publish' || route.kind === 'dist-tag-set' || route.kind === 'dist-tag-remove' || isUnpublish(route);
}

/** `?write=true` on a packument read: what npm deprecate and npm unpublish ask for before they write. */
export function wantsWritable(request: FastifyRequest): boolean {
  const query = queryOf(request);
  return query !== '' && new URLSearchParams(query).get('write') === 'true';
}

/**
 * A hosted packument asked for with `?write=true` by someone who may write to it: as stored,
 * with its `_rev`, not judged (see `HostedPublisher.writable`). Null for anyone else, who gets
 * what everyone gets. The body, not a sent reply: a reply is a thenable that an async function's
 * promise takes the place of, so a caller awaiting one gets undefined (and rendered the packument
 * again after the answer had gone, logging "Reply was already sent").
 */
async function writablePackument(s: Services, request: FastifyRequest, route: Extract<NpmRoute, { kind: 'packument' }>, base: string): Promise<Buffer | null> {
  if (s.publisher === null || !wantsWritable(request)) return null;
  try {
    // Whoever could publish this package here.
    writerOf(s, request.identity, { kind: 'publish', name: route.name });
  } catch {
    return null;
  }
  return s.publisher.writable(route.name, base);
}

/** Serves a parsed route; `base` is where the URLs in what is served point (asked only by routes that need it). */
async function serve(s: Services, request: FastifyRequest, reply: FastifyReply, route: NpmRoute, base: () => string): Promise<FastifyReply> {
  if (isHostedWrite(route)) return write(s, request, reply, route);
  switch (route.kind) {
    case 'packument': {
      // Only a hosted repository has a writable packument: a proxy's read awaits nothing here.
      const writable = s.publisher === null ? null : await writablePackument(s, request, route, base());
      if (writable !== null) return reply.headers({ 'content-type': 'application/json', 'cache-control': 'no-store' }).send(writable);
      return packument(s, request, reply, route, base());
    }
    case 'tarball':
      return tarball(s, request, reply, route);
    case 'version':
      return versionDocument(s, request, reply, route, base());
    case 'dist-tags': {
      const { view } = await s.metadata.view(route.name, requestContextOf(request));
      return reply.header('cache-control', s.metadataCacheControl).send(view.distTags);
    }
    case 'ping':
      return reply.send({});
    case 'keys':
      return passThroughDocument(s, reply, 'npm-keys', '-/npm/v1/keys', false);
    case 'attestations':
      return passThroughDocument(s, reply, attestationsKey(route.name, route.version), attestationsPath(route.name, route.version), true);
    case 'whoami': {
      const id = request.identity;
      if (id === null || id === undefined || id.kind === 'anonymous') throw new AirlockError('UNAUTHORIZED', 'not logged in: no token was sent');
      return reply.send({ username: id.label === '' ? id.tokenId : id.label });
    }
    case 'audit':
      return audit(s, request, reply, route);
    case 'search':
      return search(s, request, reply, queryOf(request));
    case 'unsupported':
      return s.publisher === null
        ? refuseWrite(reply, route.what)
        : reply.code(405).header('cache-control', 'no-store').send({ error: `${route.what} is not supported by this hosted repository: published versions never change` });
    case 'unknown':
      throw new AirlockError('NOT_FOUND', `not found: ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`);
    default:
      return assertNever(route, 'npm route');
  }
}

/** The npm wire format for a repository's scope: errors as npm prints them, bodies read as bytes. */
export function npmWire(fastify: FastifyInstance): void {
  fastify.setErrorHandler((err, request, reply) => {
    const w = npmWireError(err, String(request.id), request.raw);
    if (w.serious) request.log.error({ err }, 'npm request failed');
    else request.log.info({ err: err instanceof Error ? err.message : String(err), status: w.status }, 'npm request refused');
    return reply.code(w.status).type('application/json').header('cache-control', 'no-store').send(w.body);
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_AUDIT_BODY }, (_req, body, done) => done(null, body));
}

/**
 * The routes of an npm repository's URL space, served by `serveRoute`. Writes are answered before
 * any body is read: every write but the ones the repository takes is refused at once, and for
 * those `authorizeWrite` checks the publisher first. Publish bodies carry the tarball (base64):
 * the limit follows the largest tarball the repository takes.
 */
export function npmRoutes(
  fastify: FastifyInstance,
  how: {
    readonly serveRoute: (request: FastifyRequest, reply: FastifyReply, route: NpmRoute) => Promise<FastifyReply>;
    /** The writer's body limit, or null when the repository takes no writes. */
    readonly maxWriteBytes: number | null;
    /** Checks the publisher before the body of a write the repository takes; false: the write is refused at once. */
    readonly authorizeWrite: (request: FastifyRequest, route: NpmRoute) => boolean;
    /** Audits at work and waiting (`auditAdmission`), taken before an audit's body is read. */
    readonly audits: Admission;
  },
): void {
  const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => how.serveRoute(request, reply, routeBelow(fastify.prefix, request));
  fastify.route({ method: ['GET', 'HEAD'], url: '/*', handler, exposeHeadRoute: false });
  const audits = auditTurns(how.audits);
  fastify.route({ method: 'POST', url: '/-/npm/v1/security/*', onRequest: audits.take, handler: (request, reply) => audits.run(request, () => handler(request, reply)) });
  fastify.route({
    method: ['PUT', 'POST', 'DELETE', 'PATCH'],
    url: '/*',
    bodyLimit: how.maxWriteBytes === null ? MAX_AUDIT_BODY : Math.max(MAX_AUDIT_BODY, how.maxWriteBytes),
    onRequest: async (request, reply) => {
      const route = routeBelow(fastify.prefix, request);
      if (!how.authorizeWrite(request, route)) await how.serveRoute(request, reply, route);
    },
    handler,
  });
}

export async function npmPlugin(fastify: FastifyInstance, options: NpmPluginOptions): Promise<void> {
  const s = buildServices(fastify, options);
  fastify.addHook('onClose', async () => {
    await Promise.all([s.documents.flush(), s.immutableDocuments.flush()]);
  });
  npmWire(fastify);
  const publisher = s.publisher;
  const authorizeWrite = (request: FastifyRequest, route: NpmRoute): boolean => {
    if (publisher === null || !isHostedWrite(route)) return false;
    writerOf(s, request.identity, route);
    return true;
  };
  npmRoutes(fastify, {
    serveRoute: (request, reply, route) => serve(s, request, reply, route, () => repositoryUrl(s.settings.publicUrl, s.settings.repo, s.prefix, request)),
    maxWriteBytes: publisher?.maxBodyBytes ?? null,
    authorizeWrite,
    audits: options.audits ?? auditAdmission(),
  });
  options.expose?.({
    repo: s.settings.repo,
    kind: publisher === null ? 'proxy' : 'hosted',
    maxAgeMs: s.settings.metadataMaxAgeMs,
    maxWriteBytes: publisher?.maxBodyBytes ?? null,
    async has(name) {
      // A hosted repository has every name ever published to it, unpublished ones too: the
      // group must not hand a name its owner unpublished to the next member.
      if (options.hosted !== undefined) return (await options.hosted.getHostedPackage(s.settings.repo, name)) !== null;
      try {
        await s.metadata.state(name);
        return true;
      } catch (err) {
        if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) return false;
        throw err;
      }
    },
    serve: (request, reply, route, base) => serve(s, request, reply, route, () => base),
    search: (request, query) => searchAnswer(s, request, query),
    authorizeWrite,
    onWrite: (listener) => {
      s.written.push(listener);
    },
  });
}
