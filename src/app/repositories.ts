/**
 * One ecosystem plugin per configured repository, mounted at `/<repo-name>/`, with its own
 * upstream client. When anonymous reads are off, every repository route needs a reader token.
 */
import type { FastifyInstance } from 'fastify';
import { requireReader } from '../api/auth/auth-hook.ts';
import { assertNever } from '../core/index.ts';
import { UpstreamClient } from '../upstream/index.ts';
import type { AirlockConfig, ProxyConfig, RepositoryConfig } from './config/types.ts';
import type { AirlockServices } from './services.ts';
import { cacheBudget } from './cache-budget.ts';

function upstreamHeaders(repo: RepositoryConfig): Record<string, string> {
  const auth = repo.upstreamAuth;
  if (auth === null) return {};
  switch (auth.kind) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token.reveal()}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString('base64')}` };
    default:
      return assertNever(auth, 'upstream auth');
  }
}

/** `localhost`, a name under it, or an address in 127.0.0.0/8 or ::1: this machine, which no proxy can reach for it. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '[::1]' || h === '::1';
}

/**
 * The proxy variables a repository's connections follow: the environment's, none, or its own
 * proxy's. An upstream on this machine (a local Verdaccio, say) is always reached directly: a
 * proxy elsewhere would reach its own loopback, and a proxy in the environment for the internet
 * should not break a local upstream that `NO_PROXY` happens not to list.
 */
export function proxyEnvFor(proxy: ProxyConfig, env: NodeJS.ProcessEnv, upstream?: URL): Record<string, string> {
  if (upstream !== undefined && isLoopbackHost(upstream.hostname)) return {};
  switch (proxy.kind) {
    case 'env': {
      const out: Record<string, string> = {};
      for (const k of PROXY_VARIABLES) {
        const v = env[k];
        if (v !== undefined && v !== '') out[k] = v;
      }
      return out;
    }
    case 'none':
      return {};
    case 'url': {
      const url = new URL(proxy.url);
      if (proxy.username !== null && proxy.password !== null) {
        url.username = encodeURIComponent(proxy.username);
        url.password = encodeURIComponent(proxy.password.reveal());
      }
      return { HTTP_PROXY: url.href, HTTPS_PROXY: url.href };
    }
    default:
      return assertNever(proxy, 'proxy setting');
  }
}

/** The variables Node's proxy support reads (both cases; the lower-case one wins, as in curl). */
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

export function upstreamClientFor(repo: RepositoryConfig, env: NodeJS.ProcessEnv = process.env): UpstreamClient {
  return new UpstreamClient({
    name: repo.name,
    url: repo.upstream,
    connectTimeoutMs: repo.timeouts.connectMs,
    headersTimeoutMs: repo.timeouts.headersMs,
    bodyTimeoutMs: repo.timeouts.bodyMs,
    headers: upstreamHeaders(repo),
    proxyEnv: proxyEnvFor(repo.proxy, env, new URL(repo.upstream)),
  });
}

async function registerNpm(scope: FastifyInstance, repo: RepositoryConfig, config: AirlockConfig, services: AirlockServices, upstream: UpstreamClient): Promise<void> {
  const { npmPlugin } = await import('../ecosystems/npm/index.ts');
  await scope.register(npmPlugin, {
    repo: repo.name,
    upstream,
    gate: services.gate,
    blobs: services.storage.blobs,
    store: services.storage.metadata,
    metrics: services.metrics,
    publicUrl: config.server.publicUrl,
    metadataMaxAgeMs: repo.metadataMaxAgeMs,
    blockedVersions: repo.blockedVersions,
    maxArtifactBytes: repo.maxArtifactBytes,
    maxMetadataBytes: repo.maxMetadataBytes,
    clock: services.clock,
    sources: services.sources,
    cacheBytes: cacheBudget(config.server.cacheMemoryBytes, config.repositories.length).perRepository,
  });
}

export async function registerRepositories(app: FastifyInstance, config: AirlockConfig, services: AirlockServices): Promise<void> {
  for (const repo of config.repositories) {
    const upstream = upstreamClientFor(repo);
    app.addHook('onClose', async () => {
      await upstream.close();
    });
    await app.register(
      async (scope) => {
        if (!config.access.anonymousRead) scope.addHook('onRequest', requireReader);
        switch (repo.format) {
          case 'npm':
            await registerNpm(scope, repo, config, services, upstream);
            break;
          default:
            assertNever(repo.format, 'repository format');
        }
      },
      { prefix: `/${repo.name}` },
    );
  }
}
