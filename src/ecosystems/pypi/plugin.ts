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
import { AirlockError, normalizePypiName, type PypiProjectName } from '../../core/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import { repositoryUrl } from '../shared/base-url.ts';
import { DocumentSource } from '../shared/document-source.ts';
import { etagMatches } from '../shared/http.ts';
import { GzipNegotiation } from '../shared/negotiate.ts';
import { asciiLine, wireError } from '../shared/wire-error.ts';
import { DistService } from './dist-service.ts';
import { resolvePypiSettings, type PypiPluginOptions } from './options.ts';
import { ProjectService } from './project-service.ts';
import { negotiateSimple } from './simple-render.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;


const REASON: Readonly<Record<number, string>> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 406: 'Not Acceptable', 413: 'Payload Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** Longest reason phrase sent: the message is whole in the body, and proxies cut long status lines. */
const MAX_REASON_CHARS = 1500;

/**
 * A reason phrase carrying the message: one line of printable ASCII (what a status line may
 * hold), e.g. `Forbidden (Airlock: foo==1.0 is quarantined …)`.
 */
function reasonPhrase(status: number, message: string): string {
  return `${REASON[status] ?? 'Error'} (Airlock: ${asciiLine(message, MAX_REASON_CHARS)})`;
}

/** Sends the error as pip shows it: the reason phrase, and the message as the plain-text body for people and logs. */
function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, message, serious } = wireError(err, String(request.id));
  if (serious) request.log.error({ err }, 'pypi request failed');
  else request.log.info({ status, message }, 'pypi request refused');
  reply.raw.statusMessage = reasonPhrase(status, message);
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${message}\n`);
}

function projectName(raw: string): PypiProjectName {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new AirlockError('INVALID_NAME', 'the project name is not valid percent-encoding');
  }
  return normalizePypiName(decoded);
}

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
  const dists = new DistService(
    { gate: options.gate, blobs: options.blobs, index: options.store, projects, indexUpstream: options.index, filesUpstream: options.files, metadataFiles, provenance, clock, metrics: options.metrics, log: fastify.log },
    settings,
  );
  const publicUrl = options.publicUrl ?? null;
  const negotiation = new GzipNegotiation();
  // Pages and files are revalidated on every use (ETag, 304): what Airlock serves changes with the
  // policy and reviews, not only with the index, and a file pip kept must not outlive a block.
  const cacheControl = 'no-cache';
  fastify.addHook('onClose', async () => {
    await Promise.all([pages.flush(), metadataFiles.index.flush(), metadataFiles.files?.flush(), provenance.files?.flush()]);
  });

  fastify.get('/simple/', async (request, reply) =>
    sendError(request, reply, new AirlockError('NOT_FOUND', 'Airlock does not list every project of the index; ask for a project page, /simple/<project>/')),
  );

  fastify.get('/simple/*', async (request, reply) => {
    try {
      const rest = (request.params as { '*': string })['*'];
      const slash = rest.indexOf('/');
      const raw = slash === -1 ? rest : rest.slice(0, slash);
      if (slash !== -1 && slash !== rest.length - 1) throw new AirlockError('NOT_FOUND', 'no such page');
      const name = projectName(raw);
      // PEP 503: the canonical URL is the normalized name with a trailing slash.
      if (raw !== name || slash === -1) return reply.code(301).header('location', `${repositoryUrl(publicUrl, settings.repo, fastify.prefix, request)}simple/${name}/`).send();
      const format = negotiateSimple(request.headers.accept);
      if (format === null) {
        return sendError(request, reply, Object.assign(new Error('Airlock serves project pages as application/vnd.pypi.simple.v1+json or text/html'), { statusCode: 406 }));
      }
      const view = await projects.view(name, requestContextOf(request));
      const r = projects.render(view, format, repositoryUrl(publicUrl, settings.repo, fastify.prefix, request));
      reply.headers({ 'content-type': r.contentType, etag: r.etag, vary: 'Accept, Accept-Encoding', 'cache-control': cacheControl });
      if (etagMatches(request.headers['if-none-match'], r.etag)) return reply.code(304).send();
      if (negotiation.acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(r.gzip);
      return reply.send(r.body);
    } catch (err) {
      return sendError(request, reply, err);
    }
  });

  // HEAD is routed here too, not left to Fastify's own HEAD (which says Content-Length: 0 for a body not sent).
  fastify.route({ method: ['GET', 'HEAD'], url: '/files/*', handler: serveFile });

  async function serveFile(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const parts = (request.params as { '*': string })['*'].split('/');
      if (parts.length !== 3) throw new AirlockError('NOT_FOUND', 'no such file: Airlock serves files at files/<project>/<sha256>/<filename>');
      const [rawName, sha256, rawFile] = parts as [string, string, string];
      const name = projectName(rawName);
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AirlockError('NOT_FOUND', 'no such file: the sha256 in the URL is not 64 lower-case hex digits');
      let filename: string;
      try {
        filename = decodeURIComponent(rawFile);
      } catch {
        throw new AirlockError('BAD_REQUEST', 'the file name is not valid percent-encoding');
      }
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
    } catch (err) {
      return sendError(request, reply, err);
    }
  }
}
