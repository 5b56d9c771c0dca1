/**
 * One ecosystem plugin per configured repository, mounted at `/<repo-name>/`: a proxy with its own
 * upstream client, a hosted repository with its packages read from (and published to) the
 * stores, a group serving through the repositories it names (registered after them). When
 * anonymous reads are off, every repository route needs a reader token.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { refusedAnonymous, refusedOutOfScope, requireRegistryReader } from '../api/auth/auth-hook.ts';
import { Admission, assertNever } from '../core/index.ts';
import { vulnerabilityAdvisories } from '../gate/index.ts';
import { UpstreamClient } from '../upstream/index.ts';
import type { NpmPluginOptions } from '../ecosystems/npm/index.ts';
import type { NpmMember } from '../ecosystems/npm/index.ts';
import type { PypiMember } from '../ecosystems/pypi/index.ts';
import type { OciMember } from '../ecosystems/oci/index.ts';
import type { AirlockConfig, GroupRepositoryConfig, HostedRepositoryConfig, ProxyRepositoryConfig, ServingRepositoryConfig } from './config/types.ts';
import { proxyEnvFor } from './upstream-proxy.ts';
import type { AirlockServices } from './services.ts';
import { cacheBudget } from './cache-budget.ts';
import { noDownloads, RepositoryTrust, trustSettings, upstreamFetcher } from './repository-trust.ts';

/** Where a repository is served on this server: `/<name>/`, or below the registry API (`/v2/<name>/`) for an oci repository. */
export function repositoryPath(repo: { readonly name: string; readonly format: string }): string {
  return repo.format === 'oci' ? `/v2/${repo.name}/` : `/${repo.name}/`;
}

