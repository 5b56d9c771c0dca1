/**
 * Airlock's metrics: HTTP requests by route and status (and in flight), decisions by phase and
 * verdict, upstream fetches, errors and circuit state, cache hits, policy reloads, scheduled
 * sweeps, the review backlog, the build, how full the in-memory caches are (`cache-metrics.ts`),
 * and the process and runtime metrics of `runtime-metrics.ts`. One instance per app; `start()`
 * and `close()` bound what it measures in the background.
 */
import { readFileSync, statfsSync } from 'node:fs';
import type { DecisionPhase } from '../../storage/ports/index.ts';
import type { SweepReport } from '../../storage/index.ts';
import type { Admission, CacheFills, VerdictKind } from '../../core/index.ts';
import type { DecisionSource, GateObserver, ReviewIndex } from '../../gate/index.ts';
import type { CircuitState } from '../../upstream/index.ts';
import type { RepositoryMetrics } from '../../ecosystems/shared/metrics.ts';
import { CacheMetrics } from './cache-metrics.ts';
import { Collected, Counter, Gauge, Histogram, Registry } from './registry.ts';
import { RuntimeMetrics, type RuntimeMetricsOptions } from './runtime-metrics.ts';

/** Airlock's version, from the package.json beside `src/`. */
function packageVersion(): string {
  try {
    const v: unknown = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half-open'];

export class AirlockMetrics implements GateObserver, RepositoryMetrics {
  readonly registry = new Registry();
  readonly #circuits: { readonly repo: string; readonly upstream: string; readonly state: () => CircuitState }[] = [];
  readonly #admissions: { readonly work: string; readonly admission: Pick<Admission, 'busy' | 'waiting' | 'turnedAway'> }[] = [];
  #inFlight = 0;
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
  /** The active policy's hash (null until one is active): the only series of airlock_policy_info. */
  #policyHash: string | null = null;
  readonly #webhookAttempts = this.registry.register(
    new Counter('airlock_webhook_attempts_total', 'Webhook delivery attempts, by webhook and result (delivered, or failed: retried later).', ['webhook', 'result']),
  );
  readonly #sweeps = this.registry.register(new Counter('airlock_sweeps_total', 'Scheduled blob-store sweeps by result (ok or error).', ['result']));
  readonly #swept = this.registry.register(
    new Counter('airlock_swept_blobs_total', 'Blobs scheduled sweeps removed, by reason: unreferenced (nothing refers to them) or unused (artifacts past the retention).', ['reason']),
  );
  readonly #sweptBytes = this.registry.register(new Counter('airlock_swept_bytes_total', 'Bytes of the blobs scheduled sweeps removed, by reason.', ['reason']));
  readonly #memory = this.registry.register(
    new Gauge('airlock_process_resident_memory_bytes', 'Resident set size of the gateway process; the same as process_resident_memory_bytes (kept for existing dashboards).', [], (g) => g.set({}, process.memoryUsage.rss())),
  );
  readonly #runtime: RuntimeMetrics;
  readonly #caches = new CacheMetrics(this.registry);

  constructor(options: { readonly runtime?: RuntimeMetricsOptions } = {}) {
    this.registry.register(new Gauge('airlock_build_info', 'The running Airlock (value 1): its version and the Node.js version it runs on, as labels.', ['version', 'node_version'])).set(
      { version: packageVersion(), node_version: process.version },
      1,
    );
    this.registry.register(
      new Collected('airlock_http_requests_in_flight', 'HTTP requests being answered (the scrape asking counts itself).', 'gauge', [], (emit) => emit({}, this.#inFlight)),
    );
    this.registry.register(
      new Collected(
        'airlock_upstream_circuit_state',
        'Circuit breaker state of each proxy repository\'s upstream (1 for the current state, 0 for the others): closed, open (failing fast) or half-open (letting one trial request through). upstream is the setting naming it: upstream, or filesUpstream (a pypi files host).',
        'gauge',
        ['repo', 'upstream', 'state'],
        (emit) => {
          for (const c of this.#circuits) {
            const now = c.state();
            for (const state of CIRCUIT_STATES) emit({ repo: c.repo, upstream: c.upstream, state }, state === now ? 1 : 0);
          }
        },
      ),
    );
    const admitted = (name: string, help: string, type: 'gauge' | 'counter', read: (a: Pick<Admission, 'busy' | 'waiting' | 'turnedAway'>) => number): void => {
      this.registry.register(new Collected(name, help, type, ['work'], (emit) => this.#admissions.forEach(({ work, admission }) => emit({ work }, read(admission)))));
    };
    admitted('airlock_admission_in_progress', 'Costly requests anyone may send (work: npm_audit) being answered now; at most a fixed number at once.', 'gauge', (a) => a.busy);
    admitted('airlock_admission_waiting', 'Such requests waiting their turn now (they hold a connection, not a body).', 'gauge', (a) => a.waiting);
    admitted('airlock_admission_turned_away_total', 'Such requests turned away with 503 and Retry-After: every place at work and in the queue was taken.', 'counter', (a) => a.turnedAway);
    this.registry.register(
      new Collected('airlock_policy_info', 'The active policy (value 1, hash as a label).', 'gauge', ['hash'], (emit) => {
        if (this.#policyHash !== null) emit({ hash: this.#policyHash }, 1);
      }),
    );
    this.#runtime = new RuntimeMetrics(this.registry, options.runtime);
  }

  /** Starts measuring what is measured in the background (event-loop delay, GC pauses). */
  start(): void {
    this.#runtime.start();
  }

  close(): void {
    this.#runtime.close();
  }

  /** A request began: it counts as in flight until its response closes (sent, or its connection lost). */
  requestStarted(response: { once(event: 'close', listener: () => void): unknown }): void {
    this.#inFlight++;
    response.once('close', () => {
      this.#inFlight--;
    });
  }

  /** Report an upstream client's circuit state, read when scraped (`upstream`: the setting that names it). */
  watchCircuit(repo: string, upstream: 'upstream' | 'filesUpstream', state: () => CircuitState): void {
    this.#circuits.push({ repo, upstream, state });
  }

  /**
   * Report an admission's callers at work, waiting and turned away (`work` names what it admits:
   * `npm_audit`), read when scraped.
   */
  watchAdmission(work: string, admission: Pick<Admission, 'busy' | 'waiting' | 'turnedAway'>): void {
    this.#admissions.push({ work, admission });
  }

  /** Report a repository's in-memory caches (or the process's, as `PROCESS_WIDE`), read when scraped. */
  watchCaches(repo: string, caches: () => CacheFills): void {
    this.#caches.watch(repo, caches);
  }

  /**
   * Report the review backlog from the review index, read when scraped: every repository in
   * `repos` and every other one the index has a record of (0 when none waits). Each gateway
   * sharing a store keeps its index in step with it (within one sync interval), so every gateway
   * reports the shared backlog: aggregate across them with max, not sum.
   */
  watchReviews(reviews: Pick<ReviewIndex, 'backlog'>, repos: readonly string[]): void {
    const shared = ' Every gateway sharing a store reports the whole backlog: aggregate with max, not sum.';
    const backlog = this.registry.oncePerScrape(() => reviews.backlog());
    this.registry.register(
      new Collected('airlock_quarantine_pending', `Versions waiting for review (their newest quarantine record is still quarantined), by repository.${shared}`, 'gauge', ['repo'], (emit) => {
        for (const repo of repos) emit({ repo }, 0);
        for (const [repo, b] of backlog()) emit({ repo }, b.waiting);
      }),
    );
    this.registry.register(
      new Collected(
        'airlock_quarantine_oldest_pending_timestamp_seconds',
        `When the version waiting longest for review was quarantined, in seconds since the epoch, by repository (absent when none waits).${shared}`,
        'gauge',
        ['repo'],
        (emit) => {
          for (const [repo, b] of backlog()) if (b.oldest !== null) emit({ repo }, b.oldest.getTime() / 1000);
        },
      ),
    );
  }

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

  // Called for every request, as `decision` and `cache` are: label values in the order of the
  // label names.
  request(route: string, method: string, status: number, seconds: number): void {
    this.#requests.incAt([route, method, String(status)]);
    this.#duration.observeAt([route], seconds);
  }

  decision(phase: DecisionPhase, verdict: VerdictKind, source: DecisionSource, cached: boolean, count = 1): void {
    this.#decisions.incAt([phase, verdict, source, cached ? 'true' : 'false'], count);
  }

  failure(phase: DecisionPhase, kind: 'gate' | 'policy', count = 1): void {
    this.#failures.inc({ phase, kind }, count);
  }

  upstreamFetch(repo: string, kind: 'metadata' | 'artifact', outcome: 'fresh' | 'not_modified' | 'stale' | 'error'): void {
    this.#upstream.inc({ repo, kind, outcome });
    if (outcome === 'error' || outcome === 'stale') this.#upstreamErrors.inc({ repo, kind });
  }

  cache(repo: string, kind: 'metadata' | 'artifact', result: 'hit' | 'miss'): void {
    this.#cache.incAt([repo, kind, result]);
  }

  policyReload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? 'ok' : 'error' });
  }

  policyBundle(result: 'activated' | 'unchanged' | 'not_modified' | 'error'): void {
    this.#bundleFetches.inc({ result });
  }

  /** The policy now active. Only its hash is reported: an info metric has one series, not one per policy this process has had. */
  policyActive(hash: string): void {
    this.#policyHash = hash;
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
