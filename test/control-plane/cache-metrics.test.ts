/**
 * What /-/metrics says of the in-memory caches `server.cacheMemory` is split between, on a real
 * gateway serving packuments from a fixture npm registry: each cache's estimated bytes, its
 * budget, its entries and its evictions, per repository and for the process-wide ones (`-`);
 * and which caches each format's repositories export.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheBudget } from '../../src/app/cache-budget.ts';
import { CACHE_SHARES } from '../../src/ecosystems/npm/options.ts';
import type { FixturePackage } from '../support/npm-registry/index.ts';
import { startAirlock, type StartedAirlock } from '../support/start-airlock.ts';
import { npmTestEnv, serverFor } from '../npm/helpers.ts';

const CORGI = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' };

async function scrape(a: StartedAirlock): Promise<string> {
  // Without a token, as Prometheus scrapes it.
  const r = await fetch(`${a.url}/-/metrics`);
  assert.equal(r.status, 200);
  return r.text();
}

/** One series' value; fails when the series is not there. */
function value(text: string, name: string, repo: string, cache: string): number {
  const prefix = `${name}{repo="${repo}",cache="${cache}"} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line !== undefined, `${prefix.trim()} is exported`);
  return Number(line.slice(prefix.length));
}

function fill(text: string, repo: string, cache: string): { bytes: number; budget: number; entries: number; evictions: number } {
  return {
    bytes: value(text, 'airlock_cache_bytes', repo, cache),
    budget: value(text, 'airlock_cache_budget_bytes', repo, cache),
    entries: value(text, 'airlock_cache_entries', repo, cache),
    evictions: value(text, 'airlock_cache_evictions_total', repo, cache),
  };
}

async function packument(a: StartedAirlock, name: string): Promise<void> {
  const r = await fetch(`${a.url}/npm/${name.replace('/', '%2f')}`, { headers: CORGI });
  assert.equal(r.status, 200, name);
  await r.arrayBuffer();
}

test("a repository's caches and the process-wide ones are exported: filled by packuments served, within their budgets, none evicted with room to spare", async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await serverFor(env);
  t.after(() => a.close());

  const before = await scrape(a);
  assert.deepEqual(fill(before, 'npm', 'states'), {
    bytes: 0,
    budget: Math.floor(cacheBudget(a.config.server.cacheMemoryBytes, a.config.repositories).repository('proxy') * CACHE_SHARES.states),
    entries: 0,
    evictions: 0,
  });

  const served = ['left-pad', '@acme/widget', 'hide-me'];
  for (const name of served) await packument(a, name);
  const text = await scrape(a);
  const states = fill(text, 'npm', 'states');
  assert.equal(states.entries, served.length, 'one state per package served');
  assert.ok(states.bytes > 0 && states.bytes <= states.budget, JSON.stringify(states));
  assert.equal(states.evictions, 0);
  for (const cache of ['candidates', 'documents', 'hotArtifacts']) {
    const f = fill(text, 'npm', cache);
    assert.ok(f.bytes <= f.budget && f.budget > 0 && f.evictions === 0, `${cache}: ${JSON.stringify(f)}`);
  }
  // The upstream documents were read, and are kept.
  assert.ok(fill(text, 'npm', 'documents').entries >= 1);

  // The gate's verdicts and the signals' knowledge are the process's: repo="-".
  const verdicts = fill(text, '-', 'verdicts');
  assert.equal(verdicts.entries, served.length, 'one package entry per package judged');
  assert.ok(verdicts.bytes > 0 && verdicts.bytes <= verdicts.budget, JSON.stringify(verdicts));
  const names = fill(text, '-', 'nameFacts');
  assert.equal(names.entries, served.length);
  assert.ok(names.bytes > 0 && names.bytes <= names.budget);
  for (const cache of ['artifactVerdicts', 'firstSightings', 'missingNames', 'advisories']) assert.ok(fill(text, '-', cache).budget > 0, cache);
});

test('with the smallest server.cacheMemory, more packages than fit push states out: evictions count, and the bytes held stay within the budget', async (t) => {
  // 24 packages of 250 versions: each state is a few hundred KB estimated, against ~1.8 MiB for
  // the states of the only repository with 4 MiB in all.
  const packages: FixturePackage[] = Array.from({ length: 24 }, (_, p) => ({
    name: `wide-${p}`,
    versions: Array.from({ length: 250 }, (_, v) => ({ version: `1.0.${v}`, manifest: { description: `wide package ${p}, version ${v}` } })),
  }));
  const env = await npmTestEnv(packages);
  t.after(() => env.close());
  const a = await serverFor(env, { server: { cacheMemory: '4MiB' } });
  t.after(() => a.close());

  for (const p of packages) await packument(a, p.name);
  const states = fill(await scrape(a), 'npm', 'states');
  assert.ok(states.evictions > 0, `states evicted: ${JSON.stringify(states)}`);
  assert.ok(states.entries > 0 && states.entries < packages.length, JSON.stringify(states));
  assert.ok(states.bytes > 0 && states.bytes <= states.budget, JSON.stringify(states));
  assert.equal(states.budget, Math.floor(cacheBudget(4 * 1024 * 1024, a.config.repositories).repository('proxy') * CACHE_SHARES.states));

  // An evicted package is loaded again when asked for: one more state in, one more out.
  await packument(a, 'wide-0');
  const again = fill(await scrape(a), 'npm', 'states');
  assert.ok(again.evictions > states.evictions, `${JSON.stringify(again)} after ${JSON.stringify(states)}`);
});

test("every format's repositories export their caches (a group none of its own), each budget their share of server.cacheMemory", async (t) => {
  const closed = 'http://127.0.0.1:9/';
  const a = await startAirlock({
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: closed },
        { name: 'internal', format: 'npm', kind: 'hosted' },
        { name: 'all', format: 'npm', kind: 'group', members: ['internal', 'npm'] },
        { name: 'pypi', format: 'pypi', upstream: `${closed}simple/` },
        { name: 'hf', format: 'huggingface', upstream: closed },
        { name: 'images', format: 'oci', upstream: closed },
        { name: 'pushed', format: 'oci', kind: 'hosted' },
      ],
    },
  });
  t.after(() => a.close());
  const text = await scrape(a);
  const caches = new Map<string, string[]>();
  for (const [, repo, cache] of text.matchAll(/^airlock_cache_budget_bytes\{repo="([^"]*)",cache="([^"]*)"\} [1-9]/gm)) caches.set(repo as string, [...(caches.get(repo as string) ?? []), cache as string]);
  assert.deepEqual(Object.fromEntries(caches), {
    '-': ['verdicts', 'artifactVerdicts', 'firstSightings', 'nameFacts', 'missingNames', 'advisories'],
    npm: ['states', 'candidates', 'documents', 'hotArtifacts'],
    internal: ['states', 'candidates', 'documents', 'hotArtifacts'],
    pypi: ['pages', 'hotFiles', 'inspections', 'outcomes', 'servedOnce'],
    hf: ['trees', 'commits', 'branches', 'outcomes', 'signatures'],
    images: ['manifests', 'outcomes', 'parts'],
    pushed: ['manifests', 'outcomes', 'parts'],
  });
  // A hosted repository counts a quarter of a proxy.
  const budget = (repo: string): number => value(text, 'airlock_cache_budget_bytes', repo, 'states');
  assert.equal(budget('internal'), Math.floor(cacheBudget(a.config.server.cacheMemoryBytes, a.config.repositories).repository('hosted') * CACHE_SHARES.states));
  assert.ok(budget('internal') < budget('npm') / 3);
});
