import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestAirlock } from '../support/start-airlock.ts';
import { writePolicyDir } from '../support/gate-helpers.ts';
import { appFor, npmTestEnv, type NpmTestEnv } from './helpers.ts';

test('upstream down: cached metadata is served (stale-if-error), stored tarballs still install', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  // Max age 0: every request revalidates, so only stale-if-error can answer while it is down.
  const a = await appFor(env, { repository: { metadataMaxAge: '0s' } });
  t.after(() => a.close());
  const first = await a.app.inject({ url: '/npm/left-pad' });
  assert.equal(first.statusCode, 200);
  assert.equal((await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' })).statusCode, 200);
  for (const mode of ['503', 'refuse'] as const) {
    env.registry.setDown(mode);
    const r = await a.app.inject({ url: '/npm/left-pad' });
    assert.equal(r.statusCode, 200, `served while the upstream ${mode === '503' ? 'answers 503' : 'refuses connections'}`);
    assert.equal(r.body, first.body);
    assert.equal((await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' })).statusCode, 200);
    // Never seen before: nothing to fall back on, a clear upstream error.
    const unknown = await a.app.inject({ url: '/npm/@acme/widget' });
    assert.equal(unknown.statusCode, 502);
    assert.match((JSON.parse(unknown.body) as { error: string }).error, /upstream npm/);
  }
  env.registry.setDown(false);
});

test('revalidation: the upstream is asked with If-None-Match and answers 304', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env, { repository: { metadataMaxAge: '0s' } });
  t.after(() => a.close());
  await a.app.inject({ url: '/npm/left-pad' });
  await a.app.inject({ url: '/npm/left-pad' });
  const conditional = env.registry.requests.filter((r) => r.path === '/left-pad' && r.headers['if-none-match'] !== undefined);
  assert.equal(conditional.length, 1);
  // New upstream content is picked up on revalidation.
  env.registry.addVersions('left-pad', [{ version: '1.4.0' }]);
  const r = await a.app.inject({ url: '/npm/left-pad' });
  assert.equal((JSON.parse(r.body) as { 'dist-tags': { latest: string } })['dist-tags'].latest, '1.4.0');
});

/**
 * An Airlock on the fixture upstream, and a second one to start over the first one's data
 * directory once the test has closed the first (`first.app.close()`); removed after the test.
 */
async function twoLives(t: TestContext): Promise<{ env: NpmTestEnv; first: TestAirlock; dataDir: string; restart(): Promise<TestAirlock> }> {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const first = await appFor(env, {});
  const dataDir = first.dataDir;
  let second: TestAirlock | undefined;
  t.after(async () => {
    await second?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    env,
    first,
    dataDir,
    async restart() {
      second = await appFor(env, {}, dataDir);
      return second;
    },
  };
}

test('restart keeps artifacts, decisions and quarantine records', async (t) => {
  const { env, first, restart } = await twoLives(t);
  const ok = await first.app.inject({ url: '/npm/left-pad/-/left-pad-1.0.0.tgz' });
  assert.equal(ok.statusCode, 200);
  const held = await first.app.inject({ url: '/npm/scripted-pkg/-/scripted-pkg-1.0.0.tgz' });
  const id = /Quarantine id (\S+);/.exec((JSON.parse(held.body) as { error: string }).error)?.[1];
  assert.ok(id !== undefined);
  await first.app.close();

  const second = await restart();
  env.registry.setDown('refuse');
  const again = await second.app.inject({ url: '/npm/left-pad/-/left-pad-1.0.0.tgz' });
  assert.equal(again.statusCode, 200, 'served from the store with the upstream down');
  assert.deepEqual(again.rawPayload, ok.rawPayload);
  const stillHeld = await second.app.inject({ url: '/npm/scripted-pkg/-/scripted-pkg-1.0.0.tgz' });
  assert.equal(stillHeld.statusCode, 403);
  assert.match(stillHeld.body, new RegExp(`Quarantine id ${id};`), 'the same quarantine record');
  const decisions = await second.app.airlock.storage.metadata.listDecisions({ limit: 50 });
  assert.ok(decisions.items.some((d) => d.purl === 'pkg:npm/left-pad@1.0.0' && d.verdict === 'allow'));
  env.registry.setDown(false);
});

/** `airlock_decisions_total` for one phase and verdict, decided afresh (not from a cache). */
async function freshDecisions(a: TestAirlock, phase: string, verdict: string): Promise<number> {
  const text = (await a.app.inject({ url: '/-/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`airlock_decisions_total{phase="${phase}",verdict="${verdict}",source="policy",cached="false"}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('a policy that fails on a package: its versions are withheld with the reason, and judged again on every request rather than remembered', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const dir = await writePolicyDir({
    'airlock/broken.rego': 'package airlock\n\nimport rego.v1\n\ndeny contains "never" if { input.artifact.name == "hide-me"; to_number(input.artifact.name) > 1 }\n',
  });
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = await appFor(env, { policy: { paths: [dir] } });
  t.after(() => a.close());

  for (let round = 1; round <= 2; round++) {
    const before = await freshDecisions(a, 'metadata', 'block');
    assert.equal((await a.app.inject({ url: '/npm/hide-me' })).statusCode, 200);
    assert.equal(await freshDecisions(a, 'metadata', 'block'), before + 2, `round ${round}: both versions judged again`);

    const artifactBefore = await freshDecisions(a, 'artifact', 'block');
    const tarball = await a.app.inject({ url: '/npm/hide-me/-/hide-me-2.0.0.tgz' });
    assert.equal(tarball.statusCode, 403);
    assert.match((JSON.parse(tarball.body) as { error: string }).error, /hide-me@2\.0\.0 is blocked by Airlock policy: policy evaluation failed \(fail closed\)/);
    assert.equal(await freshDecisions(a, 'artifact', 'block'), artifactBefore + 1, `round ${round}: the tarball judged again`);
  }
  const failures = (await a.app.inject({ url: '/-/metrics' })).body.split('\n').filter((l) => l.startsWith('airlock_gate_failures_total{'));
  assert.deepEqual(failures.sort(), ['airlock_gate_failures_total{phase="artifact",kind="policy"} 2', 'airlock_gate_failures_total{phase="metadata",kind="policy"} 4']);
  // A package the policy decides is remembered as before.
  await a.app.inject({ url: '/npm/left-pad' });
  const allowed = await freshDecisions(a, 'metadata', 'allow');
  await a.app.inject({ url: '/npm/left-pad' });
  assert.equal(await freshDecisions(a, 'metadata', 'allow'), allowed);
});

/** The stored files under a data directory's blob store whose bytes include `marker`. */
async function storedFilesWith(dataDir: string, marker: string): Promise<string[]> {
  const root = join(dataDir, 'blobs', 'sha256');
  const out: string[] = [];
  for (const dir of await readdir(root)) {
    for (const file of await readdir(join(root, dir))) {
      const path = join(root, dir, file);
      if ((await readFile(path)).includes(marker)) out.push(path);
    }
  }
  return out;
}

test('a cached packument corrupted on disk while Airlock was down is fetched afresh, not served or taken for a bad upstream answer', async (t) => {
  const { env, first, dataDir, restart } = await twoLives(t);
  const before = await first.app.inject({ url: '/npm/left-pad' });
  assert.equal(before.statusCode, 200);
  await first.app.close();
  const [file, ...others] = await storedFilesWith(dataDir, '"name":"left-pad"');
  assert.ok(file !== undefined && others.length === 0, 'one stored packument');
  const bytes = await readFile(file);
  // One letter changed, the size the same: it still parses, so only its digest can tell.
  const at = bytes.indexOf('"name":"left-pad"') + 9;
  await writeFile(file, Buffer.concat([bytes.subarray(0, at), Buffer.from('L'), bytes.subarray(at + 1)]));

  const second = await restart();
  const after = await second.app.inject({ url: '/npm/left-pad' });
  assert.equal(after.statusCode, 200, after.body.slice(0, 300));
  assert.deepEqual(JSON.parse(after.body), JSON.parse(before.body));
  assert.equal(env.registry.requests.filter((r) => r.path === '/left-pad' && r.headers['if-none-match'] === undefined).length, 2, 'the second fetch was unconditional');
  // A fresh document is stored in the background; closing waits for the write.
  await second.app.close();
  assert.deepEqual(await readFile(file), bytes, 'the store holds the real document again');
});
