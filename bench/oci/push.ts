/**
 * `npm run bench:oci:push`: what a push into a hosted oci repository costs next to the same push
 * straight into a registry (the floor: Debian's docker-registry behind the fixture's logging Node
 * front, as `bench:oci` pulls from), measured in one run, side by side.
 *
 * - a typical push: `skopeo copy oci:<layout>:v1 docker://<host>/<image>:v1` of a fresh image (by
 *   default 4 layers of 8 MiB of random bytes and a small config; the same image to both sides).
 *   skopeo asks whether each blob is there (HEAD), then uploads it: POST, the whole blob in one
 *   streamed PATCH, an empty PUT `?digest=`; then the manifest. Airlock keeps each upload in its
 *   metadata store (so that any gateway takes any request of it) and its chunk as a blob of its
 *   own: one chunk is the blob, stored once.
 * - a large push: one layer of 200 MiB, and Airlock's RSS before, at its peak during, and after
 *   (the upload streams to the blob store: memory should stay flat).
 * - the chunked path: skopeo and docker cannot be made to chunk, so a small client of the
 *   distribution API pushes a 64 MiB blob in one PATCH and in 8 (`Content-Range`), then PUT
 *   `?digest=`. Airlock stores each chunk as a blob, then on the PUT reads them into the final
 *   blob: a chunked upload writes its bytes twice. The bytes each server process handed to
 *   write(2) (/proc/PID/io wchar: its files, database and sockets) show it as a number.
 *
 * Airlock runs as `airlock serve` in its own process with one hosted repository, its data on the
 * disk, pushed to with a publisher token; docker-registry stores on the disk too; the front runs
 * in this process and skopeo in its own, reading the image from a RAM filesystem when there is
 * one. Every push is of content neither side has seen. Airlock and the floor take turns: which
 * goes first alternates from run to run. Medians over `--runs`.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pushLayout, sha256Digest } from '../../test/support/oci/index.ts';
import { cpuSeconds, memoryOf, resetPeak, sampleRss, writesOf } from '../npm/processes.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';
import { uploadInChunks } from './chunked-upload.ts';
import { randomImageLayout, TAG, type ImageLayout } from './images.ts';
import { benchRun, list, mib, ms, pair, times, type Side } from './side-by-side.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    layers: { type: 'string', default: '4' },
    'layer-mib': { type: 'string', default: '8' },
    'large-mib': { type: 'string', default: '200' },
    'blob-mib': { type: 'string', default: '64' },
    chunks: { type: 'string', default: '8' },
  },
});
const RUNS = wholeNumber(values.runs, 'runs');
const LAYERS = wholeNumber(values.layers, 'layers');
const LAYER_BYTES = wholeNumber(values['layer-mib'], 'layer-mib') * 1024 ** 2;
const LARGE_BYTES = wholeNumber(values['large-mib'], 'large-mib') * 1024 ** 2;
const BLOB_BYTES = wholeNumber(values['blob-mib'], 'blob-mib') * 1024 ** 2;
const CHUNKS = wholeNumber(values.chunks, 'chunks');
const REPO = 'images';
const ADMIN_TOKEN = 'airlock_bench_admin_token_0123456789';
const SKOPEO_TIMEOUT_MS = 600_000;

/** A push's wall time, and the bytes each server process wrote meanwhile. */
interface Pushed {
  readonly ms: number;
  readonly written: number;
}

/** The pid of this process's child (or grandchild) running `command`: docker-registry, under setpriv's exec. */
function descendantNamed(command: string, pid = process.pid): number | null {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let children: string[];
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((c) => c !== '');
    } catch {
      continue; // the thread ended meanwhile, or the kernel does not list children
    }
    for (const child of children.map(Number)) {
      if (readFileSync(`/proc/${child}/comm`, 'utf8').trim() === command) return child;
      const deeper = descendantNamed(command, child);
      if (deeper !== null) return deeper;
    }
  }
  return null;
}

