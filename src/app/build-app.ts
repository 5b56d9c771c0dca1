/**
 * The composition root: `buildApp(config, deps)` opens storage, compiles the policy, wires the
 * gate, review workflow, tokens and metrics, and registers the admin API and one ecosystem plugin
 * per repository at `/<repo-name>/`. It returns a ready Fastify instance that has not started
 * listening (`server.ts` listens; tests use `inject()`).
 */
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { adminApi } from '../api/admin-api.ts';
import { mcpEndpoint } from '../api/mcp/index.ts';
import { publicUrl } from '../api/routes/repository-routes.ts';
import { registerAuthHook } from '../api/auth/auth-hook.ts';
import { ssoRoutes } from '../api/auth/sso/index.ts';
import type { FactCollector } from '../gate/types.ts';
import { openConfiguredStorage } from './storage.ts';
import type { AirlockConfig } from './config/types.ts';
import { accessLogger, createLogger, lazyChildren } from './logger.ts';
import { registerRepositories, repositoryPath } from './repositories.ts';
import { registerWebUi } from './web-ui.ts';
import { answerClientError } from './client-error.ts';
import { sendBadRequest, sendNotFound, sendUncaught, sendUnroutable } from '../ecosystems/oci/unroutable.ts';
import { buildServices, type AirlockServices, type StorageHandle } from './services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's services (composition root; for the CLI and tests). */
    airlock: AirlockServices;
  }
}

export interface AppDeps {
  /** Opened storage to use instead of the data directory's (tests). Closed with the app. */
  readonly storage?: StorageHandle;
  /** A pino logger; default: one at the configured level writing JSON lines to stdout. */
  readonly logger?: Logger;
  readonly clock?: () => Date;
  /** Receives the one-time line announcing a freshly created admin token (default: stderr). */
  readonly announce?: (line: string) => void;
  /** Gate-side fact collectors, instead of the built-in signal collectors (tests). */
  readonly collectors?: readonly FactCollector[];
  /** Base for relative policy paths (default: process.cwd()). */
  readonly cwd?: string;
  /** Build before returning what the first requests would otherwise wait for (`airlock serve`). */
  readonly warmUp?: boolean;
  /** Serve HTTPS with these options (`server.ts`, from `server.tls`); absent: plain HTTP. */
  readonly https?: HttpsServerOptions;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(config: AirlockConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger(config.server.logLevel);
  const storage = deps.storage ?? (await openConfiguredStorage(config.storage, logger));
  let services: AirlockServices;
  try {
    services = await buildServices(config, {
      storage,
      log: logger,
      cwd: deps.cwd ?? process.cwd(),
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(deps.collectors === undefined ? {} : { collectors: deps.collectors }),
      warmUp: deps.warmUp ?? false,
    });
  } catch (err) {
    await storage.close();
    throw err;
  }
  const announce = deps.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (services.bootstrap.kind === 'created') {
    announce(`airlock: created an admin token (shown only this once): ${services.bootstrap.token.token}`);
    logger.warn({ tokenId: services.bootstrap.token.id }, 'created the bootstrap admin token; store it now, it is not shown again');
  }

  const newId = services.newId;
  const app = Fastify({
    ...(deps.https === undefined ? {} : { https: deps.https }),
    loggerInstance: lazyChildren(logger) as FastifyBaseLogger,
    trustProxy: config.server.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : newId();
    },
    routerOptions: { ignoreDuplicateSlashes: false, maxParamLength: 1024 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A field a request body schema does not name is refused, not dropped: a misspelt expiry or
    // limit would otherwise be taken as no expiry or no limit (Fastify's validator removes them).
    ajv: { customOptions: { removeAdditional: false } },
    // One access line per request (below) instead of Fastify's two (received, completed).
    logController: new LogController({ disableRequestLogging: true }),
    // A path the router cannot take (broken percent-encoding, an overlong segment): 400 saying so,
    // in the registry's error format under /v2/ and /-/oci/, where clients read nothing else.
    frameworkErrors: (err, request, reply) => sendUnroutable(err, request, reply),
    // Bytes that are no HTTP request at all: answered in Airlock's format, and the connection closed.
    clientErrorHandler: answerClientError,
  });
  app.decorate('airlock', services);
  app.addHook('onClose', async () => {
    await services.close();
    await storage.close();
  });

  // The first hook: the request is counted before any other can answer (and so end) it, and its
  // answer carries its id whatever answers it (a refused credential too). It does no asynchronous
  // work, so it takes Fastify's callback form: no promise and no microtask for each request.
  app.addHook('onRequest', (request, reply, done) => {
    services.metrics.requestStarted(reply.raw);
    reply.header('x-request-id', String(request.id));
    // Behind a trusted proxy its X-Forwarded-Proto becomes the scheme of the URLs Airlock builds
    // (ecosystems/shared/base-url.ts): anything but http or https is refused here, for every route,
    // in the registry's error format under /v2/ (registry clients read no other).
    if (config.server.trustProxy && !/^https?$/i.test(request.protocol)) {
      sendBadRequest(request, reply, 'invalid X-Forwarded-Proto header (http or https)');
      return;
    }
    done();
  });
  registerAuthHook(app, services.tokens);
  const accessLog = config.server.accessLog ? accessLogger(logger) : null;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    services.metrics.request(route, request.method, reply.statusCode, ms / 1000);
    accessLog?.info({ reqId: request.id, method: request.method, url: request.url.slice(0, 1024), status: reply.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
    done();
  });

  app.get('/-/health', async () => ({ status: 'ok', policy: services.policy.hash, repositories: config.repositories.map((r) => r.name) }));
  app.get('/-/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(services.metrics.render()));
  await app.register(adminApi, {
    prefix: '/-/api',
    quarantine: services.quarantine,
    exceptions: services.exceptions,
    tokens: services.tokens,
    oidc: services.oidc,
    oidcRateLimit: config.access.oidc.rateLimit,
    decisions: storage.metadata,
    audit: storage.metadata,
    policy: services.policy,
    clock: services.clock,
    check: services.check,
    changes: services.changes,
    missing: storage.signals,
    repositories: config.repositories.map((r) => ({
      name: r.name,
      format: r.format,
      path: repositoryPath(r),
      kind: r.kind,
      upstream: r.kind === 'proxy' ? publicUrl(r.upstream) : null,
      ...(r.kind === 'group' ? { members: r.members } : {}),
    })),
    webhooks: services.webhooks,
    vulnerabilities: { feeds: storage.signals, artifacts: storage.metadata },
    inventory: { feeds: storage.signals, artifacts: storage.metadata, clock: services.clock },
  });
  await app.register(ssoRoutes, { prefix: '/-/sso', sso: services.sso, secure: config.server.publicUrl?.startsWith('https:') === true, clock: services.clock });
  // Coding agents' MCP endpoint: the pre-flight check as tools, beside (not inside) the admin API,
  // as it answers in JSON-RPC rather than the API's {error, code}.
  await app.register(mcpEndpoint, {
    prefix: '/-/mcp',
    check: services.check,
    quarantine: services.quarantine,
    clock: services.clock,
    publicUrl: config.server.publicUrl,
    rateLimit: config.access.mcp.rateLimit,
  });
  await registerWebUi(app);
  await registerRepositories(app, config, services);
  // Under /v2/ and /-/oci/ in the registry's format, which is all registry clients read;
  // elsewhere Airlock's {error, code}.
  app.setNotFoundHandler(sendNotFound);
  app.setErrorHandler(sendUncaught);
  await app.ready();
  return app;
}
