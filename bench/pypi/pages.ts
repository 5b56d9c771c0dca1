/**
 * `npm run bench:pypi`: what a pypi repository costs next to the index it proxies (the floor: a
 * local fixture index serving PyPI's JSON and files), measured in one run, side by side.
 *
 * - cold page: the first request for a project page with 300 versions (a wheel and an sdist each):
 *   Airlock fetches it, parses it, judges every version and renders it; the floor serves it.
 * - hot page: requests/s and p99 for that page once judged (pip's Accept header).
 * - cold file: the first request for a 1 MiB wheel: fetched, verified, stored, inspected, judged.
 * - hot file: requests/s for that wheel once stored and judged.
 *
 * Airlock runs as `airlock serve` in its own process with the built-in policy; the floor runs in
 * this process; the load generator (wrk) in its own. Medians of `--runs` cold measurements.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSdist, buildWheel, FixturePypiIndex } from '../../test/support/pypi-index/index.ts';
import { serve } from '../../test/support/serve-process.ts';
import { load, toolCaveat } from '../npm/load.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '10' } } });
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const VERSIONS = 300;
const OLD = new Date('2025-06-01T10:00:00Z');
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
/** What pip sends for a page (requests' defaults): Airlock answers gzip'd, the fixture index plainly. */
const PIP_HEADERS = { accept: PIP_ACCEPT, 'accept-encoding': 'gzip, deflate' };

async function timed(url: string, headers: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.statusText}`);
  return performance.now() - start;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const index = await new FixturePypiIndex().start();
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-bench-pypi-'));
  try {
    // RUNS projects for cold pages (each asked for once), one of them also hot.
    const projects = Array.from({ length: RUNS }, (_, i) => `bench-project-${i}`);
    for (const p of projects) {
      for (let v = 0; v < VERSIONS; v++) {
        const version = `${Math.floor(v / 100)}.${Math.floor(v / 10) % 10}.${v % 10}`;
        const w = buildWheel({ name: p, version });
        index.addFile(p, { filename: w.filename, bytes: w.bytes, metadata: w.metadata, uploadTime: OLD });
        const s = buildSdist({ name: p, version });
        index.addFile(p, { filename: s.filename, bytes: s.bytes, uploadTime: OLD });
      }
    }
    // RUNS big wheels for cold files: 1 MiB of incompressible data each.
    const big = Array.from({ length: RUNS }, (_, i) => buildWheel({ name: 'bench-big', version: `1.0.${i}`, files: { 'bench_big/blob.bin': randomBytes(1024 * 1024) } }));
    for (const w of big) index.addFile('bench-big', { filename: w.filename, bytes: w.bytes, metadata: w.metadata, uploadTime: OLD });

    const config = join(tmp, 'airlock.yaml');
    await writeFile(config, `repositories:\n  - name: pypi\n    format: pypi\n    upstream: ${index.url}\n    filesUpstream: ${index.filesUrl}\nstorage:\n  dataDir: ${join(tmp, 'data')}\nserver:\n  port: 0\n`);
    const server = serve(tmp, ['--config', config], { env: { AIRLOCK_SERVER_LOG_LEVEL: 'warn' } });
    try {
      const url = await server.listening;
      const page = (p: string): string => `${url}/pypi/simple/${p}/`;

      const coldPage: number[] = [];
      const floorPage: number[] = [];
      for (const p of projects) {
        floorPage.push(await timed(`${index.url}${p}/`, { accept: PIP_ACCEPT }));
        coldPage.push(await timed(page(p), { accept: PIP_ACCEPT }));
      }
      const listing = (await (await fetch(`${url}/pypi/simple/bench-big/`, { headers: { accept: PIP_ACCEPT } })).json()) as { files: { filename: string; url: string }[] };
      const coldFile: number[] = [];
      const floorFile: number[] = [];
      for (const w of big) {
        floorFile.push(await timed(index.fileUrl(w.filename)));
        const ours = listing.files.find((f) => f.filename === w.filename);
        if (ours === undefined) throw new Error(`${w.filename} is not on Airlock's page`);
        coldFile.push(await timed(ours.url));
      }
      const hotProject = projects[0] as string;
      const hotWheel = listing.files.find((f) => f.filename === big[0]?.filename)?.url as string;
      const hotPage = await load(page(hotProject), PIP_HEADERS, SECONDS, 32);
      const floorHotPage = await load(`${index.url}${hotProject}/`, PIP_HEADERS, SECONDS, 32);
      const hotFile = await load(hotWheel, {}, SECONDS, 32);
      const floorHotFile = await load(index.fileUrl(big[0]?.filename as string), {}, SECONDS, 32);

      const pageBytes = (await (await fetch(page(hotProject), { headers: { accept: PIP_ACCEPT } })).arrayBuffer()).byteLength;
      console.log(`pypi repository against its index (${VERSIONS} versions × a wheel and an sdist per project page, ${(pageBytes / 1024).toFixed(0)} KiB of JSON; 1 MiB wheels)`);
      console.log('  policy: the built-in default; Airlock as `airlock serve`, the floor a local fixture index');
      console.log(`                                   airlock                        floor`);
      console.log(`  cold page (first request)        ${ms(median(coldPage)).padEnd(30)} ${ms(median(floorPage))}   (median of ${RUNS} projects)`);
      console.log(`    runs: airlock ${coldPage.map((x) => x.toFixed(1)).join(', ')}; floor ${floorPage.map((x) => x.toFixed(1)).join(', ')} ms`);
      console.log(`  hot page (wrk, pip's headers)    ${`${hotPage.requestsPerSecond.toFixed(0)} req/s p99 ${hotPage.p99Ms.toFixed(2)} ms`.padEnd(30)} ${floorHotPage.requestsPerSecond.toFixed(0)} req/s p99 ${floorHotPage.p99Ms.toFixed(2)} ms`);
      console.log(`  cold 1 MiB wheel (first request) ${ms(median(coldFile)).padEnd(30)} ${ms(median(floorFile))}   (median of ${RUNS} files)`);
      console.log(`    runs: airlock ${coldFile.map((x) => x.toFixed(1)).join(', ')}; floor ${floorFile.map((x) => x.toFixed(1)).join(', ')} ms`);
      console.log(`  hot 1 MiB wheel (wrk)            ${`${hotFile.requestsPerSecond.toFixed(0)} req/s p99 ${hotFile.p99Ms.toFixed(2)} ms`.padEnd(30)} ${floorHotFile.requestsPerSecond.toFixed(0)} req/s p99 ${floorHotFile.p99Ms.toFixed(2)} ms`);
      for (const r of [hotPage, hotFile]) if (r.non2xx > 0) console.log(`  warning: ${r.non2xx} answers were not 2xx`);
      for (const line of toolCaveat(hotPage.tool)) console.log(line);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await index.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
