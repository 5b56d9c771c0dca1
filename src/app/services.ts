/**
 * The composition root's service graph: storage, policy, gate, review workflow, tokens, metrics.
 * Built once per app; nothing here is a module-level singleton.
 */
import { HostedNames } from './hosted-names.ts';
import { createIdGenerator } from '../core/index.ts';
import { TokenService, type BootstrapResult } from '../api/auth/token-service.ts';
import { OidcExchange } from '../api/auth/oidc/index.ts';
import { SsoService } from '../api/auth/sso/index.ts';
import { OidcFetcher } from './oidc-fetch.ts';
import { ExceptionService } from '../gate/exception-service.ts';
import { GateService } from '../gate/gate-service.ts';
import { QuarantineService } from '../gate/quarantine-service.ts';
import { ReviewIndex } from '../gate/review-index.ts';
import { ReviewSync } from '../gate/review-sync.ts';
import type { FactCollector } from '../gate/types.ts';
import { FeedWatch } from '../gate/feed-watch.ts';
import { CheckService } from '../gate/check-service.ts';
import { VersionChanges } from '../gate/version-changes.ts';
import { PackageSources } from '../gate/package-sources.ts';
import { PolicyService } from '../policy/policy-service.ts';
import { httpBundleFetcher } from './policy-bundle/fetcher.ts';
import { PolicyBundleStore } from './policy-bundle/store.ts';
import { PolicyBundleSync } from './policy-bundle/sync.ts';
import { createSignalCollectors, lazyLookalikeIndexes, warmLookalikeIndexes, type LookalikeIndexSource, type SignalCollectors } from '../signals/index.ts';
import type { BlobStore, MetadataStore, SignalStore } from '../storage/ports/index.ts';
import { ArtifactUse } from '../storage/artifact-use.ts';
import type { AirlockConfig } from './config/types.ts';
import { AirlockMetrics } from './metrics/airlock-metrics.ts';
import { PROCESS_WIDE } from './metrics/cache-metrics.ts';
import { ScheduledSweep } from './storage-sweep.ts';
import { cacheBudget } from './cache-budget.ts';
import { Webhooks } from '../webhooks/index.ts';
import { ScanWorkerPool } from '../scan/worker/index.ts';
import { modelScanPoolOptions } from './model-scan-pool.ts';
import { webhookDefinitions } from './webhooks.ts';

export interface StorageHandle {
  readonly metadata: MetadataStore;
  /** Risk-signal storage (missing names, first sightings, feeds, fact cache). */
  readonly signals: SignalStore;
  readonly blobs: BlobStore;
  close(): Promise<void>;
}

export interface ServiceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AirlockServices {
  readonly config: AirlockConfig;
  readonly storage: StorageHandle;
  readonly policy: PolicyService;
  readonly gate: GateService;
  readonly reviews: ReviewIndex;
  /** Picks up review changes made by other gateways sharing the store. */
  readonly reviewSync: ReviewSync;
  /** Notices feed imports (from any process) and invalidates cached facts and verdicts. */
  readonly feedWatch: FeedWatch;
  /** The look-alike indexes (built at start-up for the ecosystems served when warming up, else on first use). */
  readonly lookalike: LookalikeIndexSource;
  /** The names published to hosted repositories (internal names for the signals). */
  readonly hostedNames: HostedNames;
  /** Ecosystem repositories register here; the check service asks them. */
  readonly sources: PackageSources;
  readonly check: CheckService;
  /** What a reviewed version changed since the one before it. */
  readonly changes: VersionChanges;
  readonly quarantine: QuarantineService;
  readonly exceptions: ExceptionService;
  readonly tokens: TokenService;
  /** CI jobs' OIDC ID tokens exchanged for short-lived tokens (`access.oidc`). */
  readonly oidc: OidcExchange;
  /** Single sign-on to the review UI (`access.sso`; null: not configured). */
  readonly sso: SsoService | null;
  readonly metrics: AirlockMetrics;
  /** The scheduled sweep of blobs nothing refers to (`storage.sweepEvery`). */
  readonly sweep: ScheduledSweep;
  /** Artifact downloads, written behind, for the sweep's artifact retention (`storage.artifactRetention`). */
  readonly artifactUse: ArtifactUse;
  /** Audit events delivered to the configured webhooks. */
  readonly webhooks: Webhooks;
  /** The worker threads model files are scanned in (huggingface and oci repositories); none start until the first scan. */
  readonly modelScanPool: ScanWorkerPool;
  readonly newId: () => string;
  readonly clock: () => Date;
  /** What start-up did about the admin token (the created secret is shown once). */
  readonly bootstrap: BootstrapResult;
  close(): Promise<void>;
}

