/**
 * The huggingface repository as a Fastify plugin, mounted under `/<repo>/` by the composition
 * root: clients set `HF_ENDPOINT` (huggingface_hub) or `hubUrl` (`@huggingface/hub`) to it. It
 * serves the Hub's read API for models and datasets — repo info at a revision, the tree,
 * paths-info — and files at `[datasets/]<id>/resolve/<revision>/<path>`, every file verified,
 * scanned and judged before its first byte goes out, always as plain bytes from Airlock's store
 * (no redirect, no Xet: nothing sends a client around the gateway). The pre-flight check
 * (`airlock check huggingface`) asks it through check-source.ts, judged by the same code.
 *
 * The Hub's clients read errors from headers (a HEAD has no body): every error carries
 * `X-Error-Message`, and `X-Error-Code` where the client acts on it — `GatedRepo` for a refusal
 * (huggingface_hub then shows the message itself), `RepoNotFound`, `RevisionNotFound`,
 * `EntryNotFound` (with `X-Repo-Commit`, so the client remembers the file is absent) — and a
 * JSON `{"error": …}` body, which is what `@huggingface/hub` shows.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, isAirlockError, trimBoth } from '../../core/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { repositoryUrl } from '../shared/base-url.ts';
import { DocumentSource } from '../shared/document-source.ts';
import { etagMatches, rawTarget } from '../shared/http.ts';
import { versionRefusal } from '../shared/refusal.ts';
import { asciiLine, wireError } from '../shared/wire-error.ts';
import { HubCatalog, hubNotFound, wireEntry, type CommitTree, type HubErrorCode, type Revision } from './catalog.ts';
import { huggingfacePackageSource } from './check-source.ts';
import { FileService } from './file-service.ts';
import { commitLabel, encodePath, repoName, parseApiPath, parseResolvePath, type RepoRef, type RepoType } from './hub-ids.ts';
import { resolveHuggingfaceSettings, type HuggingfacePluginOptions } from './options.ts';
import { parseByteRange } from '../shared/byte-range.ts';
import { jsonStream } from '../shared/json-pieces.ts';
import { sendOwnedStream } from '../shared/send-stream.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Tree entries per page Airlock serves (the Hub's own page size). */
const TREE_PAGE = 1000;
/** Paths one paths-info request may ask about. */
const MAX_PATHS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_HEADER_CHARS = 1500;

function hubCodeOf(err: unknown, status: number): HubErrorCode | null {
  const code = isAirlockError(err) ? err.details['hubErrorCode'] : undefined;
  if (typeof code === 'string') return code as HubErrorCode;
  // A refusal: huggingface_hub raises GatedRepoError with the message, where a bare 403 would
  // only say "check your connection" (protocols: huggingface.md §7).
  return status === 403 ? 'GatedRepo' : null;
}

function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, message, serious } = wireError(err, String(request.id), request.raw);
  if (serious) request.log.error({ err }, 'huggingface request failed');
  else request.log.info({ status, message }, 'huggingface request refused');
  const code = hubCodeOf(err, status);
  const commit = isAirlockError(err) ? err.details['commit'] : undefined;
  reply.code(status).header('x-error-message', `Airlock: ${asciiLine(message, MAX_HEADER_CHARS)}`).header('cache-control', 'no-store');
  if (code !== null) reply.header('x-error-code', code);
  if (typeof commit === 'string') reply.header('x-repo-commit', commit);
  if (request.method === 'HEAD') return reply.send();
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error: `Airlock: ${message}` }));
}