function upstreamHeaders(repo: ProxyRepositoryConfig): Record<string, string> {
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

/**
 * Every upstream request carries this header with the app's own random id. A request that arrives
 * with it came from this Airlock: the repository's upstream leads back here (through a name,
 * address or port forward the start-up check could not see), and answering it would only make
 * the request wait on itself.
 */
export const LOOP_HEADER = 'airlock-instance';

export function upstreamClientFor(repo: ProxyRepositoryConfig, instanceId: string, env: NodeJS.ProcessEnv = process.env): UpstreamClient {
  return new UpstreamClient({
    name: repo.name,
    url: repo.upstream,
    connectTimeoutMs: repo.timeouts.connectMs,
    headersTimeoutMs: repo.timeouts.headersMs,
    bodyTimeoutMs: repo.timeouts.bodyMs,
    headers: { ...upstreamHeaders(repo), [LOOP_HEADER]: instanceId },
    ...(repo.ca === null ? {} : { ca: repo.ca.pems }),
    proxyEnv: proxyEnvFor(repo.proxy, env, new URL(repo.upstream)),
  });
}

/**
 * The client for the TUF repository a repository keeps its Sigstore trusted root or its registry
 * keys current through. It goes the way the repository's own connections go (its proxy, with the
 * TUF host checked against the no-proxy list and loopback), with no upstream credentials. A
 * TLS-inspecting proxy re-signs every host with the repository's `ca`, so that is trusted, next
 * to the runtime's own roots for a public TUF host the `ca` (a private registry's) does not
 * cover: TUF checks every file's signatures whoever serves it, so wider TLS trust cannot let a
 * forged file through.
 */
export function tufUpstreamFor(repo: ProxyRepositoryConfig, url: string, env: NodeJS.ProcessEnv = process.env): UpstreamClient {
  return new UpstreamClient({
    name: `${repo.name} (Sigstore TUF)`,
    url,
    connectTimeoutMs: repo.timeouts.connectMs,
    headersTimeoutMs: repo.timeouts.headersMs,
    bodyTimeoutMs: repo.timeouts.bodyMs,
    connections: 2,
    ...(repo.ca === null ? {} : { ca: [...getCACertificates('default'), ...repo.ca.pems] }),
    proxyEnv: proxyEnvFor(repo.proxy, env, new URL(url)),
  });
}

/**
 * The trusted root a proxy's attestations are checked against, and (npm) the registry's keys;
 * kept current through TUF when configured, and stopped with the scope.
 */
async function startTrust(scope: FastifyInstance, repo: ProxyRepositoryConfig, config: AirlockConfig, services: AirlockServices): Promise<RepositoryTrust> {
  const settings = trustSettings(repo);
  const tuf = settings.tuf === null ? null : tufUpstreamFor(repo, settings.tuf.url);
  const trust = new RepositoryTrust(settings, {
    dir: join(config.storage.dataDir, 'sigstore-tuf', repo.name),
    log: scope.log,
    onChange: () => services.gate.invalidate(),
    download: tuf === null ? noDownloads : upstreamFetcher(tuf),
  });
  await trust.start();
  scope.addHook('onClose', async () => {
    await trust.close();
    await tuf?.close();
  });
  return trust;
}

async function registerNpm(scope: FastifyInstance, repo: ServingRepositoryConfig, config: AirlockConfig, services: AirlockServices, upstream: UpstreamClient | null, audits: Admission, expose: (m: NpmMember) => void): Promise<void> {
  if (repo.kind === 'hosted') return registerHostedNpm(scope, repo, config, services, audits, expose);
  if (upstream === null) throw new Error(`repository ${repo.name}: a proxy without its upstream client`);
  const { npmPlugin } = await import('../ecosystems/npm/index.ts');
  const trust = await startTrust(scope, repo, config, services);
  await scope.register(npmPlugin, {
    ...npmOptions(repo, config, services, audits),
    upstream,
    registryKeys: trust.signatureKeys,
    attestationKeys: trust.attestationKeys,
    sigstoreRoot: trust.sigstoreRoot,
    expose,
  });
}

/** What every repository's plugin is given, whatever its format and kind. */
function repositoryOptions(repo: ServingRepositoryConfig, config: AirlockConfig, services: AirlockServices) {
  return {
    repo: repo.name,
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
    artifactUse: services.artifactUse,
    cacheBytes: cacheBudget(config.server.cacheMemoryBytes, config.repositories).repository(repo.kind),
  };
}

/** What every npm repository's plugin is given, whatever its kind. */
function npmOptions(repo: ServingRepositoryConfig, config: AirlockConfig, services: AirlockServices, audits: Admission): Omit<NpmPluginOptions, 'upstream'> {
  return {
    ...repositoryOptions(repo, config, services),
    sources: services.sources,
    advisories: vulnerabilityAdvisories(services.storage.signals),
    audits,
  };
}

/**
 * A hosted repository: its packages come from the stores (`HostedOrigin`) and go through the same
 * gate as a proxy's. No registry signs them, so no registry key is trusted for them.
 */
async function registerHostedNpm(scope: FastifyInstance, repo: HostedRepositoryConfig, config: AirlockConfig, services: AirlockServices, audits: Admission, expose: (m: NpmMember) => void): Promise<void> {
  const { npmPlugin, HostedOrigin } = await import('../ecosystems/npm/index.ts');
  const { metadata, blobs } = services.storage;
  await scope.register(npmPlugin, {
    ...npmOptions(repo, config, services, audits),
    upstream: new HostedOrigin(repo.name, metadata, blobs, services.clock),
    hosted: metadata,
    unpublish: repo.unpublish,
    published: (name) => services.hostedNames.note('npm', name),
    expose,
  });
}

/**
 * A pypi proxy: the simple index's client, and the files host's when the index links files on
 * another origin (PyPI's files host), which goes the repository's way too (proxy, TLS trust).
 */
async function registerPypi(scope: FastifyInstance, repo: ProxyRepositoryConfig, config: AirlockConfig, services: AirlockServices, index: UpstreamClient, instanceId: string, expose: (m: PypiMember) => void): Promise<void> {
  const { pypiPlugin } = await import('../ecosystems/pypi/index.ts');
  // The index's credentials are the index's: the files host gets none.
  const files = repo.filesUpstream === null ? null : upstreamClientFor({ ...repo, upstream: repo.filesUpstream, upstreamAuth: null }, instanceId);
  if (files !== null) {
    services.metrics.watchCircuit(repo.name, 'filesUpstream', () => files.circuit);
    scope.addHook('onClose', async () => {
      await files.close();
    });
  }
  // PEP 740 attestations are checked against the repository's Sigstore trusted root.
  const trust = await startTrust(scope, repo, config, services);
  await scope.register(pypiPlugin, { ...repositoryOptions(repo, config, services), index, files, sigstoreRoot: trust.sigstoreRoot, sources: services.sources, expose });
}

/**
 * A hosted pypi repository: twine uploads to it, and its projects come from the stores
 * (`PypiHostedOrigin`) through the same gate as a proxy's. Nothing attests them, so no Sigstore
 * root is kept current for them.
 */
async function registerHostedPypi(scope: FastifyInstance, repo: HostedRepositoryConfig, config: AirlockConfig, services: AirlockServices, expose: (m: PypiMember) => void): Promise<void> {
  const { pypiPlugin, PypiHostedOrigin } = await import('../ecosystems/pypi/index.ts');
  const { metadata, blobs } = services.storage;
  await scope.register(pypiPlugin, {
    ...repositoryOptions(repo, config, services),
    index: new PypiHostedOrigin(repo.name, metadata, blobs),
    files: null,
    hosted: metadata,
    unpublish: repo.unpublish,
    published: (name) => services.hostedNames.note('pypi', name),
    sources: services.sources,
    expose,
  });
}

/** A huggingface proxy: the Hub's API and files through the gate, its model files scanned. */
async function registerHuggingface(scope: FastifyInstance, repo: ProxyRepositoryConfig, config: AirlockConfig, services: AirlockServices, upstream: UpstreamClient): Promise<void> {
  const { huggingfacePlugin } = await import('../ecosystems/huggingface/index.ts');
  const { blockedVersions: _unused, ...common } = repositoryOptions(repo, config, services);
  // Keyless model signatures are checked against the repository's Sigstore trusted root.
  const trust = await startTrust(scope, repo, config, services);
  await scope.register(huggingfacePlugin, { ...common, upstream, scanPool: services.modelScanPool, sigstoreRoot: trust.sigstoreRoot, ...(repo.modelSigning === undefined ? {} : { modelSigning: repo.modelSigning }), sources: services.sources });
}

/**
 * An oci proxy: the registry's `/v2/` API through the gate, with its token protocol (a token
 * realm is reached the repository's way too: its proxy, its TLS trust, none of its headers).
 */
async function registerOci(scope: FastifyInstance, repo: ProxyRepositoryConfig, config: AirlockConfig, services: AirlockServices, upstream: UpstreamClient, instanceId: string, expose: (m: OciMember) => void): Promise<void> {
  const { ociPlugin, RegistryUpstream } = await import('../ecosystems/oci/index.ts');
  const auth = repo.upstreamAuth;
  const registry = new RegistryUpstream({
    upstream,
    realmClient: (origin) => upstreamClientFor({ ...repo, upstream: origin.href, upstreamAuth: null }, instanceId),
    basic: auth?.kind === 'basic' ? { username: auth.username, password: auth.password.reveal() } : null,
  });
  scope.addHook('onClose', async () => {
    await registry.close();
  });
  const { blockedVersions: _unused, ...common } = repositoryOptions(repo, config, services);
  // Keyless cosign signatures are checked against the repository's Sigstore trusted root.
  const trust = await startTrust(scope, repo, config, services);
  await scope.register(ociPlugin, { ...common, upstream: registry, scanPool: services.modelScanPool, sigstoreRoot: trust.sigstoreRoot, cosignKeys: repo.cosignKeys ?? [], defaultNamespace: repo.defaultNamespace ?? null, sources: services.sources, expose });
}

/**
 * A hosted oci repository: images pushed to Airlock (a publisher token), kept in its stores and
 * judged by the gate when they are pulled. Keyless cosign signatures of pushed images are checked
 * against Sigstore's public-good root, key-based ones against the repository's `cosignKeys`.
 */
async function registerHostedOci(scope: FastifyInstance, repo: HostedRepositoryConfig, config: AirlockConfig, services: AirlockServices, expose: (m: OciMember) => void): Promise<void> {
  const { ociPlugin } = await import('../ecosystems/oci/index.ts');
  const { blockedVersions: _unused, ...common } = repositoryOptions(repo, config, services);
  await scope.register(ociPlugin, { ...common, scanPool: services.modelScanPool, hosted: { store: services.storage.metadata, deletes: repo.unpublish, uploadGraceMs: config.storage.sweepGraceMs }, cosignKeys: repo.cosignKeys ?? [], sources: services.sources, expose });
}

/** A group's members as their plugins exposed them, in its order, and the one it publishes to. */
function groupMembers<M>(repo: GroupRepositoryConfig, registered: ReadonlyMap<string, M>): { readonly members: readonly M[]; readonly publishTo: M | null } {
  const member = (name: string): M => {
    const m = registered.get(name);
    if (m === undefined) throw new Error(`group ${repo.name}: its member ${name} is not registered`);
    return m;
  };
  return { members: repo.members.map(member), publishTo: repo.publishTo === null ? null : member(repo.publishTo) };
}

/** A pypi group: one index URL, each project from the first member that has it; uploads to publishTo. */
async function registerPypiGroup(scope: FastifyInstance, repo: GroupRepositoryConfig, config: AirlockConfig, services: AirlockServices, registered: ReadonlyMap<string, PypiMember>): Promise<void> {
  const { pypiGroupPlugin } = await import('../ecosystems/pypi/index.ts');
  await scope.register(pypiGroupPlugin, { repo: repo.name, ...groupMembers(repo, registered), gate: services.gate, publicUrl: config.server.publicUrl, clock: services.clock, sources: services.sources });
}

/** An oci group: one registry path, each image repository from the first member that has it; pushes to publishTo. */
async function registerOciGroup(scope: FastifyInstance, repo: GroupRepositoryConfig, config: AirlockConfig, services: AirlockServices, registered: ReadonlyMap<string, OciMember>): Promise<void> {
  const { ociGroupPlugin } = await import('../ecosystems/oci/index.ts');
  await scope.register(ociGroupPlugin, { repo: repo.name, ...groupMembers(repo, registered), gate: services.gate, publicUrl: config.server.publicUrl, clock: services.clock, sources: services.sources });
}

/** An npm group: its members' routes under one URL, each package from the first member that has it; publishes to publishTo. */
async function registerNpmGroup(scope: FastifyInstance, repo: GroupRepositoryConfig, config: AirlockConfig, services: AirlockServices, audits: Admission, registered: ReadonlyMap<string, NpmMember>): Promise<void> {
  const { npmGroupPlugin } = await import('../ecosystems/npm/index.ts');
  await scope.register(npmGroupPlugin, {
    repo: repo.name,
    ...groupMembers(repo, registered),
    gate: services.gate,
    publicUrl: config.server.publicUrl,
    clock: services.clock,
    sources: services.sources,
    audits,
  });
}

export async function registerRepositories(app: FastifyInstance, config: AirlockConfig, services: AirlockServices): Promise<void> {
  const instanceId = randomBytes(16).toString('base64url');
  const members = new Map<string, NpmMember>();
  // npm audits at work and waiting: one admission for every npm repository, since their memory is the process's.
  const npmAudits = new Admission(config.server.audits.concurrency, config.server.audits.queue);
  if (config.repositories.some((r) => r.format === 'npm')) services.metrics.watchAdmission('npm_audit', npmAudits);
  const pypiMembers = new Map<string, PypiMember>();
  const ociMembers = new Map<string, OciMember>();
  // Groups last: they serve through the repositories they name.
  const ordered = [...config.repositories.filter((r) => r.kind !== 'group'), ...config.repositories.filter((r) => r.kind === 'group')];
  for (const repo of ordered) {
    const upstream = repo.kind === 'proxy' ? upstreamClientFor(repo, instanceId) : null;
    if (upstream !== null) {
      services.metrics.watchCircuit(repo.name, 'upstream', () => upstream.circuit);
      app.addHook('onClose', async () => {
        await upstream.close();
      });
    }
    await app.register(
      async (scope) => {
        // One hook for every request to the repository, in Fastify's callback form (it does no
        // asynchronous work: no promise for each request), checking in turn: a request from
        // this Airlock itself (a loop), a reader where anonymous reads are off (a registry client
        // asks for credentials when told how, a Basic challenge, and reads errors in its own
        // format), and a token limited to other repositories.
        const readers = !config.access.anonymousRead;
        const registry = repo.format === 'oci';
        scope.addHook('onRequest', (request, reply, done) => {
          if (request.headers[LOOP_HEADER] === instanceId) {
            reply.code(508).send({
              error: `this request came from this Airlock: the upstream of repository ${repo.name} (${repo.kind === 'proxy' ? repo.upstream : 'none'}) leads back to it; point the repository at the registry it should proxy`,
              code: 'LOOP_DETECTED',
            });
            return;
          }
          if (readers && refusedAnonymous(request, reply, registry)) return;
          if (!refusedOutOfScope(request, reply, repo.name)) done();
        });
        const format = repo.format;
        switch (format) {
          case 'npm':
            if (repo.kind === 'group') await registerNpmGroup(scope, repo, config, services, npmAudits, members);
            else await registerNpm(scope, repo, config, services, upstream, npmAudits, (m) => members.set(repo.name, m));
            break;
          case 'pypi':
            if (repo.kind === 'group') await registerPypiGroup(scope, repo, config, services, pypiMembers);
            else if (repo.kind === 'hosted') await registerHostedPypi(scope, repo, config, services, (m) => pypiMembers.set(repo.name, m));
            else if (upstream === null) throw new Error(`repository ${repo.name}: a pypi proxy without its upstream client`);
            else await registerPypi(scope, repo, config, services, upstream, instanceId, (m) => pypiMembers.set(repo.name, m));
            break;
          case 'huggingface':
            if (repo.kind !== 'proxy' || upstream === null) throw new Error(`repository ${repo.name}: a huggingface repository is a proxy`);
            await registerHuggingface(scope, repo, config, services, upstream);
            break;
          case 'oci':
            if (repo.kind === 'group') await registerOciGroup(scope, repo, config, services, ociMembers);
            else if (repo.kind === 'hosted') await registerHostedOci(scope, repo, config, services, (m) => ociMembers.set(repo.name, m));
            else if (upstream === null) throw new Error(`repository ${repo.name}: an oci proxy without its upstream client`);
            else await registerOci(scope, repo, config, services, upstream, instanceId, (m) => ociMembers.set(repo.name, m));
            break;
          default:
            assertNever(format, 'repository format');
        }
      },
      // Registry clients find the API at /v2/ of a host: an oci repository's images are below it.
      { prefix: repositoryPath(repo).slice(0, -1) },
    );
  }
  const registries = config.repositories.filter((r) => r.format === 'oci').map((r) => r.name);
  if (registries.length > 0) {
    const { ociRootPlugin } = await import('../ecosystems/oci/index.ts');
    await app.register(async (scope) => {
      await scope.register(ociRootPlugin, {
        repositories: registries,
        // Every route of it but the version check, which challenges an anonymous client instead (to ask the token endpoint, which the check refuses).
        requireReader: config.access.anonymousRead ? null : requireRegistryReader,
        publicUrl: config.server.publicUrl,
        // `/v2/_catalog` lists the hosted repositories' image repositories.
        catalog: [...ociMembers.values()],
      });
    });
  }
}
