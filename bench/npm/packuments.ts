/**
 * `npm run bench:npm:packuments`: the CPU a cold install's packuments cost Airlock before any
 * gate or store work, over the workload's real packuments (every package of the lockfile, once),
 * side by side with the plain way measured in the same run:
 *  - plain (the bare proxy's way, plain-packument.ts): JSON.parse of the whole document, then the
 *    abbreviated document built from the parsed versions and JSON.stringify'd;
 *  - Airlock: the validating index pass that also reads every version's manifest (what the
 *    metadata service runs once per upstream document), then the abbreviated rendering with
 *    nothing hidden (what it runs once per view);
 * then the compression of Airlock's renderings (each compressed once, then served from memory) at
 * the level the gateway uses, beside zlib's default level as the baseline.
 * Each round runs both over every document, in turn; the report gives the median per part.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { parseNpmPackageName } from '../../src/core/index.ts';
import { indexPackumentWithManifests } from '../../src/ecosystems/npm/packument-index.ts';
import { renderAbbreviated } from '../../src/ecosystems/npm/packument-render.ts';
import { RENDER_GZIP_LEVEL } from '../../src/ecosystems/npm/metadata-service.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';
import { plainAbbreviated } from './plain-packument.ts';
import { ensureWorkloadCache, lockedPackages, packumentFile } from './workload.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = wholeNumber(values.rounds, 'rounds');

const BASE = 'http://127.0.0.1:8080/npm/';
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const fetched = await ensureWorkloadCache(log);
if (fetched > 0) log(`cached ${fetched} files`);
const docs = [...new Set(lockedPackages().map((p) => p.name))].map((name) => ({ name, bytes: readFileSync(packumentFile(name)) }));
const totalBytes = docs.reduce((n, d) => n + d.bytes.length, 0);

/** Milliseconds per round of each part, and the abbreviated bytes a round produced. */
const plain = { total: [] as number[], out: 0 };
const airlock = { index: [] as number[], render: [] as number[], out: 0 };
/** The renderings of the last round, and the compression of them at each level. */
let renderings: Buffer[] = [];
/** What zlib's default (`Z_DEFAULT_COMPRESSION`, -1) stands for. */
const DEFAULT_LEVEL = 6;
const gzipLevels = [RENDER_GZIP_LEVEL, DEFAULT_LEVEL].map((level) => ({ level, ms: [] as number[], out: 0 }));

function plainRound(): void {
  let total = 0;
  let out = 0;
  for (const d of docs) {
    const start = performance.now();
    out += plainAbbreviated(d.name, d.bytes, BASE).body.length;
    total += performance.now() - start;
  }
  // The plain way parses and renders in one go: reported whole.
  plain.total.push(total);
  plain.out = out;
}

function airlockRound(): void {
  let index = 0;
  let render = 0;
  let out = 0;
  renderings = [];
  for (const d of docs) {
    const a = performance.now();
    const { index: idx } = indexPackumentWithManifests(d.bytes);
    const b = performance.now();
    const shape = { base: BASE, name: parseNpmPackageName(idx.name), hidden: new Set<string>(), distTags: idx.distTags, tagsChanged: false, modified: null, restrictions: null };
    const body = renderAbbreviated(d.bytes, idx, shape);
    out += body.length;
    renderings.push(body);
    render += performance.now() - b;
    index += b - a;
  }
  airlock.index.push(index);
  airlock.render.push(render);
  airlock.out = out;
}

function gzipRound(): void {
  for (const g of gzipLevels) {
    const start = performance.now();
    let out = 0;
    for (const body of renderings) out += gzipSync(body, { level: g.level }).length;
    g.ms.push(performance.now() - start);
    g.out = out;
  }
}

const last = (xs: readonly number[]): string => `${(xs.at(-1) ?? 0).toFixed(0)} ms`;
for (let r = 0; r < rounds; r++) {
  plainRound();
  airlockRound();
  gzipRound();
  const gz = gzipLevels.map((g) => `level ${g.level} ${last(g.ms)}`).join(', ');
  log(`round ${r + 1}/${rounds}: plain ${last(plain.total)}; airlock index ${last(airlock.index)} + render ${last(airlock.render)}; gzip ${gz}`);
}

const ms = (x: number): string => `${x.toFixed(0)} ms`.padStart(8);
const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
const p = median(plain.total);
const a = median(airlock.index) + median(airlock.render);
process.stdout.write(
  [
    ``,
    `${docs.length} packuments of the workload, ${mb(totalBytes)}, ${rounds} rounds, median`,
    `  plain (JSON.parse, pick, JSON.stringify)   ${ms(p)}                         abbreviated ${mb(plain.out)}`,
    `  airlock index pass (with manifests)        ${ms(median(airlock.index))}`,
    `  airlock abbreviated rendering              ${ms(median(airlock.render))}                         abbreviated ${mb(airlock.out)}`,
    `  airlock total                              ${ms(a)}   ${(a / p).toFixed(2)}x the plain way`,
    `compression of Airlock's renderings (once per rendering), median:`,
    ...gzipLevels.map((g, i) => {
      const label = i === 0 ? `gzip level ${g.level} (the gateway's)` : `baseline: gzip level ${g.level} (zlib's default)`;
      const vs = i === 0 ? '' : `   the gateway's takes ${(median(gzipLevels[0]?.ms ?? []) / median(g.ms)).toFixed(2)}x`;
      return `  ${label.padEnd(41)}${ms(median(g.ms))}   compressed ${mb(g.out)}${vs}`;
    }),
    ``,
  ].join('\n'),
);
