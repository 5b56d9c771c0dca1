/**
 * `npm run bench:oci`: what an oci repository costs next to the registry it proxies (the floor:
 * the same client pulling straight from the fixture registry — Debian's docker-registry behind
 * the fixture's logging Node front, the URL Airlock is given as upstream), measured in one run,
 * side by side.
 *
 * - cold pull: `skopeo copy docker://<host>/<image>:v1 dir:<tmp>` of an image nobody has pulled
 *   yet (by default 4 layers of 8 MiB of random bytes and a small config). Airlock resolves the
 *   tag, fetches and stores the config, looks up cosign signatures (the `.sig` tag, the referrers
 *   API and the referrers tag), judges the image in both phases, and fetches each blob, verifying
 *   it while it streams into the store, before its first byte goes out. A fresh image each run.
 * - cold, one request at a time: the same path by hand on other fresh images (the manifest by
 *   tag, then the config, then each layer), to show where a cold pull's time goes.
 * - warm pull: the same images pulled again through Airlock (everything stored and judged).
 * - hot manifest and hot 1 MiB blob: requests/s and p99 for `GET /v2/<repo>/<image>/manifests/
 *   <digest>` with skopeo's Accept list, and for a 1 MiB layer, once judged (wrk; the floor: the
 *   registry front's same URLs).
 * - memory: Airlock's RSS around a cold and a warm pull of an image with one 200 MiB layer: it
 *   is streamed to the store and from it, so memory should stay flat.
 *
 * Airlock runs as `airlock serve` in its own process with the built-in policy, its data on the
 * disk; the registry front in this process, docker-registry and skopeo in theirs; skopeo writes
 * to a RAM filesystem when there is one (its writes are the same on both sides). Airlock and the
 * floor take turns: which side goes first alternates from run to run. Medians throughout.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assertSkopeoOk, MANIFEST_ACCEPT, skopeo, type RequestRecord } from '../../test/support/oci/index.ts';
import { load, toolCaveat, type LoadResult } from '../npm/load.ts';
import { cpuSeconds, memoryOf, resetPeak, sampleRss } from '../npm/processes.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';
import { pushRandomImage, TAG, type PushedImage } from './images.ts';
import { requestSummary } from './requests.ts';
import { benchRun, list, mib, ms, pair, times, type Side } from './side-by-side.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    layers: { type: 'string', default: '4' },
    'layer-mib': { type: 'string', default: '8' },
    'large-mib': { type: 'string', default: '200' },
  },
});
const RUNS = wholeNumber(values.runs, 'runs');
const SECONDS = wholeNumber(values.seconds, 'seconds');
const ROUNDS = wholeNumber(values.rounds, 'rounds');
const CONNECTIONS = wholeNumber(values.connections, 'connections');
const LAYERS = wholeNumber(values.layers, 'layers');
const LAYER_BYTES = wholeNumber(values['layer-mib'], 'layer-mib') * 1024 ** 2;
const LARGE_BYTES = wholeNumber(values['large-mib'], 'large-mib') * 1024 ** 2;
const REPO = 'containers';
const SKOPEO_TIMEOUT_MS = 600_000;

/** A GET read to the end: when its headers came (ms) and when its last byte did. */
async function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ readonly headers: number; readonly total: number }> {
  const start = performance.now();
  const res = await fetch(url, { headers });
  const atHeaders = performance.now() - start;
  for await (const _ of res.body ?? []) void _;
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.statusText}`);
  return { headers: atHeaders, total: performance.now() - start };
}

async function main(): Promise<void> {
  const started = performance.now();
  await benchRun('oci', async ({ scratch, tmp, registry: reg, serve }) => {
    const layerSizes = Array.from({ length: LAYERS }, () => LAYER_BYTES);
    const seedStart = performance.now();
    const cold: PushedImage[] = [];
    const probes: PushedImage[] = [];
    for (let i = 0; i < RUNS; i++) {
      cold.push(await pushRandomImage(reg, scratch, `bench/cold-${i}`, layerSizes));
      probes.push(await pushRandomImage(reg, scratch, `bench/probe-${i}`, layerSizes));
    }
    const hotImage = await pushRandomImage(reg, scratch, 'bench/hot', [1024 * 1024]);
    const large = await pushRandomImage(reg, scratch, 'bench/large', [LARGE_BYTES]);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const { url, pid } = await serve(`repositories:\n  - name: ${REPO}\n    format: oci\n    upstream: ${reg.url}/\nstorage:\n  dataDir: ${join(tmp, 'data')}\nserver:\n  host: 127.0.0.1\n  port: 0\n`);
    const idleRss = memoryOf(pid).rss;
    const airlockHost = new URL(url).host;
    const hostOf = (side: Side): string => (side === 'airlock' ? `${airlockHost}/${REPO}` : reg.host);
    const v2 = (side: Side): string => (side === 'airlock' ? `${url}/v2/${REPO}` : `${reg.url}/v2`);

    let pulls = 0;
    /** `skopeo copy` of `image:v1` from one side into a fresh `dir:` (deleted after), timed. */
    const pull = async (side: Side, image: PushedImage): Promise<number> => {
      const dest = join(scratch, `pull-${++pulls}`);
      try {
        const start = performance.now();
        assertSkopeoOk(await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${hostOf(side)}/${image.name}:${TAG}`, `dir:${dest}`], { timeoutMs: SKOPEO_TIMEOUT_MS }), `pulling ${image.name} from ${side}`);
        return performance.now() - start;
      } finally {
        await rm(dest, { recursive: true, force: true });
      }
    };
    /** What the registry front was asked while `fn` ran. */
    const watched = async <T>(fn: () => Promise<T>): Promise<{ result: T; requests: RequestRecord[] }> => {
      const mark = reg.requests.length;
      const result = await fn();
      return { result, requests: reg.requests.slice(mark) };
    };

    // 1: cold pulls, a fresh image each run; Airlock's CPU and upstream requests on the way.
    const coldPull = { airlock: [] as number[], floor: [] as number[], cpu: [] as number[] };
    let airlockCalls = '';
    let skopeoCalls = '';
    for (const [i, image] of cold.entries()) {
      const r = await pair(
        i,
        async () => {
          const cpu = cpuSeconds(pid);
          const w = await watched(() => pull('airlock', image));
          coldPull.cpu.push(cpuSeconds(pid) - cpu);
          if (i === 0) airlockCalls = requestSummary(w.requests, image);
          return w.result;
        },
        async () => {
          const w = await watched(() => pull('floor', image));
          if (i === 0) skopeoCalls = requestSummary(w.requests, image);
          return w.result;
        },
      );
      coldPull.airlock.push(r.airlock);
      coldPull.floor.push(r.floor);
    }

    // 2: the cold path one request at a time, on other fresh images.
    const byHand = { manifest: { airlock: [] as number[], floor: [] as number[] }, config: { airlock: [] as number[], floor: [] as number[] }, layer: { airlock: [] as number[], floor: [] as number[], airlockHeaders: [] as number[] } };
    let manifestCalls = '';
    for (const [i, image] of probes.entries()) {
      const walk = async (side: Side): Promise<void> => {
        const w = await watched(() => timedGet(`${v2(side)}/${image.name}/manifests/${TAG}`, { accept: MANIFEST_ACCEPT }));
        if (side === 'airlock' && i === 0) manifestCalls = requestSummary(w.requests, image);
        byHand.manifest[side].push(w.result.total);
        byHand.config[side].push((await timedGet(`${v2(side)}/${image.name}/blobs/${image.configDigest}`)).total);
        for (const d of image.layerDigests) {
          const g = await timedGet(`${v2(side)}/${image.name}/blobs/${d}`);
          byHand.layer[side].push(g.total);
          if (side === 'airlock') byHand.layer.airlockHeaders.push(g.headers);
        }
      };
      await pair(i, () => walk('airlock'), () => walk('floor'));
    }

    // 3: warm pulls: the cold images again, everything stored and judged.
    const warmPull = { airlock: [] as number[], floor: [] as number[], cpu: [] as number[], upstream: 0 };
    for (const [i, image] of cold.entries()) {
      const r = await pair(
        i,
        async () => {
          const cpu = cpuSeconds(pid);
          const w = await watched(() => pull('airlock', image));
          warmPull.cpu.push(cpuSeconds(pid) - cpu);
          warmPull.upstream += w.requests.length;
          return w.result;
        },
        () => pull('floor', image),
      );
      warmPull.airlock.push(r.airlock);
      warmPull.floor.push(r.floor);
    }

    // 4: hot manifest by digest and hot 1 MiB blob, once judged; rounds alternate who goes first.
    await timedGet(`${v2('airlock')}/${hotImage.name}/manifests/${TAG}`, { accept: MANIFEST_ACCEPT });
    const hotTargets = [
      { kind: 'manifest', path: `${cold[0]?.name}/manifests/${cold[0]?.manifestDigest}`, headers: { accept: MANIFEST_ACCEPT } },
      { kind: 'blob', path: `${hotImage.name}/blobs/${hotImage.layerDigests[0]}`, headers: {} },
    ] as const;
    const hot = { manifest: { airlock: [] as LoadResult[], floor: [] as LoadResult[] }, blob: { airlock: [] as LoadResult[], floor: [] as LoadResult[] } };
    let hotUpstream = 0;
    for (const t of hotTargets) {
      // Both answer 200 before either is loaded.
      for (const side of ['airlock', 'floor'] as const) await timedGet(`${v2(side)}/${t.path}`, t.headers);
      for (let r = 0; r < ROUNDS; r++) {
        const out = await pair(
          r,
          async () => {
            const w = await watched(() => load(`${v2('airlock')}/${t.path}`, t.headers, SECONDS, CONNECTIONS));
            hotUpstream += w.requests.length;
            return w.result;
          },
          () => load(`${v2('floor')}/${t.path}`, t.headers, SECONDS, CONNECTIONS),
        );
        hot[t.kind].airlock.push(out.airlock);
        hot[t.kind].floor.push(out.floor);
        // The front logs every request: a round of floor load leaves ~10^5 records behind.
        reg.reset();
      }
    }

    // 5: memory around a cold and a warm pull of the large image; the floor before and after.
    const largeFloor = [await pull('floor', large)];
    const before = memoryOf(pid).rss;
    const peaksApart = resetPeak(pid);
    const largeCpu = cpuSeconds(pid);
    const first = await sampleRss(pid, 20, () => pull('airlock', large));
    const firstCpu = cpuSeconds(pid) - largeCpu;
    const firstPeak = Math.max(first.maxRss, memoryOf(pid).peak);
    const afterFirst = memoryOf(pid).rss;
    resetPeak(pid);
    const second = await sampleRss(pid, 20, () => pull('airlock', large));
    const secondPeak = Math.max(second.maxRss, memoryOf(pid).peak);
    const afterSecond = memoryOf(pid).rss;
    largeFloor.push(await pull('floor', large));

    // The report.
    const a = (xs: readonly number[]): number => median(xs);
    const row = (name: string, airlock: string, floor: string, ratio: string, note = ''): string => `  ${name.padEnd(40)}${airlock.padEnd(26)}${floor.padEnd(26)}${ratio.padEnd(8)}${note}`;
    const timeRow = (name: string, s: { airlock: readonly number[]; floor: readonly number[] }, note = ''): string => row(name, ms(a(s.airlock)), ms(a(s.floor)), times(a(s.airlock), a(s.floor)), note);
    const rateCell = (rs: readonly LoadResult[]): string => `${a(rs.map((r) => r.requestsPerSecond)).toFixed(0)}/s p99 ${a(rs.map((r) => r.p99Ms)).toFixed(1)} ms`;
    const rateRow = (name: string, s: { airlock: readonly LoadResult[]; floor: readonly LoadResult[] }): string => {
      const ra = a(s.airlock.map((r) => r.requestsPerSecond));
      const rf = a(s.floor.map((r) => r.requestsPerSecond));
      return row(name, rateCell(s.airlock), rateCell(s.floor), `${(ra / rf).toFixed(2)}×`, '(rate, airlock ÷ floor)');
    };
    const image = `${LAYERS} × ${mib(LAYER_BYTES)} random layers + config (${mib(cold[0]?.blobBytes ?? 0)})`;
    console.log(`oci repository against the registry it proxies (Debian's docker-registry behind the fixture's Node front, loopback; skopeo \`copy docker://… dir:\`)`);
    console.log(`  images: ${image}; policy: the built-in default; Airlock as \`airlock serve\`, its data on the disk`);
    console.log(row('', 'airlock', 'floor', 'ratio'));
    console.log(timeRow('cold pull (skopeo copy)', coldPull, `(median of ${RUNS} fresh images)`));
    console.log(`    runs: airlock ${list(coldPull.airlock)}; floor ${list(coldPull.floor)} ms; Airlock's CPU per pull ${a(coldPull.cpu).toFixed(2)} s`);
    console.log(`    Airlock asked the registry: ${airlockCalls}`);
    console.log(`    skopeo asked the registry (floor): ${skopeoCalls}`);
    console.log(`  cold, one request at a time (fetch, ${RUNS} other fresh images):`);
    console.log(timeRow('  GET manifest by tag (skopeo Accept)', byHand.manifest));
    console.log(`      Airlock asked the registry: ${manifestCalls}`);
    console.log(timeRow('  GET config blob', byHand.config));
    console.log(timeRow(`  GET ${mib(LAYER_BYTES)} layer`, byHand.layer, `(median of ${byHand.layer.airlock.length}; Airlock's headers after ${ms(a(byHand.layer.airlockHeaders))})`));
    console.log(timeRow('warm pull (same images again)', warmPull, `(median of ${RUNS})`));
    console.log(`    runs: airlock ${list(warmPull.airlock)}; floor ${list(warmPull.floor)} ms; Airlock's CPU per pull ${a(warmPull.cpu).toFixed(2)} s; ${warmPull.upstream} upstream requests in all`);
    console.log(rateRow(`hot manifest by digest (wrk, ${CONNECTIONS} conns)`, hot.manifest));
    console.log(rateRow(`hot ${mib(1024 * 1024)} blob (wrk, ${CONNECTIONS} conns)`, hot.blob));
    console.log(`    medians of ${ROUNDS} rounds of ${SECONDS} s each side; Airlock asked the registry ${hotUpstream} times under hot load`);
    console.log(`    runs, req/s: manifest airlock ${list(hot.manifest.airlock.map((r) => r.requestsPerSecond))}, floor ${list(hot.manifest.floor.map((r) => r.requestsPerSecond))}; blob airlock ${list(hot.blob.airlock.map((r) => r.requestsPerSecond))}, floor ${list(hot.blob.floor.map((r) => r.requestsPerSecond))}`);
    const largeName = `${mib(large.blobBytes)} one-layer image`;
    console.log(row(`${largeName}, cold pull`, ms(first.result), ms(a(largeFloor)), times(first.result, a(largeFloor)), `(floor: ${list(largeFloor)} ms, before and after; Airlock's CPU ${firstCpu.toFixed(2)} s)`));
    console.log(row(`${largeName}, warm pull`, ms(second.result), ms(a(largeFloor)), times(second.result, a(largeFloor))));
    console.log(`  Airlock's RSS: ${mib(idleRss)} idle at start; ${mib(before)} before the ${largeName}; peak ${mib(firstPeak)} during its cold pull, ${mib(afterFirst)} after;`);
    console.log(`                 peak ${mib(secondPeak)} during its warm pull, ${mib(afterSecond)} after${peaksApart ? '' : ' (peaks since start: /proc/PID/clear_refs was refused)'}`);
    for (const r of [...hot.manifest.airlock, ...hot.manifest.floor, ...hot.blob.airlock, ...hot.blob.floor]) if (r.non2xx > 0) console.log(`  warning: ${r.non2xx} answers under load were not 2xx`);
    for (const line of toolCaveat(hot.manifest.airlock[0]?.tool ?? 'wrk')) console.log(line);
    console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s in all, ${seedSeconds.toFixed(0)} s of it building and pushing the images)`);
  });
}

await main();
