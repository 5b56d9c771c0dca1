/**
 * `npm run bench:install-code`: what following install hooks costs the artifact phase, over real
 * popular packages that have install hooks (fetched once from the configured registry into a
 * git-ignored folder, checked against their integrity). Per package: the passes over the tarball,
 * the files read and their bytes, whether the analysis is complete, and the time to work out the
 * hooks, read and follow what they run and analyse it — side by side with its baseline measured in
 * the same run, the one inspection pass the gate makes of every tarball. Medians over `--runs`
 * (default 5). Then install code written to make the rules slow, analysed within their CPU budget,
 * side by side with the same code analysed without one, and the longest it held the thread at once
 * (the rules let it go every few milliseconds, so other requests are served meanwhile). Then a
 * packument's versions with such scripts, sharing one budget, against a budget each.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { readTarballFiles } from '../../src/ecosystems/npm/tarball-files.ts';
import { inspectTarball } from '../../src/ecosystems/npm/tarball-inspect.ts';
import { installBehaviourCollector } from '../../src/signals/collectors/index.ts';
import { analyseInstallHooks, DEFAULT_INSTALL_SCRIPT_LIMITS, npmInstallScriptFacts, planNpmHooks, readHookFiles, type HookAnalysis, type InstallHook } from '../../src/signals/install-scripts/index.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';
import { CACHE_DIR, get, registryUrl, writeAtomic } from './workload.ts';

/** Popular packages with install hooks, pinned (the versions checked by hand at stop 47). */
const PACKAGES: readonly (readonly [string, string])[] = [
  ['nx', '24.0.6'],
  ['cypress', '15.3.0'],
  ['node-sass', '9.0.0'],
  ['prisma', '7.10.1'],
  ['core-js', '3.51.0'],
  ['esbuild', '0.28.2'],
  ['electron', '41.7.1'],
  ['puppeteer', '24.43.1'],
  ['msw', '2.15.0'],
  ['@swc/core', '1.16.22'],
  ['sqlite3', '6.0.1'],
  ['canvas', '3.2.3'],
  ['bcrypt', '6.0.0'],
  ['es5-ext', '0.10.64'],
  ['@parcel/watcher', '2.6.0'],
];

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = wholeNumber(values.runs, 'runs');
const DIR = join(CACHE_DIR, 'install-code');

async function tarball(name: string, version: string): Promise<Buffer> {
  const file = join(DIR, `${encodeURIComponent(name)}@${version}.tgz`);
  if (!existsSync(file)) {
    const registry = registryUrl();
    const doc = JSON.parse(Buffer.from(await get(`${registry}${name.replace('/', '%2f')}`, 'application/vnd.npm.install-v1+json')).toString('utf8')) as {
      versions: Record<string, { dist: { tarball: string; integrity: string } }>;
    };
    const dist = doc.versions[version]?.dist;
    if (dist === undefined) throw new Error(`${name}@${version} is not in its packument`);
    const body = await get(dist.tarball, 'application/octet-stream');
    const [algo, b64] = dist.integrity.split('-', 2) as [string, string];
    if (createHash(algo).update(body).digest('base64') !== b64) throw new Error(`integrity mismatch for ${name}@${version}`);
    writeAtomic(file, body);
  }
  return readFileSync(file);
}

interface Measured {
  /** Working out the hooks, reading and following what they run, analysing it. */
  readonly ms: number;
  /** The baseline: the inspection pass over the same tarball. */
  readonly inspectMs: number;
  /** Of `ms`, the behaviour rules over the hooks and the files read. */
  readonly analyseMs: number;
  readonly passes: number;
  readonly files: number;
  /** Bytes of the files read (as text, UTF-8). */
  readonly readBytes: number;
  readonly complete: boolean;
  readonly severity: string;
}

