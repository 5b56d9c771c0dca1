/**
 * Prometheus' own tools for the monitoring tests: `promtool` (its linter) and a real `prometheus`
 * server (Debian's package) as a child process, on a free 127.0.0.1 port with a temporary
 * configuration and storage directory, scraping the given targets every second. It never
 * outlives the test process (./daemon-process.ts). Tests skip when the tools are absent.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, spawnDaemon } from './daemon-process.ts';
import { freePort } from './free-port.ts';
import { runCommand, type CommandResult } from './run-command.ts';

export const SKIP_NO_PROMETHEUS = 'prometheus or promtool not installed (apt-get install -y prometheus); the Prometheus end-to-end test is skipped';

let cached: boolean | undefined;

/** Both `prometheus` and `promtool` are on PATH. */
export function hasPrometheus(): boolean {
  cached ??= onPath('prometheus') && onPath('promtool');
  return cached;
}

/** `promtool <args>`, with `input` on its stdin. */
export function promtool(args: readonly string[], input?: string): Promise<CommandResult> {
  return runCommand('promtool', args, { env: { PATH: process.env['PATH'] ?? '' }, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
}

export interface ScrapeTarget {
  /** `host:port` */
  readonly address: string;
  readonly metricsPath: string;
}

/** One sample of an instant vector: its labels and value. */
export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PrometheusServer {
  readonly url: string;
  /** `GET /api/v1/query`: the instant vector `expr` evaluates to now. */
  query(expr: string): Promise<VectorSample[]>;
  /** `GET /api/v1/rules`: every rule of the loaded rule files with its health and last error. */
  rules(): Promise<{ name: string; health: string; lastError: string }[]>;
  log(): string;
  stop(): Promise<void>;
}

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
}

async function api(url: string, path: string): Promise<unknown> {
  const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data?: unknown; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
  return body.data;
}

async function startOnce(target: ScrapeTarget, ruleFiles: readonly string[]): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  // JSON is YAML: no quoting to get wrong.
  const settings = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: [{ job_name: 'airlock', metrics_path: target.metricsPath, static_configs: [{ targets: [target.address] }] }],
  };
  await writeFile(config, `${JSON.stringify(settings, null, 2)}\n`);
  const daemon = spawnDaemon(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { killAfterMs: 5000, cleanup: () => rmSync(dir, { recursive: true, force: true }) },
  );
  const url = `http://127.0.0.1:${port}`;
  await daemon.waitUntil(() => ready(url), 30_000, `answer ${url}/-/ready`);
  return {
    url,
    async query(expr) {
      const data = (await api(url, `/api/v1/query?query=${encodeURIComponent(expr)}`)) as { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      if (data.resultType !== 'vector') throw new Error(`prometheus: ${expr} is a ${data.resultType}, not an instant vector`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async rules() {
      const data = (await api(url, '/api/v1/rules')) as { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
      return data.groups.flatMap((g) => g.rules.map((r) => ({ name: r.name, health: r.health, lastError: r.lastError ?? '' })));
    },
    log: () => daemon.log(),
    stop: () => daemon.stop(),
  };
}

/** Starts Prometheus scraping `target` every second, evaluating `ruleFiles`; retries if its port was taken meanwhile. */
export async function startPrometheus(target: ScrapeTarget, ruleFiles: readonly string[] = []): Promise<PrometheusServer> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(target, ruleFiles);
    } catch (err) {
      last = err;
      if (!/address already in use/.test(String(err))) break;
    }
  }
  throw last;
}
