/**
 * `npm run bench:gate`: the gate's metadata phase on a large packument (2,000 versions, npm facts
 * as the adapter builds them, the built-in policy), side by side with its baseline measured in the
 * same run — the bare policy evaluation of the same inputs (three queries per version, no gate),
 * one at a time and in one batch per package as the gate evaluates them.
 * The batched line also gives how many rule values the batch computed and reused per version
 * (counts, not times: the same on any machine).
 * Reports the cold (every verdict evaluated) and warm (cached verdicts, same generation) cost per
 * version, and the artifact phase for a hot artifact. Each cold round judges a package the gate
 * has never seen (its own name), so every version's first sighting is written to the store, as on
 * a cold install; the warm round after it judges the same package again. `--rounds` (default 10)
 * sets the rounds; the median is printed with the fastest and slowest round.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildApp } from '../../src/app/build-app.ts';
import { validateConfig } from '../../src/app/config/schema.ts';
import { resolveDraft } from '../../src/app/config/load.ts';
import { npmDiscovery } from '../../src/app/config/npm-client.ts';
import { makePurl } from '../../src/core/index.ts';
import type { VersionCandidate } from '../../src/gate/types.ts';
import { builtinPolicyPath } from '../../src/policy/builtin.ts';
import { loadBundle } from '../../src/policy/bundle-loader.ts';
import { compileBundle } from '../../src/policy/compiled-bundle.ts';
import { decide } from '../../src/policy/decide.ts';
import { EMPTY_LIST, FactInterner } from '../../src/ecosystems/npm/fact-interner.ts';
import type { RequestContext } from '../../src/storage/ports/index.ts';
import { median } from '../stats.ts';
import { wholeNumber } from '../options.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });
const VERSIONS = 2000;
const ROUNDS = wholeNumber(values.rounds, 'rounds');
const now = new Date();

// The npm adapter shares a value that many versions repeat through its FactInterner (the batch
// then compares them by identity before comparing their content): so does this benchmark.
const intern = new FactInterner();
/** The adapter's `factsKey`: the digest of the packument the facts were read from. */
const FACTS_KEY = 'sha256:bench-packument';

function facts(i: number) {
  return {
    published_at: new Date(now.getTime() - (VERSIONS - i) * 3_600_000 * 6).toISOString(),
    package_created_at: '2015-01-01T00:00:00.000Z',
    version_count: VERSIONS,
    dist_tags: i === VERSIONS - 1 ? intern.list(['latest']) : EMPTY_LIST,
    prerelease: false,
    deprecated: i % 97 === 0 ? 'use a newer version' : null,
    install_scripts: intern.object(i % 50 === 0 ? { postinstall: 'node install.js' } : {}),
    has_install_script: i % 50 === 0,
    maintainers: intern.list(['alice', 'bob']),
    publisher: 'alice',
    provenance: i > 1500,
    provenance_predicate_type: i > 1500 ? 'https://slsa.dev/provenance/v1' : null,
    registry_signatures: 1,
    integrity_algorithms: intern.list(['sha1', 'sha512']),
    declared_file_count: 40,
    declared_unpacked_size: 120_000,
    license: 'MIT',
    repository: 'git+https://example.test/x.git',
    has_bin: false,
    dependency_count: 4,
    optional_dependency_count: 0,
    peer_dependency_count: 0,
    bundled_dependency_count: 0,
  };
}

const versionFacts = Array.from({ length: VERSIONS }, (_, i) => facts(i));
/** The versions of a package named `name`, with the same facts whatever the name. */
function candidatesOf(name: string): VersionCandidate[] {
  return versionFacts.map((f, i) => {
    const version = `1.${Math.floor(i / 100)}.${i % 100}`;
    return { subject: { repo: 'npm', ecosystem: 'npm', name, version, purl: makePurl('npm', name, version) }, facts: f, factsKey: `${FACTS_KEY}:${name}` };
  });
}
const candidates = candidatesOf('big-package');
const request: RequestContext = { tokenId: null, role: null, userAgent: 'npm/11 node/v24', agent: null, ip: '127.0.0.1', requestId: 'bench' };

