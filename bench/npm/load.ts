/**
 * Request rate and latency of one hot URL, measured by a load generator in its own process:
 * `wrk` when installed (apt-get install wrk), else autocannon through npx.
 */
import { execFile, spawnSync } from 'node:child_process';

export interface LoadResult {
  readonly tool: string;
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

function exec(cmd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${cmd} failed: ${stderr || err.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

let wrkAvailable: boolean | null = null;

function hasWrk(): boolean {
  if (wrkAvailable === null) {
    // `wrk --version` prints its version and exits 1.
    const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
    wrkAvailable = r.error === undefined && /^wrk /m.test(`${r.stdout}${r.stderr}`);
  }
  return wrkAvailable;
}

function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (m === null) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/**
 * What a reader must know about figures from `tool`: nothing for wrk; for autocannon, that it
 * caps them. Two runs of `bench:npm` on one 2-core machine, one with each tool: autocannon held
 * both servers near 3,300 packument and 60 tarball requests/s; wrk drove the floor to 40,000 and
 * 3,700, and Airlock to 17,700 and 3,000.
 */
export function toolCaveat(tool: string): string[] {
  if (tool !== 'autocannon') return [];
  return [
    '  (wrk is not installed: autocannon, a Node process on the same cores, sets these rates;',
    '   `apt-get install wrk` for figures to judge the targets by)',
  ];
}

export async function load(url: string, headers: Readonly<Record<string, string>>, seconds: number, connections: number): Promise<LoadResult> {
  if (hasWrk()) {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
    const { stdout } = await exec('wrk', args);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 'NaN');
    const p99 = wrkMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? '0');
    return { tool: 'wrk', requestsPerSecond: rps, p99Ms: p99, non2xx };
  }
  const args = ['--yes', 'autocannon@8', '-j', '-c', String(connections), '-d', String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  const { stdout } = await exec('npx', args);
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p99: number }; non2xx: number };
  return { tool: 'autocannon', requestsPerSecond: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx };
}
