/**
 * One ecosystem plugin per configured repository, mounted at `/<repo-name>/`, with its own
 * upstream client. When anonymous reads are off, every repository route needs a reader token.
 */
import type { FastifyInstance } from 'fastify';
import { requireReader } from '../api/auth/auth-hook.ts';
import { assertNever } from '../core/index.ts';
import { UpstreamClient } from '../upstream/index.ts';
import type { AirlockConfig, RepositoryConfig } from './config/types.ts';
import { proxyEnvFor } from './upstream-proxy.ts';
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
