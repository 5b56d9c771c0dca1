/**
 * The pypi repository as a Fastify plugin, mounted under `/<repo>/` by the composition root: the
 * simple API (PEP 503 HTML and PEP 691 JSON, negotiated) at `simple/<project>/`, and the files it
 * links at `files/<project>/<sha256>/<filename>` (with their PEP 658 `.metadata`).
 *
 * pip shows nothing of an index page's error, and only the HTTP reason phrase of a file's
 * (pypi.md §9): withheld versions are left off the page (or listed as yanked with the reason),
 * and a refused file answers 403 with the whole message in its reason phrase.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, isAirlockError, pep503Form, type PypiProjectName } from '../../core/index.ts';
import { requestContextOf, requirePackageInScope, requireRepositoryInScope } from '../../gate/identity.ts';
import { repositoryUrl } from '../shared/base-url.ts';
import { DocumentSource } from '../shared/document-source.ts';
import { publisherOf, requireUnpublishRight } from '../shared/hosted-write.ts';
import { etagMatches } from '../shared/http.ts';
import { readCapped } from '../../upstream/index.ts';
import { GzipNegotiation } from '../shared/negotiate.ts';
import { DistService } from './dist-service.ts';
import { PypiReleases, yankReason, type ReleaseChange } from './hosted/releases.ts';
import { PypiUploads } from './hosted/uploads.ts';
import { resolvePypiSettings, type PypiPluginOptions } from './options.ts';
import { pypiPackageSource } from './package-source.ts';
import { ProjectService } from './project-service.ts';
import { pypiRoutes, sendError, sendRoot, type FileRoute, type ReleaseRoute } from './routes.ts';
import { negotiateSimple } from './simple-render.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export async function pypiPlugin(fastify: FastifyInstance, options: PypiPluginOptions): Promise<void> {
  const settings = resolvePypiSettings(options);
  const clock = options.clock ?? (() => new Date());
  const docDeps = { repo: settings.repo, documents: options.store, blobs: options.blobs, clock, metrics: options.metrics, log: fastify.log };
  const pages = new DocumentSource(
    { ...docDeps, upstream: options.index },
    { freshness: { maxAgeMs: settings.metadataMaxAgeMs, staleIfErrorMs: settings.staleIfErrorMs }, maxBytes: settings.maxMetadataBytes },
  );
  // A file's core metadata never changes (its sha256 is on the page): kept for good once verified.
  const immutable = { freshness: { maxAgeMs: YEAR_MS, staleIfErrorMs: YEAR_MS }, maxBytes: 4 * 1024 * 1024 };
  const metadataFiles = {
    index: new DocumentSource({ ...docDeps, upstream: options.index }, immutable),
    files: options.files === null ? null : new DocumentSource({ ...docDeps, upstream: options.files }, immutable),
  };
  const provenance = {
    index: pages,
    files: options.files === null ? null : new DocumentSource({ ...docDeps, upstream: options.files }, { freshness: { maxAgeMs: settings.metadataMaxAgeMs, staleIfErrorMs: settings.staleIfErrorMs }, maxBytes: 4 * 1024 * 1024 }),
  };
  const projects = new ProjectService({ gate: options.gate, source: pages, index: options.index, log: fastify.log }, settings);
  options.sources?.register(pypiPackageSource(settings.repo, projects));
  const dists = new DistService(
    { gate: options.gate, blobs: options.blobs, index: options.store, projects, indexUpstream: options.index, filesUpstream: options.files, metadataFiles, provenance, clock, metrics: options.metrics, log: fastify.log },
    settings,
  );
  options.metrics?.watchCaches(settings.repo, () => ({ ...projects.caches(), ...dists.caches() }));
  const publicUrl = options.publicUrl ?? null;
  const negotiation = new GzipNegotiation();
  // Pages and files are revalidated on every use (ETag, 304): what Airlock serves changes with the
  // policy and reviews, not only with the index, and a file pip kept must not outlive a block.
  const cacheControl = 'no-cache';
  fastify.addHook('onClose', async () => {
    await Promise.all([pages.flush(), metadataFiles.index.flush(), metadataFiles.files?.flush(), provenance.files?.flush()]);
  });

  const hosted = options.hosted;
  const written: ((name: string) => void)[] = [];
  const writer =
    hosted === undefined
      ? null
      : {
          repo: settings.repo,
          store: hosted,
          clock,
          changed: async (name: string) => {
            // Read again at once: the next page is the page as written; a project whose every file was removed is gone (and its state with it).
            await projects.refresh(name as PypiProjectName).catch((err: unknown) => {
              if (!isAirlockError(err, 'UPSTREAM_NOT_FOUND')) throw err;
            });
            for (const listener of written) listener(name);
            await options.published?.(name);
          },
        };
  const uploads = writer === null ? null : new PypiUploads({ ...writer, blobs: options.blobs }, { maxFileBytes: settings.maxArtifactBytes, maxDocumentBytes: settings.maxMetadataBytes });
  const releases = writer === null ? null : new PypiReleases(writer, { maxDocumentBytes: settings.maxMetadataBytes });
  const base = (request: FastifyRequest): string => repositoryUrl(publicUrl, settings.repo, fastify.prefix, request);

  async function page(request: FastifyRequest, reply: FastifyReply, name: PypiProjectName, filesBase: string): Promise<FastifyReply> {
    const format = negotiateSimple(request.headers.accept);
    if (format === null) {
      return sendError(request, reply, Object.assign(new Error('Airlock serves project pages as application/vnd.pypi.simple.v1+json or text/html'), { statusCode: 406 }));
    }
    const view = await projects.view(name, requestContextOf(request));
    const r = projects.render(view, format, filesBase);
    reply.headers({ 'content-type': r.contentType, etag: r.etag, vary: 'Accept, Accept-Encoding', 'cache-control': cacheControl });
    if (etagMatches(request.headers['if-none-match'], r.etag)) return reply.code(304).send();
    if (negotiation.acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(r.gzip);
    return reply.send(r.body);
  }

  async function file(request: FastifyRequest, reply: FastifyReply, route: FileRoute): Promise<FastifyReply> {
    const { name, sha256, filename } = route;
    const ctx = requestContextOf(request);
    if (filename.endsWith('.metadata')) {
      const body = await dists.coreMetadata(name, sha256, filename.slice(0, -'.metadata'.length), ctx);
      return reply.header('content-type', 'application/octet-stream').header('cache-control', 'public, max-age=31536000, immutable').send(body);
    }
    const outcome = await dists.resolve(name, sha256, filename, ctx);
    if (outcome.kind === 'refuse') return sendError(request, reply, outcome.error);
    options.artifactUse?.note(outcome.blob);
    reply.headers({ 'content-type': 'application/octet-stream', 'content-length': String(outcome.size), etag: outcome.etag, 'cache-control': cacheControl });
    if (etagMatches(request.headers['if-none-match'], outcome.etag)) return reply.code(304).send();
    if (request.method === 'HEAD') return reply.send();
    return reply.send(await dists.open(outcome));
  }

  /**
   * The project list: a hosted repository's projects, but for those whose every file was removed
   * (gone from the index; their record keeps the name); a proxy lists none (pip never asks, and the
   * index's may be huge).
   */
  const projectNames =
    hosted === undefined ? null : async (): Promise<readonly string[]> => (await hosted.hostedRevisions(settings.repo)).filter((r) => !r.empty).map((r) => r.name);

  /**
   * An upload (twine): a publisher token, limited to this repository and the project if scoped,
   * checked before anything is stored; the body read as it arrives.
   */
  async function upload(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (uploads === null) throw Object.assign(new Error(`uploads are not taken by ${settings.repo}: it is a read-only, policy-gated proxy; upload to a hosted pypi repository`), { statusCode: 405 });
    if (request.identity.kind === 'anonymous') throw new AirlockError('UNAUTHORIZED', 'uploading needs a token with the publisher role: twine upload -u __token__ -p <token>');
    const who = publisherOf(request.identity);
    requireRepositoryInScope(request.identity, settings.repo);
    reply.header('cache-control', 'no-store');
    try {
      const r = await uploads.upload(request.raw, request.headers['content-type'], who, (name) => requirePackageInScope(request.identity, name, pep503Form));
      request.log.info({ project: r.name, file: r.filename, created: r.created, by: who.actor }, r.created ? 'file uploaded' : 'identical file uploaded again');
      return reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(r.created ? `uploaded ${r.filename}\n` : `${r.filename} was already uploaded with these bytes\n`);
    } catch (err) {
      // A refused upload may leave most of its body unread: the connection is not reused for it.
      if (err instanceof AirlockError && err.code === 'LIMIT_EXCEEDED') reply.header('connection', 'close');
      throw err;
    }
  }

  /**
   * A yank, its undoing or a removal, of a release, one file or the whole project: a publisher
   * token (limited to this repository and the project if scoped); a removal also needs what the
   * repository's `unpublish` names.
   */
  async function release(request: FastifyRequest, reply: FastifyReply, route: ReleaseRoute): Promise<FastifyReply> {
    if (releases === null) throw Object.assign(new Error(`${settings.repo} is a proxy: its releases are the index's, and only a hosted repository's can be yanked or removed`), { statusCode: 405 });
    if (request.identity.kind === 'anonymous') throw new AirlockError('UNAUTHORIZED', `changing a release needs a token with the publisher role (${route.action === 'remove' ? 'and what unpublish names' : 'as uploading does'})`);
    const who = publisherOf(request.identity);
    requireRepositoryInScope(request.identity, settings.repo);
    requirePackageInScope(request.identity, route.name, pep503Form);
    reply.header('cache-control', 'no-store');
    let change: ReleaseChange;
    if (route.action === 'remove') {
      const what = route.target.kind === 'project' ? 'removing projects from' : route.target.kind === 'file' ? 'removing files from' : 'removing releases from';
      requireUnpublishRight(settings.unpublish, request.identity, settings.repo, what, `; yank the ${route.target.kind === 'project' ? 'project' : 'release'} instead`);
      const reason = route.target.kind === 'project' ? await reasonOf(request, "a removal's", "the removal's reason") : '';
      change = await releases.remove(route.name, route.target, who, reason);
    } else {
      change = await releases.yank(route.name, route.target, route.action === 'yank' ? await reasonOf(request) : null, who);
    }
    request.log.info(
      { project: change.name, target: change.target, version: change.version, action: change.action, files: change.files, changed: change.changed, by: who.actor },
      `${change.target} ${change.action === 'remove' ? 'removed' : change.action === 'yank' ? 'yanked' : 'unyanked'}`,
    );
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(change));
  }

  pypiRoutes(fastify, {
    base,
    root: async (request, reply) => {
      if (projectNames === null) throw new AirlockError('NOT_FOUND', 'Airlock does not list every project of the index; ask for a project page, /simple/<project>/');
      return sendRoot(request, reply, await projectNames());
    },
    page: (request, reply, name) => page(request, reply, name, base(request)),
    file,
    upload,
    release,
  });

  options.expose?.({
    repo: settings.repo,
    kind: hosted === undefined ? 'proxy' : 'hosted',
    maxAgeMs: settings.metadataMaxAgeMs,
    // A hosted repository has every name ever uploaded to it.
    has: async (name) => (hosted === undefined ? projects.has(name) : (await hosted.getHostedPackage(settings.repo, name)) !== null),
    page,
    file,
    projects: () => projectNames?.() ?? null,
    upload,
    release,
    onWrite: (listener) => {
      written.push(listener);
    },
  });
}

/** The largest body a yank (or a project's removal) takes: `{"reason": …}`. */
const MAX_YANK_BODY = 16 * 1024;

/** A yank's (or a project removal's: `of`, `what`) reason: the JSON body's `reason` (a string), or none (an empty body, or no `reason`). */
async function reasonOf(request: FastifyRequest, of = "a yank's", what = 'the yank reason'): Promise<string> {
  const raw = await readCapped(request.raw, MAX_YANK_BODY, () => new AirlockError('LIMIT_EXCEEDED', `${of} body is at most ${MAX_YANK_BODY} bytes: {"reason": "…"}`));
  if (raw.length === 0) return '';
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AirlockError('BAD_REQUEST', `${of} body is JSON: {"reason": "…"}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AirlockError('BAD_REQUEST', `${of} body is a JSON object: {"reason": "…"}`);
  const reason = (body as Record<string, unknown>)['reason'];
  if (reason === undefined) return '';
  if (typeof reason !== 'string') throw new AirlockError('BAD_REQUEST', `${what} is a string`);
  return yankReason(reason, what);
}
