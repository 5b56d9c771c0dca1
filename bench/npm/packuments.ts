/**
 * `npm run bench:npm:packuments`: the CPU a cold install's packuments cost Airlock before any
 * gate or store work, over the workload's real packuments (every package of the lockfile, once),
 * side by side with the plain way measured in the same run:
 *  - plain (the bare proxy's way, plain-packument.ts): JSON.parse of the whole document, then the
 *    abbreviated document built from the parsed versions and JSON.stringify'd;
 *  - Airlock: the validating index pass that also reads every version's manifest (what the
 *    metadata service runs once per upstream document), then the abbreviated rendering with
 *    nothing hidden (what it runs once per view).
 * Each round runs both over every document, in turn; the report gives the median per part.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseNpmPackageName } from '../../src/core/index.ts';
import { indexPackumentWithManifests } from '../../src/ecosystems/npm/packument-index.ts';
import { renderAbbreviated } from '../../src/ecosystems/npm/packument-render.ts';
import { median } from '../stats.ts';
import { plainAbbreviated } from './plain-packument.ts';
import { ensureWorkloadCache, lockedPackages, packumentFile } from './workload.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of rounds');

const BASE = 'http://127.0.0.1:8080/npm/';
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const fetched = await ensureWorkloadCache(log);
if (fetched > 0) log(`cached ${fetched} files`);
const docs = [...new Set(lockedPackages().map((p) => p.name))].map((name) => ({ name, bytes: readFileSync(packumentFile(name)) }));
const totalBytes = docs.reduce((n, d) => n + d.bytes.length, 0);

interface Times {
  parse: number[];
  render: number[];
  out: number;
}

function plainRound(t: Times): void {
  let parse = 0;
  let out = 0;
  for (const d of docs) {
    const start = performance.now();
    out += plainAbbreviated(d.name, d.bytes, BASE).body.length;
    parse += performance.now() - start;
  }
  // The plain way parses and renders in one go: reported whole, as its parse.
  t.parse.push(parse);
  t.render.push(0);
  t.out = out;
}

function airlockRound(t: Times): void {
  let index = 0;
  let render = 0;
  let out = 0;
  for (const d of docs) {
    const a = performance.now();
    const { index: idx } = indexPackumentWithManifests(d.bytes);
    const b = performance.now();
    const shape = { base: BASE, name: parseNpmPackageName(idx.name), hidden: new Set<string>(), distTags: idx.distTags, tagsChanged: false, modified: null, restrictions: null };
    out += renderAbbreviated(d.bytes, idx, shape).length;
    render += performance.now() - b;
    index += b - a;
  }
  t.parse.push(index);
  t.render.push(render);
  t.out = out;
}

const plain: Times = { parse: [], render: [], out: 0 };
const airlock: Times = { parse: [], render: [], out: 0 };
for (let r = 0; r < rounds; r++) {
  plainRound(plain);
  airlockRound(airlock);
  log(`round ${r + 1}/${rounds}: plain ${plain.parse.at(-1)?.toFixed(0)} ms; airlock index ${airlock.parse.at(-1)?.toFixed(0)} ms + render ${airlock.render.at(-1)?.toFixed(0)} ms`);
}

const ms = (xs: number[]): string => `${median(xs).toFixed(0)} ms`.padStart(8);
const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
const p = median(plain.parse);
const a = median(airlock.parse) + median(airlock.render);
process.stdout.write(
  [
    ``,
    `${docs.length} packuments of the workload, ${mb(totalBytes)}, ${rounds} rounds, median`,
    `  plain (JSON.parse, pick, JSON.stringify)   ${ms(plain.parse)}                         abbreviated ${mb(plain.out)}`,
    `  airlock index pass (with manifests)        ${ms(airlock.parse)}`,
    `  airlock abbreviated rendering              ${ms(airlock.render)}                         abbreviated ${mb(airlock.out)}`,
    `  airlock total                              ${`${a.toFixed(0)} ms`.padStart(8)}   ${(a / p).toFixed(2)}x the plain way`,
    ``,
  ].join('\n'),
);