export interface ServiceDeps {
  readonly storage: StorageHandle;
  readonly log: ServiceLogger;
  readonly cwd: string;
  readonly clock?: () => Date;
  /** Replaces the built-in signal collectors (tests). */
  readonly collectors?: readonly FactCollector[];
  /**
   * Build the look-alike indexes of the ecosystems served now, not on the first package request
   * (a long-running server; an app built for tests or tools would only pay for them at start).
   */
  readonly warmUp?: boolean;
}

export async function buildServices(config: AirlockConfig, deps: ServiceDeps): Promise<AirlockServices> {
  const clock = deps.clock ?? (() => new Date());
  // Date.now, unless a clock is injected: an id per request need not build a Date.
  const newId = createIdGenerator(deps.clock === undefined ? {} : { now: () => clock().getTime() });
  const store = deps.storage.metadata;
  const metrics = new AirlockMetrics();
  metrics.watchDataDir(config.storage.dataDir);
  const log = deps.log;

  const policy = new PolicyService(
    {
      log,
      onReload: (result) => {
        metrics.policyReload(result.ok);
        if (result.ok && result.changed) {
          void store
            .appendAudit({ at: clock(), actor: 'system', action: 'policy.reload', subject: result.hash, details: result.details ?? { trigger: 'files changed' } })
            .catch((err: unknown) => log.error({ err }, 'could not audit the policy reload'));
        }
      },
    },
    {
      paths: config.policy.paths,
      cwd: deps.cwd,
      data: config.policy.data,
      onError: config.policy.onError,
      limits: { timeoutMs: config.policy.timeoutMs, maxSteps: config.policy.maxSteps },
      watch: config.policy.watch && config.policy.bundle === null,
      remote: config.policy.bundle !== null,
    },
  );
  // A policy from a bundle server: activated (from the server, else the copy kept in the data
  // directory) before anything below is built, or start-up fails; then polled.
  const bundleConfig = config.policy.bundle;
  const bundleSync =
    bundleConfig === null
      ? null
      : new PolicyBundleSync(
          {
            policy,
            fetcher: httpBundleFetcher(bundleConfig, process.env, 'airlock'),
            store: bundleConfig.persist ? new PolicyBundleStore(config.storage.dataDir) : null,
            log,
            observe: (outcome) => metrics.policyBundle(outcome),
            clock,
          },
          { config: bundleConfig, dataOverlay: config.policy.data },
        );
  if (bundleSync !== null) policy.useRemote(bundleSync);
  await policy.start();
  try {
    await bundleSync?.start();
  } catch (err) {
    await bundleSync?.close();
    throw err;
  }
  metrics.policyActive(policy.hash);
  policy.onChange((hash) => metrics.policyActive(hash));

  // A group's packages are judged as its members' (decisions name the member that served them).
  const kinds = new Map(config.repositories.flatMap((r) => (r.kind === 'group' ? [] : [[r.name, r.kind] as const])));
  const budget = cacheBudget(config.server.cacheMemoryBytes, config.repositories);
  const reviews = new ReviewIndex();
  await reviews.load(store);
  metrics.watchReviews(reviews, config.repositories.flatMap((r) => (r.kind === 'group' ? [] : [r.name])));
  // Names published to hosted repositories are internal names too (dependency confusion, look-alikes).
  const hostedNames = new HostedNames(
    {
      store,
      onChange: (ecosystem) => {
        lookalike.refresh(ecosystem);
        gate.invalidate();
        log.info({ ecosystem, names: hostedNames.names(ecosystem).length }, 'the names published to hosted repositories changed; verdicts will be recomputed');
      },
      log,
    },
    { intervalMs: config.signals.enabled ? config.policy.syncIntervalMs : 0 },
  );
  const lookalike = lazyLookalikeIndexes({
    internal: { npm: config.signals.internalNames.npm, pypi: config.signals.internalNames.pypi },
    published: (ecosystem) => hostedNames.names(ecosystem),
  });
  let signals: SignalCollectors | null = null;
  let collectors: readonly FactCollector[] = [];
  if (deps.collectors !== undefined) collectors = deps.collectors;
  else if (config.signals.enabled) {
    signals = createSignalCollectors({ store: deps.storage.signals, indexes: lookalike }, { factsTtlMs: config.signals.factsTtlMs, cacheBytes: budget.signals });
    collectors = signals.collectors;
  }
  const gate = new GateService(
    {
      policy,
      store,
      reviews,
      newId,
      clock,
      observer: metrics,
      log,
      collectors,
      repositoryKind: (repo) => kinds.get(repo) ?? 'proxy',
      ...(config.signals.enabled ? { missing: deps.storage.signals, served: deps.storage.signals } : {}),
    },
    { verdictCacheSize: config.policy.verdictCacheSize, verdictCacheBytes: budget.verdicts, reevaluateEveryMs: config.policy.reevaluateEveryMs },
  );
  metrics.watchCaches(PROCESS_WIDE, () => ({ ...gate.caches(), ...signals?.caches() }));
  const feedWatch = new FeedWatch(
    {
      feeds: deps.storage.signals,
      onChange: (revision) => {
        signals?.feedChanged();
        gate.invalidate();
        log.info({ revision }, 'known-malicious feeds changed; verdicts will be recomputed');
      },
      log,
    },
    { intervalMs: config.signals.feedPollMs },
  );
  const sources = new PackageSources();
  const check = new CheckService({ sources, gate, clock });
  const changes = new VersionChanges({ sources });
  const quarantine = new QuarantineService({ store, reviews, gate, clock });
  const exceptions = new ExceptionService({ store, gate, newId, clock });
  const tokens = new TokenService({ store, newId, clock });
  const oidcFetcher = new OidcFetcher(process.env, 'airlock');
  const oidc = new OidcExchange({ tokens, fetcher: oidcFetcher, clock, log }, { issuers: config.access.oidc.issuers });
  const sso = config.access.sso === null ? null : new SsoService({ http: oidcFetcher, tokens, clock }, config.access.sso);
  const reviewSync = new ReviewSync({ store, reviews, gate, tokens, log }, { intervalMs: config.policy.syncIntervalMs });
  const sweep = new ScheduledSweep(
    { storage: deps.storage, log, clock, metrics },
    { everyMs: config.storage.sweepEveryMs, graceMs: config.storage.sweepGraceMs, artifactRetentionMs: config.storage.artifactRetentionMs },
  );
  const artifactUse = new ArtifactUse({ index: store, clock, log });
  const webhooks = new Webhooks(
    { store, clock, log, observe: (name, attempt) => metrics.webhookAttempt(name, attempt.ok) },
    webhookDefinitions(config.webhooks, process.env, 'airlock', config.server.publicUrl),
  );
  const modelScanPool = new ScanWorkerPool(modelScanPoolOptions());
  let bootstrap: BootstrapResult;
  try {
    await reviewSync.start();
    await feedWatch.start();
    if (config.signals.enabled) await hostedNames.start();
    if (deps.warmUp === true && signals !== null) await warmLookalikeIndexes(lookalike, config.repositories.flatMap((r) => (r.format === 'huggingface' || r.format === 'oci' ? [] : [r.format])), log);
    bootstrap = await tokens.bootstrap(config.access.adminToken?.reveal() ?? null);
    sweep.start();
    artifactUse.start();
    await webhooks.start();
    metrics.start();
  } catch (err) {
    metrics.close();
    await oidcFetcher.close();
    await webhooks.close();
    await reviewSync.close();
    await feedWatch.close();
    await hostedNames.close();
    gate.close();
    await bundleSync?.close();
    await policy.close();
    throw err;
  }

  return {
    config,
    storage: deps.storage,
    policy,
    gate,
    reviews,
    reviewSync,
    feedWatch,
    hostedNames,
    lookalike,
    sources,
    check,
    changes,
    quarantine,
    exceptions,
    tokens,
    oidc,
    sso,
    metrics,
    newId,
    clock,
    bootstrap,
    sweep,
    artifactUse,
    webhooks,
    modelScanPool,
    async close() {
      metrics.close();
      await oidcFetcher.close();
      await webhooks.close();
      await reviewSync.close();
      await feedWatch.close();
      await hostedNames.close();
      gate.close();
      await sweep.close();
      await artifactUse.close();
      await modelScanPool.close();
      await bundleSync?.close();
      await policy.close();
    },
  };
}
