/**
 * `npm run bench:huggingface`: what a huggingface repository costs next to the Hub it proxies (the
 * floor: the fixture Hub and its CDN, answering the same requests directly), measured in one run,
 * side by side.
 *
 * - cold file: the first GET of `/<id>/resolve/main/model.safetensors` (1 MiB, LFS). Airlock
 *   resolves main to a commit, reads the tree, follows the Hub's 302 to the CDN, verifies the
 *   sha256 while storing, scans and judges; the floor answers the 302 and the CDN the bytes.
 * - cold small file: the same for `config.json`, a regular file checked against its git object id.
 * - hot file: requests/s and p99 for the 1 MiB file once judged (the floor: its CDN URL).
 * - snapshot: `snapshotDownload` of the real client (`@huggingface/hub`, a Node process per call)
 *   of a 30-file model, through Airlock cold and judged, and straight from the fixture Hub.
 * - memory: Airlock's RSS around the first and a second GET of a 200 MiB safetensors file: it
 *   is streamed to the store and the scanner reads only the header, so memory should stay flat.
 *
 * Airlock runs as `airlock serve` in its own process with the built-in policy; the fixture Hub in
 * this process; the load generator (wrk) in its own. Medians of `--runs` cold measurements, each
 * on a repo nobody has asked for yet.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FixtureHub, hfClient, type HubRequest } from '../../test/support/hf-hub/index.ts';
import { serve } from '../../test/support/serve-process.ts';
import { load, toolCaveat } from '../npm/load.ts';
import { memoryOf, resetPeak, sampleRss } from '../npm/processes.ts';
import { addLargeModel, addSmallModel, addSnapshotModel, snapshotFiles } from './repos.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    'large-mib': { type: 'string', default: '200' },
  },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const LARGE_ROWS = Number(values['large-mib']) * 256;
const REPO = 'huggingface';

/** A GET read to the end: when its headers came (ms) and when its last byte did. */
async function timedGet(url: string): Promise<{ readonly headers: number; readonly total: number }> {
  const start = performance.now();
  const res = await fetch(url);
  const headers = performance.now() - start;
  // Read and drop: a 200 MiB body is never held here.
  for await (const _ of res.body ?? []) void _;
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.statusText} ${res.headers.get('x-error-message') ?? ''}`);
  return { headers, total: performance.now() - start };
}

const timed = async (url: string): Promise<number> => (await timedGet(url)).total;

/** The client's `snapshotDownload` in a process of its own, timed; it must bring `files` files. */
async function timedSnapshot(hubUrl: string, repo: string, cacheDir: string, files: number): Promise<number> {
  const start = performance.now();
  const r = await hfClient({ op: 'snapshot', repo }, { hubUrl, cacheDir, timeoutMs: 120_000 });
  const elapsed = performance.now() - start;
  if (!r.ok) throw new Error(`snapshot of ${repo} from ${hubUrl}: ${r.error}\n${r.stderr}`);
  const got = (await readdir(r.value, { recursive: true, withFileTypes: true })).filter((e) => !e.isDirectory()).length;
  if (got !== files) throw new Error(`snapshot of ${repo} from ${hubUrl} has ${got} files, not ${files}`);
  return elapsed;
}

/** What Airlock asked the Hub and its CDN for, in order. */
function upstreamCalls(requests: readonly HubRequest[]): string {
  return requests
    .map((r) => {
      if (r.origin === 'cdn') return `CDN ${r.method} (${r.status})`;
      const kind = r.path.includes('/tree/') ? 'tree' : r.path.includes('/revision/') ? 'info@rev' : r.path.includes('/resolve/') ? 'resolve' : r.path.split('?')[0];
      return `${kind} (${r.status})`;
    })
    .join(', ');
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const runs = (a: readonly number[], f: readonly number[]): string => `    runs: airlock ${a.map((x) => x.toFixed(1)).join(', ')}; floor ${f.map((x) => x.toFixed(1)).join(', ')} ms`;

async function main(): Promise<void> {
  const started = performance.now();
  // The Hub as it is (Xet file info for clients that ask for it; Airlock does not) for Airlock
  // and the file floors; for the client's direct snapshots, one without Xet file info, or
  // `@huggingface/hub` would go to Xet, which the fixture does not implement.
  const hub = await new FixtureHub().start();
  const direct = await new FixtureHub({ xetFileInfo: false }).start();
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-bench-hf-'));
  try {
    const weights = Array.from({ length: RUNS }, (_, i) => `bench/weights-${i}`);
    const configs = Array.from({ length: RUNS }, (_, i) => `bench/config-${i}`);
    const snapshots = Array.from({ length: RUNS }, (_, i) => `bench/snapshot-${i}`);
    /** The files of a snapshot: the committed ones and the Hub's `.gitattributes`. */
    const snapshotSize = snapshotFiles('count').length + 1;
    for (const id of [...weights, ...configs]) addSmallModel(hub, id);
    for (const id of snapshots) {
      const files = snapshotFiles(id);
      addSnapshotModel(hub, id, files);
      addSnapshotModel(direct, id, files);
    }

    const config = join(tmp, 'airlock.yaml');
    await writeFile(config, `repositories:\n  - name: ${REPO}\n    format: huggingface\n    upstream: ${hub.url}/\nstorage:\n  dataDir: ${join(tmp, 'data')}\nserver:\n  port: 0\n`);
    const server = serve(tmp, ['--config', config], { env: { AIRLOCK_SERVER_LOG_LEVEL: 'warn' } });
    try {
      const url = await server.listening;
      const pid = server.child.pid as number;
      const idleRss = memoryOf(pid).rss;
      const endpoint = `${url}/${REPO}`;
      const file = (id: string, path: string): string => `${endpoint}/${id}/resolve/main/${path}`;

      // 1, 2: cold files, each on a repo Airlock has not seen.
      const cold = { weights: [] as number[], weightsFloor: [] as number[], config: [] as number[], configFloor: [] as number[] };
      let weightsCalls = '';
      let configCalls = '';
      for (let i = 0; i < RUNS; i++) {
        const w = weights[i] as string;
        const c = configs[i] as string;
        cold.weightsFloor.push(await timed(`${hub.url}/${w}/resolve/main/model.safetensors`));
        const mark = hub.requests.length;
        cold.weights.push(await timed(file(w, 'model.safetensors')));
        if (i === 0) weightsCalls = upstreamCalls(hub.requests.slice(mark));
        cold.configFloor.push(await timed(`${hub.url}/${c}/resolve/main/config.json`));
        const mark2 = hub.requests.length;
        cold.config.push(await timed(file(c, 'config.json')));
        if (i === 0) configCalls = upstreamCalls(hub.requests.slice(mark2));
      }

      // 3: the 1 MiB file once judged, and the CDN URL the Hub redirects to.
      const hotId = weights[0] as string;
      const redirect = await fetch(`${hub.url}/${hotId}/resolve/main/model.safetensors`, { redirect: 'manual' });
      await redirect.arrayBuffer();
      const cdnUrl = redirect.headers.get('location');
      if (redirect.status !== 302 || cdnUrl === null) throw new Error(`the fixture Hub answered ${redirect.status} without a redirect`);
      const hotMark = hub.requests.length;
      const hot = await load(file(hotId, 'model.safetensors'), {}, SECONDS, 32);
      const hotUpstream = hub.requests.length - hotMark;
      const floorHot = await load(cdnUrl, {}, SECONDS, 32);

      // 4: the real client's snapshot, cold through Airlock, then judged (fresh client caches), and direct.
      const snap = { cold: [] as number[], judged: [] as number[], floor: [] as number[] };
      for (const [i, id] of snapshots.entries()) {
        snap.floor.push(await timedSnapshot(direct.url, id, join(tmp, `cache-direct-${i}`), snapshotSize));
        snap.cold.push(await timedSnapshot(endpoint, id, join(tmp, `cache-cold-${i}`), snapshotSize));
      }
      for (const [i, id] of snapshots.entries()) snap.judged.push(await timedSnapshot(endpoint, id, join(tmp, `cache-judged-${i}`), snapshotSize));

      // 5: memory around a large file. Committed only now: the fixture keeps it in this process's memory.
      const largeSize = addLargeModel(hub, 'bench/large', LARGE_ROWS);
      const largeFloor = await timedGet(`${hub.url}/bench/large/resolve/main/model.safetensors`);
      const before = memoryOf(pid).rss;
      const peaksApart = resetPeak(pid);
      const first = await sampleRss(pid, 20, () => timedGet(file('bench/large', 'model.safetensors')));
      const firstPeak = Math.max(first.maxRss, memoryOf(pid).peak);
      const afterFirst = memoryOf(pid).rss;
      resetPeak(pid);
      const second = await sampleRss(pid, 20, () => timedGet(file('bench/large', 'model.safetensors')));
      const secondPeak = Math.max(second.maxRss, memoryOf(pid).peak);
      const afterSecond = memoryOf(pid).rss;

      const col = (s: string): string => s.padEnd(30);
      const rate = (r: { requestsPerSecond: number; p99Ms: number }): string => `${r.requestsPerSecond.toFixed(0)} req/s p99 ${r.p99Ms.toFixed(2)} ms`;
      console.log(`huggingface repository against the Hub it proxies (a fixture Hub and its CDN on loopback; 1 MiB safetensors weights, a ${snapshotSize}-file snapshot, a ${mib(largeSize)} safetensors file)`);
      console.log('  policy: the built-in default; Airlock as `airlock serve`, the floor the fixture Hub answering directly');
      console.log(`                                       airlock                        floor`);
      console.log(`  cold 1 MiB model.safetensors (LFS)   ${col(ms(median(cold.weights)))} ${ms(median(cold.weightsFloor))}   (median of ${RUNS} repos)`);
      console.log(runs(cold.weights, cold.weightsFloor));
      console.log(`    Airlock's upstream requests: ${weightsCalls}`);
      console.log(`  cold config.json (regular file)      ${col(ms(median(cold.config)))} ${ms(median(cold.configFloor))}   (median of ${RUNS} repos)`);
      console.log(runs(cold.config, cold.configFloor));
      console.log(`    Airlock's upstream requests: ${configCalls}`);
      console.log(`  hot 1 MiB file (wrk, 32 conns)       ${col(rate(hot))} ${rate(floorHot)}   (floor: the CDN URL)`);
      console.log(`    Airlock asked the Hub ${hotUpstream} times during its ${SECONDS} s of hot load`);
      console.log(`  snapshotDownload, cold               ${col(ms(median(snap.cold)))} ${ms(median(snap.floor))}   (median of ${RUNS} repos; a client process each)`);
      console.log(runs(snap.cold, snap.floor));
      console.log(`  snapshotDownload, judged             ${col(ms(median(snap.judged)))} ${ms(median(snap.floor))}   (same repos, fresh client caches)`);
      console.log(`    runs: airlock ${snap.judged.map((x) => x.toFixed(1)).join(', ')} ms`);
      const getCell = (g: { headers: number; total: number }): string => `${ms(g.total)} (headers ${ms(g.headers)})`;
      console.log(`  ${`${mib(largeSize)} file, first GET`.padEnd(37)}${col(getCell(first.result))} ${getCell(largeFloor)}`);
      console.log(`  ${`${mib(largeSize)} file, second GET`.padEnd(37)}${col(getCell(second.result))} ${getCell(largeFloor)}   (floor: its one GET)`);
      console.log(`  Airlock's RSS: ${mib(idleRss)} idle at start; ${mib(before)} before the ${mib(largeSize)} file; peak ${mib(firstPeak)} during the first GET, ${mib(afterFirst)} after;`);
      console.log(`                 peak ${mib(secondPeak)} during the second GET, ${mib(afterSecond)} after${peaksApart ? '' : ' (peaks since start: /proc/PID/clear_refs was refused)'}`);
      for (const r of [hot, floorHot]) if (r.non2xx > 0) console.log(`  warning: ${r.non2xx} answers were not 2xx`);
      for (const line of toolCaveat(hot.tool)) console.log(line);
      console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await Promise.all([hub.close(), direct.close()]);
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