const medianOf = (xs: readonly Pushed[], key: keyof Pushed): number => median(xs.map((x) => x[key]));

async function main(): Promise<void> {
  const started = performance.now();
  await benchRun('oci-push', async ({ scratch, tmp, registry: reg, serve }) => {
    const floorPid = descendantNamed('docker-registry');
    const config = `repositories:\n  - name: ${REPO}\n    format: oci\n    kind: hosted\n    maxArtifactSize: 1GiB\nstorage:\n  dataDir: ${join(tmp, 'data')}\nserver:\n  host: 127.0.0.1\n  port: 0\n`;
    const { url, pid } = await serve(config, { AIRLOCK_ADMIN_TOKEN: ADMIN_TOKEN });
    const idleRss = memoryOf(pid).rss;
    const created = await fetch(`${url}/-/api/tokens`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'publisher', label: 'bench' }) });
    if (created.status !== 201) throw new Error(`creating a publisher token: ${created.status} ${await created.text()}`);
    const token = ((await created.json()) as { token: string }).token;
    const hostOf = (side: Side): string => (side === 'airlock' ? `${new URL(url).host}/${REPO}` : reg.host);
    const v2 = (side: Side): string => (side === 'airlock' ? `${url}/v2/${REPO}` : `${reg.url}/v2`);
    const pidOf = (side: Side): number | null => (side === 'airlock' ? pid : floorPid);

    /** `fn` timed, with what the side's server process wrote meanwhile (NaN when its pid is unknown). */
    const measured = async (side: Side, fn: () => Promise<unknown>): Promise<Pushed> => {
      const p = pidOf(side);
      const before = p === null ? NaN : writesOf(p).bytes;
      const start = performance.now();
      await fn();
      const time = performance.now() - start;
      return { ms: time, written: p === null ? NaN : writesOf(p).bytes - before };
    };
    /** `skopeo copy` of the layout to `<side>/<name>:v1`. */
    const push = (side: Side, image: ImageLayout, name: string): Promise<Pushed> =>
      measured(side, () => pushLayout(image.layout, TAG, `${hostOf(side)}/${name}:${TAG}`, { timeoutMs: SKOPEO_TIMEOUT_MS, ...(side === 'airlock' ? { destCreds: `bench:${token}` } : {}) }));
    /** A fresh image pushed to both sides in turn, then its layout removed. */
    const pushBoth = async (run: number, layerBytes: readonly number[], name: string, airlock: (image: ImageLayout) => Promise<Pushed>): Promise<{ airlock: Pushed; floor: Pushed; blobBytes: number }> => {
      const image = await randomImageLayout(scratch, layerBytes);
      try {
        return { ...(await pair(run, () => airlock(image), () => push('floor', image, name))), blobBytes: image.blobBytes };
      } finally {
        await rm(image.layout, { recursive: true, force: true });
      }
    };

    // 1: a typical push, a fresh image each run; Airlock's CPU on the way.
    const typical = { airlock: [] as Pushed[], floor: [] as Pushed[], cpu: [] as number[], blobBytes: 0 };
    for (let i = 0; i < RUNS; i++) {
      const name = `bench/push-${i}`;
      const r = await pushBoth(i, Array.from({ length: LAYERS }, () => LAYER_BYTES), name, async (image) => {
        const cpu = cpuSeconds(pid);
        const out = await push('airlock', image, name);
        typical.cpu.push(cpuSeconds(pid) - cpu);
        return out;
      });
      typical.airlock.push(r.airlock);
      typical.floor.push(r.floor);
      typical.blobBytes = r.blobBytes;
    }

    // 2: one large layer, Airlock's memory around each push.
    const large = { airlock: [] as Pushed[], floor: [] as Pushed[], before: [] as number[], peak: [] as number[], after: [] as number[], blobBytes: 0 };
    let peaksApart = true;
    for (let i = 0; i < RUNS; i++) {
      const name = `bench/large-${i}`;
      const r = await pushBoth(i, [LARGE_BYTES], name, async (image) => {
        large.before.push(memoryOf(pid).rss);
        peaksApart &&= resetPeak(pid);
        const sampled = await sampleRss(pid, 20, () => push('airlock', image, name));
        large.peak.push(Math.max(sampled.maxRss, memoryOf(pid).peak));
        large.after.push(memoryOf(pid).rss);
        return sampled.result;
      });
      large.airlock.push(r.airlock);
      large.floor.push(r.floor);
      large.blobBytes = r.blobBytes;
    }

    // 3: one blob in one chunk and in CHUNKS, by hand; fresh bytes for each, the same to both sides.
    const chunked = new Map<number, { airlock: Pushed[]; floor: Pushed[] }>([1, CHUNKS].map((n) => [n, { airlock: [], floor: [] }]));
    for (let i = 0; i < RUNS; i++) {
      for (const [n, out] of chunked) {
        const bytes = randomBytes(BLOB_BYTES);
        const digest = sha256Digest(bytes);
        const name = `bench/chunked-${i}-${n}`;
        const upload = (side: Side): Promise<Pushed> => measured(side, () => uploadInChunks(v2(side), name, bytes, digest, n, side === 'airlock' ? { authorization: `Bearer ${token}` } : {}));
        const r = await pair(i, () => upload('airlock'), () => upload('floor'));
        out.airlock.push(r.airlock);
        out.floor.push(r.floor);
      }
    }

    // The report.
    const row = (name: string, airlock: string, floor: string, ratio: string, note = ''): string => `  ${name.padEnd(36)}${airlock.padEnd(14)}${floor.padEnd(14)}${ratio.padEnd(8)}${note}`;
    const written = (xs: readonly Pushed[], blob: number): string => {
      const w = medianOf(xs, 'written');
      return Number.isNaN(w) ? 'unknown' : `${mib(w)} (${(w / blob).toFixed(2)}× the bytes)`;
    };
    const pushRows = (name: string, s: { airlock: readonly Pushed[]; floor: readonly Pushed[] }, blob: number, note = ''): string[] => [
      row(name, ms(medianOf(s.airlock, 'ms')), ms(medianOf(s.floor, 'ms')), times(medianOf(s.airlock, 'ms'), medianOf(s.floor, 'ms')), note),
      `      runs: airlock ${list(s.airlock.map((x) => x.ms))}; floor ${list(s.floor.map((x) => x.ms))} ms`,
      `      written: airlock ${written(s.airlock, blob)}; floor ${written(s.floor, blob)}`,
    ];
    console.log(`pushes into a hosted oci repository against the same pushes into docker-registry (Debian's, behind the fixture's Node front, loopback)`);
    console.log(`  Airlock as \`airlock serve\`, its data on the disk; medians of ${RUNS} runs, fresh content each; "written": bytes the server process gave write(2) (/proc/PID/io wchar)`);
    console.log(row('', 'airlock', 'floor', 'ratio'));
    for (const line of pushRows(`push ${LAYERS} × ${mib(LAYER_BYTES)} layers (skopeo)`, typical, typical.blobBytes, `(${mib(typical.blobBytes)} of blobs; Airlock's CPU per push ${median(typical.cpu).toFixed(2)} s)`)) console.log(line);
    for (const line of pushRows(`push one ${mib(LARGE_BYTES)} layer (skopeo)`, large, large.blobBytes)) console.log(line);
    console.log(`      Airlock's RSS: ${mib(idleRss)} idle at start; before ${list(large.before.map((b) => b / 1024 ** 2))}, peak ${list(large.peak.map((b) => b / 1024 ** 2))}, after ${list(large.after.map((b) => b / 1024 ** 2))} MiB${peaksApart ? '' : ' (peaks since start: /proc/PID/clear_refs was refused)'}`);
    for (const [n, s] of chunked) for (const line of pushRows(`${mib(BLOB_BYTES)} blob in ${n} PATCH${n === 1 ? '' : 'es'} (by hand)`, s, BLOB_BYTES)) console.log(line);
    console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  });
}

await main();
