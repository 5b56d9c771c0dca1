/**
 * The registry API's root, shared by every oci repository (whose own routes, below
 * `/v2/<repo>/`, are plugin.ts): the version check, the token endpoint and the catalog.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError } from '../../core/index.ts';
import { ANONYMOUS_REGISTRY_TOKEN, presentedSecret } from '../../gate/identity.ts';
import { repositoryUrl } from '../shared/base-url.ts';
import { rawTarget } from '../shared/http.ts';
import { ociErrorHandler, sendOciError } from './plugin.ts';
import { listCatalog, type CatalogSource } from './registry-catalog.ts';
import { API_VERSION } from './unroutable.ts';
/** How long a client may keep what the token endpoint gave it before asking again. */
const TOKEN_SECONDS = 300;

/** A check run before a route: it answers the request itself (a refusal) or lets it through (undefined). */
export type RequestCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * `/v2/` itself, for every oci repository at once: the version check every client starts with,
 * the catalog of the hosted repositories' image repositories (`/v2/_catalog`), and a
 * registry-style 404 for a path under `/v2/` no repository serves. In every configuration the
 * version check challenges a client that sent no credentials with the Docker token protocol
 * (`/-/oci/token`), as Docker Hub, Harbor and distribution with token auth do: every client
 * follows it, with its credentials when it has some and without when it has none, and the token
 * endpoint decides (the anonymous registry token where anonymous reads are on; a refusal, in the
 * registry's error format, of a token that is not one or, with anonymous reads off, of no token).
 * `requireReader` (the composition root's check where anonymous reads are off) runs before every
 * route but the version check. What goes wrong before a route answers (a Host header the token
 * realm cannot be built from, a reader check) is answered in the registry's error format too, with
 * its status: a client's mistake is a 400 that says what was wrong, never a 500.
 */
export async function ociRootPlugin(
  fastify: FastifyInstance,
  options: { readonly repositories: readonly string[]; readonly requireReader: RequestCheck | null; readonly publicUrl: string | null; readonly catalog: readonly CatalogSource[] },
): Promise<void> {
  const names = options.repositories.join(', ');
  const readers = options.requireReader === null ? [] : [options.requireReader];
  ociErrorHandler(fastify);
  fastify.get('/v2/', async (request, reply) => {
    // Registry clients send credentials only once this check has challenged them: were it to
    // answer 200 to a client without any, `docker login` would print "Login Succeeded" for any
    // password, never having sent it. A Basic challenge would do for skopeo and podman, which go
    // on anonymously when they have no credentials, but not for docker, which then refuses to
    // pull ("no basic auth credentials") and, at `docker login`, prints only the status of a
    // refusal. A Bearer challenge has every client ask the token endpoint: with its credentials
    // when it has some (a login, a push), without when it has none (an anonymous pull); the
    // endpoint's refusal (a token that is not one, anonymous reads off) is what the client prints.
    // A client that answered the challenge with the anonymous token is anonymous, and welcome.
    if (request.identity.kind === 'anonymous' && request.headers.authorization === undefined) {
      const realm = `${repositoryUrl(options.publicUrl, '-/oci', '/-/oci', request)}token`;
      reply.header('www-authenticate', `Bearer realm="${realm}",service="airlock"`);
      const message =
        options.requireReader === null
          ? 'ask the token endpoint for a token: without credentials for the anonymous one (anonymous reads are on), or log in with any user name and a token as the password'
          : 'this Airlock requires a token to read images; log in with any user name and a token as the password';
      return sendOciError(request, reply, new AirlockError('UNAUTHORIZED', message));
    }
    return reply.headers({ ...API_VERSION, 'content-type': 'application/json; charset=utf-8' }).send('{}');
  });
  // The Docker token protocol's token endpoint. A client with credentials (Basic: any user name,
  // an Airlock token as the password) gets its own token back to present as Bearer; one without
  // gets the anonymous registry token, which stands for no one. Credentials that are not a token
  // never get here: the app's auth hook refuses them with a 401 in the registry's error format,
  // which `docker login` prints. Where anonymous reads are off, the reader check refuses a client
  // without credentials, saying why.
  fastify.get('/-/oci/token', { onRequest: readers }, async (request, reply) => {
    const header = request.headers.authorization;
    const secret = request.identity.kind === 'token' && header !== undefined ? presentedSecret(header) : null;
    const token = secret ?? ANONYMOUS_REGISTRY_TOKEN;
    return reply
      .headers({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' })
      .send(JSON.stringify({ token, access_token: token, expires_in: TOKEN_SECONDS, issued_at: new Date().toISOString() }));
  });
  // The image repositories of the hosted oci repositories (registry-catalog.ts).
  fastify.get('/v2/_catalog', { onRequest: readers }, async (request, reply) => {
    try {
      const page = await listCatalog(options.catalog, request.identity, rawTarget(request, '/v2/_catalog').query, '/v2/_catalog');
      if (page.next !== null) reply.header('link', page.next);
      return reply.headers({ ...API_VERSION, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }).send(JSON.stringify({ repositories: page.repositories }));
    } catch (err) {
      return sendOciError(request, reply, err);
    }
  });
  fastify.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/v2/*',
    onRequest: readers,
    handler: async (request, reply) => {
      const path = request.url.slice('/v2/'.length).split('?')[0] ?? '';
      if (path.startsWith('_catalog')) return sendOciError(request, reply, new AirlockError('NOT_FOUND', 'the catalog is GET /v2/_catalog (with n and last to page)', { details: { ociCode: 'UNSUPPORTED', ociStatus: 405 } }));
      return sendOciError(request, reply, new AirlockError('NOT_FOUND', `no oci repository of this Airlock is named ${JSON.stringify(path.split('/')[0]?.slice(0, 64) ?? '')}: images are reached as <host>/<repository>/<image>, with the repository one of ${names}`, { details: { ociCode: 'NAME_UNKNOWN' } }));
    },
  });
}