const dataDir = await mkdtemp(join(tmpdir(), 'airlock-bench-gate-'));
try {
  // Baseline: the bare policy evaluation of the same inputs.
  const bundle = compileBundle(await loadBundle([builtinPolicyPath()], process.cwd()));
  const limits = { timeoutMs: 1000, maxSteps: 1_000_000 };
  const inputs = candidates.map((c) => ({
    version: 1,
    phase: 'metadata',
    now: now.toISOString(),
    artifact: { ...c.subject },
    facts: c.facts,
    request: null,
    review: { state: 'none', quarantine_id: null, expires_at: null, expired: false },
    exceptions: [],
  }));
  const baseline: number[] = [];
  const batched: number[] = [];
  /** What the batch computed and reused over one package (the same every round). */
  let work = { computed: 0, reused: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    for (const input of inputs) decide(bundle, input, limits, 'block');
    baseline.push(performance.now() - t);
    // The same decisions as the gate takes them: one batch for the package's versions.
    t = performance.now();
    const batch = bundle.batch();
    for (const input of inputs) decide(bundle, input, limits, 'block', batch);
    batched.push(performance.now() - t);
    work = { computed: batch.computed, reused: batch.reused };
  }

  const env = {};
  const draft = validateConfig({ repositories: [], storage: { dataDir }, policy: { watch: false }, server: { logLevel: 'silent' } }, { env, baseDir: dataDir, cwd: dataDir });
  const config = await resolveDraft(draft, npmDiscovery());
  const app = await buildApp(config, { logger: pino({ level: 'silent' }), announce: () => {} });
  const { gate } = app.airlock;
  const cold: number[] = [];
  const warm: number[] = [];
  let held = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const round = candidatesOf(`big-package-${r}`);
    let t = performance.now();
    const d = await gate.judgeVersions(round, request);
    cold.push(performance.now() - t);
    held = [...d.values()].filter((x) => x.verdict.kind !== 'allow').length;
    t = performance.now();
    await gate.judgeVersions(round, request);
    warm.push(performance.now() - t);
  }
  const hot = candidates[VERSIONS - 10] as VersionCandidate;
  await gate.judgeArtifact(hot, request);
  const N = 20_000;
  const t = performance.now();
  for (let i = 0; i < N; i++) await gate.judgeArtifact(hot, request);
  const artifactUs = ((performance.now() - t) * 1000) / N;
  await app.close();

  const per = (ms: number): string => `${((ms * 1000) / VERSIONS).toFixed(1)} µs/version`;
  const range = (xs: readonly number[]): string => `rounds ${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)} ms`;
  console.log(`gate metadata phase, ${VERSIONS} versions, built-in policy (median of ${ROUNDS}); ${held} versions held back by the policy`);
  console.log(`  baseline: bare policy evaluation   ${median(baseline).toFixed(1)} ms  (${per(median(baseline))})  one input at a time; ${range(baseline)}`);
  console.log(`  bare policy evaluation, batched    ${median(batched).toFixed(1)} ms  (${per(median(batched))})  ${(median(batched) / median(baseline)).toFixed(2)}x baseline (one batch per package, as the gate does); ${range(batched)}`);
  const perVersion = (n: number): string => (n / VERSIONS).toFixed(2);
  console.log(`    rule values computed per version ${perVersion(work.computed)}, reused ${perVersion(work.reused)} (rules and branches)`);
  console.log(`  gate, cold (a package never seen)   ${median(cold).toFixed(1)} ms  (${per(median(cold))})  ${(median(cold) / median(baseline)).toFixed(2)}x baseline; ${range(cold)}`);
  console.log(`  gate, warm (cached verdicts)        ${median(warm).toFixed(1)} ms  (${per(median(warm))})  ${(median(warm) / median(baseline)).toFixed(2)}x baseline; ${range(warm)}`);
  console.log(`gate artifact phase, hot artifact (cached verdict): ${artifactUs.toFixed(1)} µs/request`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
