/**
 * `npx node --expose-gc bench/npm/cache-footprint.ts`: what Airlock's npm caches really cost in
 * memory, per entry, against the estimates their byte budgets charge — measured over the
 * workload's real packuments (bench/.cache/npm, fetched by `npm run bench:npm`). Each structure
 * is built for every package, kept alive, and the heap growth after a full GC is divided over
 * the packages; buffers (documents, renderings) are counted by their length and not measured here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpmPackageName } from '../../src/core/index.ts';
import { indexPackument, type PackumentIndex } from '../../src/ecosystems/npm/packument-index.ts';
import { candidatesBytes, packageCandidates, type PackageCandidates } from '../../src/ecosystems/npm/package-view.ts';
import { indexBytes } from '../../src/ecosystems/npm/metadata-service.ts';
import { publishingTimeline, type PublishingTimeline } from '../../src/ecosystems/npm/publishing-timeline.ts';
import { CACHE_DIR } from './workload.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write('run with --expose-gc\n');
  process.exit(2);
}

/** The V8 heap and the typed arrays' backing stores outside it (an index's packed spans). */
function used(): number {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const dir = join(CACHE_DIR, 'packuments');
const docs: Array<{ name: string; bytes: Buffer }> = [];
for (const file of readdirSync(dir)) {
  if (!file.endsWith('.json')) continue;
  docs.push({ name: decodeURIComponent(file.slice(0, -'.json'.length)), bytes: readFileSync(join(dir, file)) });
}
if (docs.length === 0) {
  process.stderr.write(`no packuments in ${dir}: run npm run bench:npm once\n`);
  process.exit(2);
}

function measure<T>(label: string, build: (d: (typeof docs)[number]) => T, estimate: (t: T) => number, count: (t: T) => number): void {
  const before = used();
  const kept: T[] = docs.map(build);
  const after = used();
  const real = after - before;
  const est = kept.reduce((n, t) => n + estimate(t), 0);
  const versions = kept.reduce((n, t) => n + count(t), 0);
  process.stdout.write(
    `${label.padEnd(22)} ${docs.length} packages, ${versions} versions: memory ${(real / 2 ** 20).toFixed(1)} MiB ` +
      `(${(real / versions).toFixed(0)} B/version), estimated ${(est / 2 ** 20).toFixed(1)} MiB, real/estimate ${(real / est).toFixed(2)}\n`,
  );
  kept.length = 0;
}

const indexed = new Map<string, { index: PackumentIndex }>();
for (const d of docs) indexed.set(d.name, { index: indexPackument(d.bytes) });
{
  // What the index's packed spans hold per version beside its fixed fields (packument-index.ts).
  let versions = 0;
  let runs = 0;
  for (const { index } of indexed.values()) {
    versions += index.versions.size;
    runs += index.versions.corgi.length / 2;
  }
  process.stdout.write(`packument index: ${(runs / versions).toFixed(2)} runs of abbreviated members per version\n`);
}
measure(
  'packument index',
  (d) => indexPackument(d.bytes),
  (i) => indexBytes(i),
  (i) => i.versions.size,
);
measure(
  'candidates',
  (d) => {
    const x = indexed.get(d.name);
    if (x === undefined) throw new Error(d.name);
    // From the document, as after the index pass: the manifests read on the way are garbage.
    return packageCandidates('npm', parseNpmPackageName(d.name), x.index, { doc: d.bytes }, 'doc-digest');
  },
  (c: PackageCandidates) => candidatesBytes(c),
  (c) => c.candidates.length + c.unusable.size,
);
measure(
  'publishing timeline',
  (d) => {
    const x = indexed.get(d.name);
    if (x === undefined) throw new Error(d.name);
    // Kept beside the index, whose time strings it shares; the candidates are garbage.
    return publishingTimeline(packageCandidates('npm', parseNpmPackageName(d.name), x.index, { doc: d.bytes }, 'doc-digest'));
  },
  (t: PublishingTimeline) => t.bytes,
  (t) => t.versions.length,
);
