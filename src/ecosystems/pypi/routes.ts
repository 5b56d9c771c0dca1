/**
 * The URL space of a pypi repository, the same for a proxy, a hosted repository and a group: the
 * simple API at `simple/` (the project list) and `simple/<project>/`, the files at
 * `files/<project>/<sha256>/<filename>` (with their PEP 658 `.metadata`), and uploads (the
 * legacy API twine speaks) as a POST to the repository's URL itself or to `legacy/`, and changes
 * to an uploaded project at `-/projects/<project>/<version>` (a release: yank, unyank, DELETE),
 * `-/projects/<project>/files/<filename>` (one file: DELETE) and `-/projects/<project>` (every
 * release: yank, unyank, DELETE). Paths are
 * parsed here, and errors rendered here, once: pip and twine show only the HTTP reason phrase
 * (pypi.md §8, §9), so the whole message goes in it, and in the plain-text body.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, normalizePypiName, parsePep440, type PypiProjectName } from '../../core/index.ts';
import { asciiLine, wireError } from '../shared/wire-error.ts';
import { MAX_FILENAME_CHARS, type ReleaseTarget } from './hosted/release-target.ts';
import { negotiateSimple, renderRootHtml, renderRootJson, SIMPLE_HTML, SIMPLE_JSON } from './simple-render.ts';

const REASON: Readonly<Record<number, string>> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict', 413: 'Payload Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** Longest reason phrase sent: the message is whole in the body, and proxies cut long status lines. */
const MAX_REASON_CHARS = 1500;

/**
 * A reason phrase carrying the message: one line of printable ASCII (what a status line may
 * hold), e.g. `Forbidden (Airlock: foo==1.0 is quarantined …)`.
 */
function reasonPhrase(status: number, message: string): string {
  return `${REASON[status] ?? 'Error'} (Airlock: ${asciiLine(message, MAX_REASON_CHARS)})`;
}

/** Sends the error as pip and twine show it: the reason phrase, and the message as the plain-text body for people and logs. */
export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, message, serious } = wireError(err, String(request.id), request.raw);
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

/** A file's URL as Airlock gives it: the project, the file's sha256 and its name (`.metadata` for its core metadata). */
export interface FileRoute {
  readonly name: PypiProjectName;
  readonly sha256: string;
  readonly filename: string;
}

/** A file path parsed: its project, sha256 and file name (a group routes the result by its project). */
function parseFileRoute(rest: string): FileRoute {
  const parts = rest.split('/');
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
  return { name, sha256, filename };
}

/** A change to a hosted project (`hosted/releases.ts`): to a release, one file or the whole project, parsed from its path. */
export interface ReleaseRoute {
  readonly action: 'yank' | 'unyank' | 'remove';
  readonly name: PypiProjectName;
  readonly target: ReleaseTarget;
}

/** `params` as Fastify gives them: percent-decoded already. */
type ReleaseParams = { readonly project: string; readonly version?: string; readonly filename?: string };

function releaseRoute(action: ReleaseRoute['action'], params: ReleaseParams): ReleaseRoute {
  const name = projectName(params.project);
  const { version, filename } = params;
  if (filename !== undefined) {
    if (filename.length === 0 || filename.length > MAX_FILENAME_CHARS) throw new AirlockError('BAD_REQUEST', `a file name is 1 to ${MAX_FILENAME_CHARS} characters`);
    return { action, name, target: { kind: 'file', filename } };
  }
  if (version === undefined) return { action, name, target: { kind: 'project' } };
  if (version.length > 200 || parsePep440(version) === null) throw new AirlockError('BAD_REQUEST', `${JSON.stringify(version.slice(0, 100))} is not a valid PEP 440 version`);
  return { action, name, target: { kind: 'release', version } };
}

/** The project list (PEP 503 root, PEP 691 JSON root) in the negotiated format. */
export function sendRoot(request: FastifyRequest, reply: FastifyReply, names: readonly string[]): FastifyReply {
  const format = negotiateSimple(request.headers.accept);
  if (format === null) return sendError(request, reply, Object.assign(new Error('Airlock serves the project list as application/vnd.pypi.simple.v1+json or text/html'), { statusCode: 406 }));
  reply.headers({ vary: 'Accept', 'cache-control': 'no-cache' });
  return format === 'json' ? reply.header('content-type', SIMPLE_JSON).send(renderRootJson(names)) : reply.header('content-type', SIMPLE_HTML).send(renderRootHtml(names));
}

export interface PypiRouteHandlers {
  /** The repository's URL as this request reaches it (where redirects point). */
  base(request: FastifyRequest): string;
  root(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  page(request: FastifyRequest, reply: FastifyReply, name: PypiProjectName): Promise<FastifyReply>;
  file(request: FastifyRequest, reply: FastifyReply, route: FileRoute): Promise<FastifyReply>;
  /** An upload (the body still unread); a repository that takes none refuses it (405). */
  upload(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  /** A yank, its undoing or a removal (the body, a yank's or a project removal's reason, still unread); a repository that takes none refuses it (405). */
  release(request: FastifyRequest, reply: FastifyReply, route: ReleaseRoute): Promise<FastifyReply>;
}

/** The routes of a pypi repository's URL space, answered by `how`; every error in the clients' dialect. */
export function pypiRoutes(fastify: FastifyInstance, how: PypiRouteHandlers): void {
  const guard =
    (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        return await handler(request, reply);
      } catch (err) {
        return sendError(request, reply, err);
      }
    };

  fastify.get('/simple/', guard(how.root));

  fastify.get(
    '/simple/*',
    guard(async (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      const slash = rest.indexOf('/');
      const raw = slash === -1 ? rest : rest.slice(0, slash);
      if (slash !== -1 && slash !== rest.length - 1) throw new AirlockError('NOT_FOUND', 'no such page');
      const name = projectName(raw);
      // PEP 503: the canonical URL is the normalized name with a trailing slash.
      if (raw !== name || slash === -1) return reply.code(301).header('location', `${how.base(request)}simple/${name}/`).send();
      return how.page(request, reply, name);
    }),
  );

  // HEAD is routed here too, not left to Fastify's own HEAD (which says Content-Length: 0 for a body not sent).
  fastify.route({ method: ['GET', 'HEAD'], url: '/files/*', handler: guard(async (request, reply) => how.file(request, reply, parseFileRoute((request.params as { '*': string })['*']))) });

  // Uploads: the body is read by the upload itself, as it arrives (never parsed here).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const post = guard(how.upload);
  // Never redirected: twine posts with redirects refused (pypi.md §8), so both spellings are served.
  fastify.post('/', post);
  fastify.post('/legacy/', post);

  // Changes to an uploaded project: no client protocol has them, `airlock pypi` sends them. `-` starts no project name.
  const change = (action: ReleaseRoute['action']) => guard(async (request, reply) => how.release(request, reply, releaseRoute(action, request.params as ReleaseParams)));
  for (const action of ['yank', 'unyank'] as const) {
    fastify.post(`/-/projects/:project/:version/${action}`, change(action));
    fastify.post(`/-/projects/:project/${action}`, change(action));
  }
  fastify.delete('/-/projects/:project/:version', change('remove'));
  fastify.delete('/-/projects/:project/files/:filename', change('remove'));
  fastify.delete('/-/projects/:project', change('remove'));
}
