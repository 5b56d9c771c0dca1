/**
 * The composition root's service graph: storage, policy, gate, review workflow, tokens, metrics.
 * Built once per app; nothing here is a module-level singleton.
 */
import { createIdGenerator } from '../core/index.ts';
import { TokenService, type BootstrapResult } from '../api/auth/token-service.ts';
import { ExceptionService } from '../gate/exception-service.ts';
import { GateService } from '../gate/gate-service.ts';
import { QuarantineService } from '../gate/quarantine-service.ts';
import { ReviewIndex } from '../gate/review-index.ts';
import { ReviewSync } from '../gate/review-sync.ts';
import type { FactCollector } from '../gate/types.ts';
import { PolicyService } from '../policy/policy-service.ts';
import type { BlobStore, MetadataStore } from '../storage/ports/index.ts';
import type { AirlockConfig } from './config/types.ts';
import { AirlockMetrics } from './metrics/airlock-metrics.ts';

export interface StorageHandle {
  readonly metadata: MetadataStore;
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
  readonly quarantine: QuarantineService;
  readonly exceptions: ExceptionService;
  readonly tokens: TokenService;
  readonly metrics: AirlockMetrics;
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
  readonly collectors?: readonly FactCollector[];
}

export async function buildServices(config: AirlockConfig, deps: ServiceDeps): Promise<AirlockServices> {
  const clock = deps.clock ?? (() => new Date());
  const newId = createIdGenerator({ now: () => clock().getTime() });
  const store = deps.storage.metadata;
  const metrics = new AirlockMetrics();
  const log = deps.log;

  const policy = new PolicyService(
    {
      log,
      onReload: (result) => {
        metrics.policyReload(result.ok);
        if (result.ok && result.changed) {
          void store
            .appendAudit({ at: clock(), actor: 'system', action: 'policy.reload', subject: result.hash, details: { trigger: 'files changed' } })
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
      watch: config.policy.watch,
    },
  );
  await policy.start();
  metrics.policyActive(policy.hash, null);
  let lastHash = policy.hash;
  policy.onChange((hash) => {
    metrics.policyActive(hash, lastHash);
    lastHash = hash;
  });

  const reviews = new ReviewIndex();
  await reviews.load(store);
  const gate = new GateService(
    { policy, store, reviews, newId, clock, observer: metrics, log, ...(deps.collectors === undefined ? {} : { collectors: deps.collectors }) },
    { verdictCacheSize: config.policy.verdictCacheSize, reevaluateEveryMs: config.policy.reevaluateEveryMs },
  );
  const quarantine = new QuarantineService({ store, reviews, gate, clock });
  const exceptions = new ExceptionService({ store, gate, newId, clock });
  const tokens = new TokenService({ store, newId, clock });
  const reviewSync = new ReviewSync({ store, reviews, gate, log }, { intervalMs: config.policy.syncIntervalMs });
  let bootstrap: BootstrapResult;
  try {
    await reviewSync.start();
    bootstrap = await tokens.bootstrap(config.access.adminToken?.reveal() ?? null);
  } catch (err) {
    reviewSync.close();
    gate.close();
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
    quarantine,
    exceptions,
    tokens,
    metrics,
    newId,
    clock,
    bootstrap,
    async close() {
      reviewSync.close();
      gate.close();
      await policy.close();
    },
  };
}