function flag(v: string | null): boolean {
  return v !== null && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export async function huggingfacePlugin(fastify: FastifyInstance, options: HuggingfacePluginOptions): Promise<void> {
  const settings = resolveHuggingfaceSettings(options);
  const clock = options.clock ?? (() => new Date());
  const docDeps = { repo: settings.repo, documents: options.store, blobs: options.blobs, upstream: options.upstream, clock, metrics: options.metrics, log: fastify.log };
  const refs = new DocumentSource(docDeps, { freshness: { maxAgeMs: settings.metadataMaxAgeMs, staleIfErrorMs: settings.staleIfErrorMs }, maxBytes: settings.maxMetadataBytes });
  // A commit's info never changes.
  const commits = new DocumentSource(docDeps, { freshness: { maxAgeMs: YEAR_MS, staleIfErrorMs: YEAR_MS }, maxBytes: settings.maxMetadataBytes });
  const catalog = new HubCatalog(
    { gateRepo: settings.repo, upstream: options.upstream, refs, commits, documents: options.store, blobs: options.blobs, clock, log: fastify.log },
    { maxEntries: settings.maxTreeEntries, maxTreeBytes: settings.maxMetadataBytes, cacheBytes: settings.cache.trees },
  );
  const files = new FileService(
    { gate: options.gate, modelSigning: settings.modelSigning, blobs: options.blobs, scanPool: options.scanPool, index: options.store, upstream: options.upstream, clock, metrics: options.metrics },
    { repo: settings.repo, maxArtifactBytes: settings.maxArtifactBytes, inMemoryScanBytes: settings.inMemoryScanBytes, scanTimeoutMs: settings.scanTimeoutMs, cache: { outcomes: settings.cache.outcomes, scans: settings.cache.scans } },
  );
  options.metrics?.watchCaches(settings.repo, () => ({ ...catalog.caches(), ...files.caches() }));
  const publicUrl = options.publicUrl ?? null;
  const gate = options.gate;
  fastify.addHook('onClose', async () => {
    await Promise.all([refs.flush(), commits.flush()]);
  });
  // huggingface_hub sends paths-info as a form (`paths=a&paths=b&expand=True`).
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });

  /** The commit a revision names; a missing repo is told to the hallucination tripwire. */
  async function revisionOf(repo: RepoRef, revision: string | null, request: RequestContext): Promise<Revision> {
    try {
      // `HEAD` (what @huggingface/hub asks for by default) is the default branch, as the repo's own info is.
      return await catalog.revision(repo, revision === 'HEAD' ? null : revision);
    } catch (err) {
      if (isAirlockError(err, 'UPSTREAM_NOT_FOUND') && err.details['hubErrorCode'] === 'RepoNotFound') {
        await gate.reportMissing('huggingface', repoName(repo), request);
      }
      throw err;
    }
  }

  options.sources?.register(huggingfacePackageSource({ repo: settings.repo, revision: revisionOf, catalog, files }));

  /**
   * The commit's metadata-phase decision. A block refuses everything of it; a quarantine does
   * not, so that the client goes on to ask for the files, whose artifact judgement opens the
   * quarantine record a reviewer can release (its id is in the refusal).
   */
  async function admit(rev: Revision, request: RequestContext): Promise<void> {
    const decisions = await gate.judgeVersions([rev.candidate], request);
    const decision = decisions.get(rev.commit);
    if (decision === undefined) throw new AirlockError('INTERNAL', `${rev.candidate.subject.name}@${rev.commit} was not judged`);
    if (decision.failure?.kind === 'gate') throw new AirlockError('UNAVAILABLE', `Airlock could not judge ${rev.candidate.subject.name} just now: ${decision.failure.cause}`);
    if (decision.verdict.kind === 'block') throw versionRefusal(commitLabel(rev.candidate.subject.name, rev.commit), rev.candidate.subject.name, rev.commit, decision);
  }

  function baseUrl(request: FastifyRequest): string {
    return repositoryUrl(publicUrl, settings.repo, fastify.prefix, request);
  }

  async function info(request: FastifyRequest, reply: FastifyReply, repo: RepoRef, revision: string | null, query: URLSearchParams): Promise<FastifyReply> {
    const ctx = requestContextOf(request);
    const rev = await revisionOf(repo, revision, ctx);
    await admit(rev, ctx);
    // Files with their sizes and hashes (`blobs=true`, huggingface_hub's files_metadata) come from the tree Airlock verifies against.
    const tree = flag(query.get('blobs')) ? await catalog.tree(rev.repo, rev.commit) : null;
    const lists = tree === null ? {} : { siblings: () => siblingsOf(tree) };
    // Written as the client reads it: a repository's every file, 5.4 MB for 50,000 with blobs=true,
    // was made whole per request and held until read (100 requests that did not read: 1 GiB more
    // resident memory); the siblings are made one at a time as they are written.
    return sendOwnedStream(reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache'), jsonStream(rev.document, lists));
  }

  async function tree(request: FastifyRequest, reply: FastifyReply, repo: RepoRef, revision: string, path: string, query: URLSearchParams): Promise<FastifyReply> {
    const ctx = requestContextOf(request);
    const rev = await revisionOf(repo, revision, ctx);
    await admit(rev, ctx);
    const t = await catalog.tree(rev.repo, rev.commit);
    const recursive = flag(query.get('recursive'));
    const listed = listing(t, path, recursive);
    if (listed === null) throw hubNotFound('EntryNotFound', `${rev.repo.id} has no folder ${path} at ${rev.commit.slice(0, 12)}`, rev.commit);
    const cursor = query.get('cursor');
    const start = cursor === null ? 0 : Number.parseInt(cursor, 10);
    if (!Number.isSafeInteger(start) || start < 0 || String(start) !== (cursor ?? '0')) throw new AirlockError('BAD_REQUEST', 'the cursor is not one Airlock gave');
    const page = listed.slice(start, start + TREE_PAGE);
    if (start + TREE_PAGE < listed.length) {
      const next = new URLSearchParams({ recursive: String(recursive), expand: String(flag(query.get('expand'))), cursor: String(start + TREE_PAGE) });
      const where = `${baseUrl(request)}api/${rev.repo.type}s/${rev.repo.id}/tree/${encodeURIComponent(revision)}${path === '' ? '' : `/${encodePath(path)}`}`;
      reply.header('link', `<${where}?${next.toString()}>; rel="next"`);
    }
    return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(JSON.stringify(page.map(wireEntry)));
  }

  async function pathsInfo(request: FastifyRequest, reply: FastifyReply, repo: RepoRef, revision: string): Promise<FastifyReply> {
    const asked = pathsOf(request.body);
    const ctx = requestContextOf(request);
    const rev = await revisionOf(repo, revision, ctx);
    await admit(rev, ctx);
    const t = await catalog.tree(rev.repo, rev.commit);
    // Each entry once, however often it is asked for: the answer is no bigger than the repository's listing.
    const found = new Set(asked.map((p) => t.byPath.get(trimBoth(p, '/'))).filter((e) => e !== undefined));
    return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(JSON.stringify([...found].map(wireEntry)));
  }

  for (const type of ['model', 'dataset'] as const satisfies readonly RepoType[]) {
    const route = `/api/${type}s/*`;
    fastify.get(route, async (request, reply) => {
      try {
        const { path, query } = rawTarget(request, fastify.prefix);
        const { repo, action } = parseApiPath(type, path.slice(`api/${type}s/`.length));
        if (action.kind === 'info') return await info(request, reply, repo, action.revision, query);
        if (action.kind === 'tree') return await tree(request, reply, repo, action.revision, action.path, query);
        throw new AirlockError('NOT_FOUND', 'paths-info is a POST');
      } catch (err) {
        return sendError(request, reply, err);
      }
    });
    fastify.post(route, { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
      try {
        const { path } = rawTarget(request, fastify.prefix);
        const { repo, action } = parseApiPath(type, path.slice(`api/${type}s/`.length));
        if (action.kind !== 'paths-info') throw new AirlockError('NOT_FOUND', `Airlock answers POST only for api/${type}s/<id>/paths-info/<revision>`);
        return await pathsInfo(request, reply, repo, action.revision);
      } catch (err) {
        return sendError(request, reply, err);
      }
    });
  }

  /** A file: `[datasets/]<id>/resolve/<revision>/<path>`, GET or HEAD. */
  async function resolveFile(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const { path } = rawTarget(request, fastify.prefix);
      const target = parseResolvePath(path);
      if (target === null) throw new AirlockError('NOT_FOUND', 'Airlock serves the Hub API under api/ and files at [datasets/]<repo id>/resolve/<revision>/<path>');
      const ctx = requestContextOf(request);
      const rev = await revisionOf(target.repo, target.revision, ctx);
      const t = await catalog.tree(rev.repo, rev.commit);
      const entry = t.byPath.get(target.path);
      if (entry === undefined || entry.type !== 'file') throw hubNotFound('EntryNotFound', `${rev.repo.id} has no file ${target.path} at ${rev.commit.slice(0, 12)}`, rev.commit);
      await admit(rev, ctx);
      reply.header('x-repo-commit', rev.commit);
      // A HEAD is answered from what is known: the client's time-out for it is short (10 s), and
      // its GET, which follows, is judged before a byte is sent.
      const outcome = request.method === 'HEAD' ? (files.known(rev, entry, ctx) ?? null) : await files.resolve(rev, entry, t, ctx);
      if (outcome?.kind === 'refuse') return sendError(request, reply, outcome.error);
      const etag = `"${entry.lfs?.sha256 ?? entry.oid}"`;
      reply.headers({ etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'cache-control': 'no-cache' });
      if (entry.lfs !== null) reply.headers({ 'x-linked-etag': etag, 'x-linked-size': String(entry.size) });
      if (outcome !== null && outcome.warnings.length > 0) reply.header('x-hf-warning', `Airlock; ${asciiLine(outcome.warnings.join('; '), MAX_HEADER_CHARS)}`);
      if (outcome === null || request.method === 'HEAD') return reply.header('content-length', String(entry.size)).send();
      options.artifactUse?.note(outcome.blob);
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      const range = parseByteRange(request.headers.range, outcome.size);
      // An empty file has no byte to send for @huggingface/hub's `bytes=0-0` probe; it reads the
      // size from Content-Range and gives up on any status that is not a success.
      if (range === 'unsatisfiable' && outcome.size === 0) return reply.header('content-range', 'bytes */0').header('content-length', '0').send();
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${outcome.size}`).send();
      if (range === null) return reply.header('content-length', String(outcome.size)).send(await files.open(outcome, null));
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${outcome.size}`)
        .header('content-length', String(range.end - range.start + 1))
        .send(await files.open(outcome, range));
    } catch (err) {
      return sendError(request, reply, err);
    }
  }

  // HEAD is routed here too, not left to Fastify's own HEAD (which says Content-Length: 0 for a body not sent).
  fastify.route({ method: ['GET', 'HEAD'], url: '/*', handler: resolveFile });
}

