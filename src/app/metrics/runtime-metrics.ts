/**
 * The process and Node runtime metrics Prometheus' client libraries export, under the names they
 * use (`process_*` as the official clients, `nodejs_*` as prom-client), so the usual dashboards
 * and alerts work: CPU, memory, file descriptors, heap, event-loop delay and utilization, GC
 * pauses. Everything but the event-loop delay and GC pauses is read when scraped.
 *
 * Event-loop delay is sampled by `monitorEventLoopDelay` over fixed windows (60 s): a scrape
 * reports the last completed window and resets nothing, so several scrapers (two Prometheus
 * servers, a curl) see the same figures instead of each taking part of the samples away.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver, type ELDHistogram } from 'node:perf_hooks';
import { Collected, Histogram, type Emit, type Registry } from './registry.ts';

export interface RuntimeMetricsOptions {
  /** The event-loop delay window: a scrape reports the last one completed (default 60 s). */
  readonly eventLoopWindowMs?: number;
  /** How often the event loop's delay is sampled (`monitorEventLoopDelay`'s resolution, default 10 ms). */
  readonly eventLoopResolutionMs?: number;
  /** The process's `/proc` directory (default `/proc/self`): open and maximum file descriptors, left out where unreadable. */
  readonly proc?: string;
}

/** The event-loop delay over one window, in seconds. */
interface DelayWindow {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** prom-client's `kind` labels for V8's collection types. */
const GC_KINDS: ReadonlyMap<number, string> = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

function gcKind(detail: unknown): string {
  const kind = typeof detail === 'object' && detail !== null && 'kind' in detail ? detail.kind : null;
  return (typeof kind === 'number' ? GC_KINDS.get(kind) : undefined) ?? 'unknown';
}

/**
 * The monitor records the time between its timer's runs, which is its resolution when the loop
 * is free: the delay is what comes on top (how late the timer ran).
 */
function delayWindow(h: ELDHistogram, resolutionNs: number): DelayWindow | null {
  if (h.count === 0) return null;
  const late = (ns: number): number => Math.max(0, ns - resolutionNs) / 1e9;
  return { min: late(h.min), max: late(h.max), mean: late(h.mean), stddev: h.stddev / 1e9, p50: late(h.percentile(50)), p90: late(h.percentile(90)), p99: late(h.percentile(99)) };
}

/** Open file descriptors, less the one the listing itself holds on the directory; null when unreadable. */
function openFds(proc: string): number | null {
  try {
    return readdirSync(join(proc, 'fd')).length - 1;
  } catch {
    return null;
  }
}

/** The soft limit on open files (`Max open files` in /proc/<pid>/limits); null when unreadable or unlimited. */
function maxFds(proc: string): number | null {
  try {
    const m = /^Max open files\s+(\d+)\s/m.exec(readFileSync(join(proc, 'limits'), 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

function emitIfKnown(emit: Emit, v: number | null): void {
  if (v !== null) emit({}, v);
}

export class RuntimeMetrics {
  readonly #windowMs: number;
  readonly #resolutionMs: number;
  readonly #gc: Histogram;
  #window: DelayWindow | null = null;
  #running: { readonly monitor: ELDHistogram; readonly timer: NodeJS.Timeout; readonly observer: PerformanceObserver } | null = null;

  /** Registers the metrics; the event-loop delay and GC pauses are measured from `start()` to `close()`. */
  constructor(registry: Registry, options: RuntimeMetricsOptions = {}) {
    this.#windowMs = options.eventLoopWindowMs ?? 60_000;
    this.#resolutionMs = options.eventLoopResolutionMs ?? 10;
    const proc = options.proc ?? '/proc/self';
    const counter = (name: string, help: string, read: () => number): void => {
      registry.register(new Collected(name, help, 'counter', [], (emit) => emit({}, read())));
    };
    const gauge = (name: string, help: string, collect: (emit: Emit) => void): void => {
      registry.register(new Collected(name, help, 'gauge', [], collect));
    };
    const cpu = registry.oncePerScrape(() => process.cpuUsage());
    const memory = registry.oncePerScrape(() => process.memoryUsage());
    counter('process_cpu_user_seconds_total', 'User CPU time the process has spent, in seconds.', () => cpu().user / 1e6);
    counter('process_cpu_system_seconds_total', 'System CPU time the process has spent, in seconds.', () => cpu().system / 1e6);
    counter('process_cpu_seconds_total', 'User and system CPU time the process has spent, in seconds.', () => (cpu().user + cpu().system) / 1e6);
    const started = Math.round(performance.timeOrigin) / 1000;
    gauge('process_start_time_seconds', 'When the process started, in seconds since the epoch.', (emit) => emit({}, started));
    gauge('process_resident_memory_bytes', 'Resident set size of the process, in bytes.', (emit) => emit({}, process.memoryUsage.rss()));
    // Where /proc cannot be read (not Linux), these are not exported at all, as the official clients do.
    if (openFds(proc) !== null) gauge('process_open_fds', 'Open file descriptors.', (emit) => emitIfKnown(emit, openFds(proc)));
    if (maxFds(proc) !== null) gauge('process_max_fds', 'The limit on open file descriptors (the soft limit).', (emit) => emitIfKnown(emit, maxFds(proc)));
    gauge('nodejs_heap_size_total_bytes', 'The V8 heap reserved, in bytes.', (emit) => emit({}, memory().heapTotal));
    gauge('nodejs_heap_size_used_bytes', 'The V8 heap in use, in bytes.', (emit) => emit({}, memory().heapUsed));
    gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects (buffers among them), in bytes.', (emit) => emit({}, memory().external));
    const seconds = this.#windowMs / 1000;
    for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const) {
      gauge(
        `nodejs_eventloop_lag_${stat}_seconds`,
        `Event-loop delay over the last completed ${seconds}-second window (${stat}): how late a timer due every ${this.#resolutionMs} ms ran. Absent until a window has completed; not reset by scrapes.`,
        (emit) => {
          const w = this.#window;
          if (w !== null) emit({}, w[stat]);
        },
      );
    }
    counter(
      'nodejs_eventloop_active_seconds_total',
      'Seconds the event loop has been busy (not waiting for I/O or timers); its rate is the event-loop utilization, from 0 to 1.',
      () => performance.eventLoopUtilization().active / 1000,
    );
    this.#gc = registry.register(new Histogram('nodejs_gc_duration_seconds', 'Garbage collection pauses by kind (minor, major, incremental, weakcb), in seconds.', ['kind'], [0.001, 0.01, 0.1, 1, 2, 5]));
  }

  /** Starts sampling the event loop and observing collections; nothing started keeps the process alive. */
  start(): void {
    if (this.#running !== null) return;
    const monitor = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    monitor.enable();
    const timer = setInterval(() => {
      this.#window = delayWindow(monitor, this.#resolutionMs * 1e6);
      monitor.reset();
    }, this.#windowMs);
    timer.unref();
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.#gc.observe({ kind: gcKind('detail' in e ? e.detail : null) }, e.duration / 1000);
    });
    observer.observe({ entryTypes: ['gc'] });
    this.#running = { monitor, timer, observer };
  }

  close(): void {
    const r = this.#running;
    if (r === null) return;
    this.#running = null;
    clearInterval(r.timer);
    r.monitor.disable();
    r.observer.disconnect();
  }
}
