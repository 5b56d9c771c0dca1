/**
 * What Airlock knows of a Hub repo survives a restart: a commit's info and tree and its verified
 * files are in its stores, so a client pinned to the commit is served while the Hub is down, and
 * a refusal stays a refusal.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { FixtureHub, hfClient, modelSamples } from '../../support/hf-hub/index.ts';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { OLD } from './support.ts';

const samples = modelSamples();
let hub: FixtureHub;
let dir: string;
const started: StartedAirlock[] = [];

async function airlock(): Promise<StartedAirlock> {
  const a = await startAirlock({ dataDir: join(dir, 'data'), config: { repositories: [{ name: 'hf', format: 'huggingface', upstream: `${hub.url}/` }] } });
  started.push(a);
  return a;
}

before(async () => {
  hub = await new FixtureHub().start();
  dir = await mkdtemp(join(tmpdir(), 'airlock-e2e-hf-'));
});
after(async () => {
  for (const a of started) await a.close().catch(() => undefined);
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

it('serves a commit it has kept, and keeps refusing what it refused, after a restart with the Hub down', async () => {
  hub.addRepo({ id: 'acme/tiny', createdAt: OLD });
  const commit = hub.commit('acme/tiny', [
    { path: 'config.json', bytes: '{"hidden_size": 8}' },
    { path: samples.safetensors.path, bytes: samples.safetensors.bytes },
    { path: 'pytorch_model.bin', bytes: samples.maliciousPickle.bytes },
  ], { date: OLD });
  const first = await airlock();
  const client = (path: string, revision: string) => hfClient({ op: 'fetch', repo: 'acme/tiny', path, revision }, { hubUrl: `${first.url}/hf`, cacheDir: join(dir, 'cache') });
  const weights = await client(samples.safetensors.path, 'main');
  assert.ok(weights.ok && weights.value !== null, weights.ok ? '' : weights.error);
  const refused = await client('pytorch_model.bin', 'main');
  assert.ok(!refused.ok && refused.status === 403);
  await first.close();

  hub.down('refuse');
  const second = await airlock();
  const again = (path: string, revision: string) => hfClient({ op: 'fetch', repo: 'acme/tiny', path, revision }, { hubUrl: `${second.url}/hf`, cacheDir: join(dir, 'cache-2') });
  const kept = await again(samples.safetensors.path, commit);
  assert.ok(kept.ok && kept.value !== null, kept.ok ? '' : kept.error);
  assert.equal(kept.value.sha256, createHash('sha256').update(samples.safetensors.bytes).digest('hex'));
  const stillRefused = await again('pytorch_model.bin', commit);
  assert.ok(!stillRefused.ok);
  assert.equal(stillRefused.status, 403);
  assert.match(stillRefused.error, /runs code when it is loaded/);
  // A file Airlock never fetched cannot be served without the Hub, and says why.
  const never = await again('config.json', commit);
  assert.ok(!never.ok);
  assert.match(never.error, /upstream hf is unreachable/);
});
