/**
 * Airlock's metrics: HTTP requests by route and status, decisions by phase and verdict, upstream
 * fetches and errors, cache hits, policy reloads, scheduled sweeps, process memory. One instance
 * per app.
 */
import { statfsSync } from 'node:fs';
import type { DecisionPhase } from '../../storage/ports/index.ts';
import type { SweepReport } from '../../storage/index.ts';
import type { VerdictKind } from '../../core/index.ts';
import type { DecisionSource, GateObserver } from '../../gate/index.ts';
import { Counter, Gauge, Histogram, Registry } from './registry.ts';

/** What ecosystem plugins report (passed to them in their options). */
export interface RepositoryMetrics {
  /** An upstream request finished: `fresh`, `not_modified`, `stale` (served stale on error) or `error`. */
  upstreamFetch(repo: string, kind: 'metadata' | 'artifact', outcome: 'fresh' | 'not_modified' | 'stale' | 'error'): void;
  /** A request was answered from Airlock's cache (`hit`) or needed the upstream (`miss`). */
  cache(repo: string, kind: 'metadata' | 'artifact', result: 'hit' | 'miss'): void;
}

export class AirlockMetrics implements GateObserver, RepositoryMetrics {
  readonly registry = new Registry();
  readonly #requests = this.registry.register(new Counter('airlock_http_requests_total', 'HTTP requests by route pattern, method and status.', ['route', 'method', 'status']));
  readonly #duration = this.registry.register(
    new Histogram('airlock_http_request_duration_seconds', 'HTTP request duration by route pattern.', ['route'], [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30]),
  );
  readonly #decisions = this.registry.register(
    new Counter('airlock_decisions_total', 'Gate decisions by phase, verdict, source and whether a cached verdict answered.', ['phase', 'verdict', 'source', 'cached']),
  );
  readonly #failures = this.registry.register(
    new Counter(
      'airlock_gate_failures_total',
      'Judgements the gate could not make and failed closed, by phase and kind: gate (its store or a fact collector failed) or policy (the policy failed).',
      ['phase', 'kind'],
    ),
  );
  readonly #upstream = this.registry.register(new Counter('airlock_upstream_requests_total', 'Upstream requests by repository, kind and outcome.', ['repo', 'kind', 'outcome']));
  readonly #upstreamErrors = this.registry.register(new Counter('airlock_upstream_errors_total', 'Upstream requests that failed, by repository and kind.', ['repo', 'kind']));
  readonly #cache = this.registry.register(new Counter('airlock_cache_requests_total', 'Cache lookups by repository, kind and result (hit or miss).', ['repo', 'kind', 'result']));
  readonly #reloads = this.registry.register(new Counter('airlock_policy_reloads_total', 'Policy reloads by result.', ['result']));
  readonly #bundleFetches = this.registry.register(
    new Counter('airlock_policy_bundle_fetches_total', 'Polls of the policy bundle server by result: activated, unchanged, not_modified (304) or error (not fetched, refused or not compiling; the active policy stays).', ['result']),
  );
  readonly #policy = this.registry.register(new Gauge('airlock_policy_info', 'The active policy (value 1, hash as a label).', ['hash']));
  readonly #webhookAttempts = this.registry.register(
    new Counter('airlock_webhook_attempts_total', 'Webhook delivery attempts, by webhook and result (delivered, or failed: retried later).', ['webhook', 'result']),
  );
  readonly #sweeps = this.registry.register(new Counter('airlock_sweeps_total', 'Scheduled blob-store sweeps by result (ok or error).', ['result']));
  readonly #swept = this.registry.register(
    new Counter('airlock_swept_blobs_total', 'Blobs scheduled sweeps removed, by reason: unreferenced (nothing refers to them) or unused (artifacts past the retention).', ['reason']),
  );
  readonly #sweptBytes = this.registry.register(new Counter('airlock_swept_bytes_total', 'Bytes of the blobs scheduled sweeps removed, by reason.', ['reason']));
  readonly #memory = this.registry.register(
    new Gauge('airlock_process_resident_memory_bytes', 'Resident set size of the gateway process.', [], (g) => g.set({}, process.memoryUsage.rss())),
  );

  /**
   * Report the space left on the file system holding the data directory, read when scraped: a
   * full disk stops Airlock judging anything new (it answers 503), so it is worth an alert before.
   */
  watchDataDir(dir: string): void {
    const read = (g: Gauge, field: 'bavail' | 'blocks'): void => {
      try {
        const s = statfsSync(dir);
        g.set({}, s[field] * s.bsize);
      } catch {
        // Gone or unreadable: leave the last figure; requests will say what is wrong.
      }
    };
    this.registry.register(new Gauge('airlock_data_dir_free_bytes', 'Bytes free to Airlock on the file system holding its data directory.', [], (g) => read(g, 'bavail')));
    this.registry.register(new Gauge('airlock_data_dir_size_bytes', 'Size of the file system holding the data directory.', [], (g) => read(g, 'blocks')));
  }

  /**
   * Report when the certificate served over HTTPS expires (its notAfter, seconds since the epoch),
   * read when scraped from `notAfter`, so that a rotation shows at the next scrape.
   */
  watchTlsCertificate(notAfter: () => Date): void {
    this.registry.register(
      new Gauge('airlock_tls_certificate_expiry_timestamp_seconds', 'When the certificate Airlock serves over HTTPS (server.tls) expires: its notAfter, in seconds since the epoch.', [], (g) =>
        g.set({}, Math.floor(notAfter().getTime() / 1000)),
      ),
    );
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.#requests.inc({ route, method, status: String(status) });
    this.#duration.observe({ route }, seconds);
  }

  decision(phase: DecisionPhase, verdict: VerdictKind, source: DecisionSource, cached: boolean, count = 1): void {
    this.#decisions.inc({ phase, verdict, source, cached: cached ? 'true' : 'false' }, count);
  }

  failure(phase: DecisionPhase, kind: 'gate' | 'policy', count = 1): void {
    this.#failures.inc({ phase, kind }, count);
  }

  upstreamFetch(repo: string, kind: 'metadata' | 'artifact', outcome: 'fresh' | 'not_modified' | 'stale' | 'error'): void {
    this.#upstream.inc({ repo, kind, outcome });
    if (outcome === 'error' || outcome === 'stale') this.#upstreamErrors.inc({ repo, kind });
  }

  cache(repo: string, kind: 'metadata' | 'artifact', result: 'hit' | 'miss'): void {
    this.#cache.inc({ repo, kind, result });
  }

  policyReload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? 'ok' : 'error' });
  }

  policyBundle(result: 'activated' | 'unchanged' | 'not_modified' | 'error'): void {
    this.#bundleFetches.inc({ result });
  }

  policyActive(hash: string, previous: string | null): void {
    if (previous !== null) this.#policy.set({ hash: previous }, 0);
    this.#policy.set({ hash }, 1);
  }

  webhookAttempt(webhook: string, delivered: boolean): void {
    this.#webhookAttempts.inc({ webhook, result: delivered ? 'delivered' : 'failed' });
  }

  /** A scheduled sweep ended: its report, or null when it failed. */
  sweep(report: Pick<SweepReport, 'removed' | 'evicted'> | null): void {
    this.#sweeps.inc({ result: report === null ? 'error' : 'ok' });
    if (report === null) return;
    for (const [reason, tally] of [['unreferenced', report.removed], ['unused', report.evicted]] as const) {
      this.#swept.inc({ reason }, tally.count);
      this.#sweptBytes.inc({ reason }, tally.bytes);
    }
  }

  render(): string {
    return this.registry.render();
  }
}