async function followOnce(name: string, bytes: Buffer): Promise<Measured> {
  const t = performance.now();
  const inspection = await inspectTarball(bytes);
  const f = inspection.facts as { install_scripts: Record<string, string>; has_binding_gyp: boolean; bundled_install_scripts: Record<string, Record<string, string>>; script_config: Record<string, string> };
  const inspectMs = performance.now() - t;
  const started = performance.now();
  const plan = planNpmHooks({ manifest: { scripts: f.install_scripts }, hasBindingGyp: f.has_binding_gyp, bundled: new Map(Object.entries(f.bundled_install_scripts)), config: f.script_config });
  let passes = 0;
  const read = await readHookFiles(plan.starts, async (paths, bounds) => (passes++, readTarballFiles(Readable.from([bytes]), paths, bounds)), name, bytes.length);
  const analysing = performance.now();
  const facts = await npmInstallScriptFacts(plan, read);
  const analyseMs = performance.now() - analysing;
  let readBytes = 0;
  for (const text of read.files.values()) readBytes += Buffer.byteLength(text);
  return { ms: performance.now() - started, inspectMs, analyseMs, passes, files: read.files.size, readBytes, complete: facts.complete, severity: facts.max_severity };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  let followTotal = 0;
  let inspectTotal = 0;
  let analyseTotal = 0;
  let readTotal = 0;
  for (const [name, version] of PACKAGES) {
    const bytes = await tarball(name, version);
    const follow: number[] = [];
    const inspect: number[] = [];
    const analyse: number[] = [];
    let last: Measured | null = null;
    for (let r = 0; r < RUNS; r++) {
      const got = await followOnce(name, bytes);
      follow.push(got.ms);
      inspect.push(got.inspectMs);
      analyse.push(got.analyseMs);
      last = got;
    }
    if (last === null) continue;
    followTotal += median(follow);
    inspectTotal += median(inspect);
    analyseTotal += median(analyse);
    readTotal += last.readBytes;
    rows.push(
      `  ${`${name}@${version}`.padEnd(26)} ${(bytes.length / 1e6).toFixed(1).padStart(5)} MB  passes ${String(last.passes).padStart(2)}  files ${String(last.files).padStart(3)} (${(last.readBytes / 1e6).toFixed(2)} MB)  ${last.complete ? 'complete  ' : 'INCOMPLETE'}  max ${last.severity.padEnd(8)}  follow ${median(follow).toFixed(1).padStart(7)} ms   baseline: inspection ${median(inspect).toFixed(1).padStart(6)} ms`,
    );
  }
  console.log(`install hooks followed over ${PACKAGES.length} popular packages with install hooks, ${RUNS} runs, median`);
  for (const r of rows) console.log(r);
  console.log(`  all: follow ${followTotal.toFixed(0)} ms against ${inspectTotal.toFixed(0)} ms of inspection (${(followTotal / inspectTotal).toFixed(2)}x)`);
  const mib = readTotal / 1024 ** 2;
  console.log(`  of which the behaviour rules over the ${mib.toFixed(2)} MiB of code read: ${analyseTotal.toFixed(0)} ms (${(analyseTotal / mib).toFixed(0)} ms per MiB)`);
}

/** CPU time of this thread for `work`, in ms (the rules let it go while they run; nothing else runs here meanwhile). */
async function threadMs(work: () => Promise<unknown>): Promise<number> {
  const before = process.threadCpuUsage();
  await work();
  const { user, system } = process.threadCpuUsage(before);
  return (user + system) / 1000;
}

/**
 * Files of 4 MiB each, as an artifact's read keeps them, written against the rules: each `curl`
 * scans a 300-character window for a `|`, each `iex` and each `node -e` a 200- and 400-character one.
 */
async function hostile(): Promise<void> {
  const file = (unit: string, name: string): InstallHook => ({ kind: 'script-file', name, content: unit.repeat(Math.ceil((4 << 20) / unit.length)).slice(0, 4 << 20) });
  const hooks = [{ kind: 'npm-lifecycle', name: 'postinstall', content: 'node a.js' } as const, file('curl ', 'a.js'), file('iex ', 'b.js'), file('node -e ', 'c.js')];
  let budgeted: HookAnalysis | undefined;
  // The longest the analysis held the thread: the longest gap between turns of a ticker.
  let longest = 0;
  let last = performance.now();
  let ticking = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const withBudget = await threadMs(async () => {
    budgeted = await analyseInstallHooks(hooks);
  });
  ticking = false;
  if (budgeted === undefined) throw new Error('the analysis returned nothing');
  const without = await threadMs(() => analyseInstallHooks(hooks, { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxCpuMs: Number.POSITIVE_INFINITY }));
  console.log(`install code written to make the rules slow: 3 files of 4 MiB (\`curl \`, \`iex \`, \`node -e \` repeated), CPU of the analysing thread`);
  console.log(
    `  within the budget of ${DEFAULT_INSTALL_SCRIPT_LIMITS.maxCpuMs} ms: ${withBudget.toFixed(0)} ms (read in part: ${budgeted.truncated.join(', ') || 'none'}; not analysed: ${budgeted.skipped}), holding the thread ${longest.toFixed(0)} ms at most   baseline: without a budget ${without.toFixed(0)} ms`,
  );
}

/**
 * A packument's versions, each with its own 1 MiB install script written against the rules, as the
 * metadata phase judges them: the install-behaviour collector, whose versions share one budget,
 * against each version analysed with a budget of its own (as before they shared one).
 */
async function hostileVersions(): Promise<void> {
  const VERSIONS = 8;
  const slow = 'curl '.repeat((1 << 20) / 5 - 4);
  const candidates = Array.from({ length: VERSIONS }, (_, v) => ({
    subject: { ecosystem: 'npm' as const, name: 'padded', version: `1.0.${v}` },
    facts: { install_scripts: { postinstall: `${slow}#${v}` }, has_install_script: true },
  }));
  let held = 0;
  const shared = await threadMs(async () => {
    const facts = await installBehaviourCollector().collect({ phase: 'metadata', candidates, history: candidates, request: null, now: new Date() });
    held = facts.filter((f) => (f['install_behaviour'] as { complete: boolean }).complete === false).length;
  });
  const each = await threadMs(async () => {
    for (const c of candidates) await npmInstallScriptFacts({ manifest: { scripts: c.facts.install_scripts, hasInstallScript: true } });
  });
  console.log(`a packument of ${VERSIONS} versions, each with its own 1 MiB script of \`curl \` repeated (metadata phase), CPU of the analysing thread`);
  console.log(`  the versions sharing one budget: ${shared.toFixed(0)} ms (${held} of ${VERSIONS} held as not analysed in full)   baseline: a budget each ${each.toFixed(0)} ms`);
}

await main();
await hostile();
await hostileVersions();