/** A commit's files as the Hub's repo info lists them with `blobs=true`. */
function* siblingsOf(t: CommitTree): Generator<Record<string, unknown>> {
  for (const e of t.entries) {
    if (e.type !== 'file') continue;
    yield { rfilename: e.path, size: e.size, blobId: e.oid, ...(e.lfs === null ? {} : { lfs: { sha256: e.lfs.sha256, size: e.lfs.size, pointerSize: e.lfs.pointerSize } }) };
  }
}

/** The entries under a folder ('' is the root): all below it, or its direct children; null when it is no folder. */
function listing(t: CommitTree, path: string, recursive: boolean) {
  if (path !== '' && t.byPath.get(path)?.type !== 'directory') return null;
  const prefix = path === '' ? '' : `${path}/`;
  return t.entries.filter((e) => e.path.startsWith(prefix) && (recursive || !e.path.slice(prefix.length).includes('/')));
}

/** The paths a paths-info request asks about: a JSON `{"paths": [...]}` or a form's `paths` fields. */
function pathsOf(body: unknown): string[] {
  let paths: unknown;
  if (body instanceof URLSearchParams) paths = body.getAll('paths');
  else if (typeof body === 'object' && body !== null) paths = (body as Record<string, unknown>)['paths'];
  if (typeof paths === 'string') paths = [paths];
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw new AirlockError('BAD_REQUEST', 'paths-info takes {"paths": [...]} (JSON) or paths=… form fields');
  if (paths.length > MAX_PATHS) throw new AirlockError('BAD_REQUEST', `paths-info takes at most ${MAX_PATHS} paths`);
  return paths as string[];
}
