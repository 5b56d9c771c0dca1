/**
 * `airlock serve` sweeps the blobs nothing refers to by itself (`storage.sweepEvery`), so an
 * install nobody runs `airlock storage sweep` on does not keep every old copy of a packument,
 * nor, with `storage.artifactRetention`, every tarball anyone ever installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { makePurl, type Sha256Digest } from '../../src/core/index.ts';
import { buildTestApp } from '../support/start-airlock.ts';
import { npmTestEnv } from './helpers.ts';

test('the scheduled sweep removes the old copy of a changed packument, keeps what is in use, and the package is served as before', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  // The grace (an hour at least) keeps the blobs of writes in progress. Airlock's clock stands a
  // minute back while the test writes, so a sweep then finds every blob young; then it runs two
  // hours ahead, past the grace.
  const behind = Date.now() - 60_000;
  let writing = true;
  const a = await buildTestApp({
    config: env.config({ repository: { metadataMaxAge: '0s' }, storage: { sweepEvery: '1s', sweepGrace: '1h' } }),
    clock: () => new Date(writing ? behind : Date.now() + 2 * 3_600_000),
  });
  t.after(() => a.close());
  const blobs = async (): Promise<Sha256Digest[]> => {
    const out: Sha256Digest[] = [];
    for await (const b of a.app.airlock.storage.blobs.list()) out.push(b.digest);
    return out.sort();
  };
  // The packument's stored copy, once its background write has landed.
  const storedCopy = async (unlike?: Sha256Digest): Promise<Sha256Digest> => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(20)) {
      const doc = await a.app.airlock.storage.metadata.getDocument('npm', 'packument:left-pad');
      if (doc !== null && doc.blob !== unlike) return doc.blob;
    }
    throw new Error('the packument was not stored');
  };
  assert.equal((await a.app.inject({ url: '/npm/left-pad' })).statusCode, 200);
  assert.equal((await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' })).statusCode, 200);
  const old = await storedCopy();
  env.registry.addVersions('left-pad', [{ version: '1.4.0' }]);
  const changed = await a.app.inject({ url: '/npm/left-pad' });
  assert.equal((JSON.parse(changed.body) as { 'dist-tags': { latest: string } })['dist-tags'].latest, '1.4.0');
  await storedCopy(old);
  writing = false;

  // Nothing calls it: the timer does, within a second or two.
  for (const deadline = Date.now() + 10_000; (await blobs()).includes(old) && Date.now() < deadline; ) await sleep(100);
  assert.ok(!(await blobs()).includes(old), 'the old copy is gone');
  const doc = await a.app.airlock.storage.metadata.getDocument('npm', 'packument:left-pad');
  const artifact = await a.app.airlock.storage.metadata.getArtifact('npm', makePurl('npm', 'left-pad', '1.3.0'), 'left-pad-1.3.0.tgz');
  assert.deepEqual(await blobs(), [doc?.blob, artifact?.blob].sort(), 'only what is in use is left');
  assert.equal((await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' })).statusCode, 200);
  assert.equal((await a.app.inject({ url: '/npm/left-pad' })).statusCode, 200);
});

test('the scheduled sweep applies storage.artifactRetention: a tarball unused for longer is evicted (and counted in the metrics), and served again afterwards', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const DAY = 86_400_000;
  let now = Date.now() - 2 * DAY;
  const a = await buildTestApp({ config: env.config({ storage: { sweepEvery: '1s', sweepGrace: '1h', artifactRetention: '1d' } }), clock: () => new Date(now) });
  t.after(() => a.close());
  const blobs = async (): Promise<Sha256Digest[]> => {
    const out: Sha256Digest[] = [];
    for await (const b of a.app.airlock.storage.blobs.list()) out.push(b.digest);
    return out;
  };
  const tarball = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(tarball.statusCode, 200);
  const artifact = await a.app.airlock.storage.metadata.getArtifact('npm', makePurl('npm', 'left-pad', '1.3.0'), 'left-pad-1.3.0.tgz');
  assert.ok(artifact !== null && (await blobs()).includes(artifact.blob));
  // Two days on and past the grace, nobody has downloaded it since: the next scheduled sweep evicts its bytes.
  now = Date.now() + 2 * 3_600_000;
  for (const deadline = Date.now() + 10_000; (await blobs()).includes(artifact.blob) && Date.now() < deadline; ) await sleep(100);
  assert.ok(!(await blobs()).includes(artifact.blob), 'evicted');
  assert.notEqual(await a.app.airlock.storage.metadata.getArtifact('npm', artifact.purl, artifact.filename), null, 'the record stays');
  // Operators see it in the metrics: sweeps that ran, and what they removed and why.
  const metrics = (await a.app.inject({ url: '/-/metrics' })).body.split('\n');
  assert.ok(metrics.some((l) => /^airlock_sweeps_total\{result="ok"\} [1-9]/.test(l)), metrics.join('\n'));
  assert.ok(metrics.includes('airlock_swept_blobs_total{reason="unused"} 1'), metrics.filter((l) => l.includes('swept')).join('\n'));
  assert.ok(metrics.includes(`airlock_swept_bytes_total{reason="unused"} ${tarball.rawPayload.length}`));
  const again = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.rawPayload, tarball.rawPayload, 'the same verified bytes');
});
