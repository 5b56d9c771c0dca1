import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makePurl, sha256Of } from '../../src/core/index.ts';
import { appFor, FIXTURE_PACKAGES, npmTestEnv, serverFor } from './helpers.ts';

test('tarballs: verified, served with immutable caching and an ETag, 304 on revalidation', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  for (const path of ['/npm/@acme/widget/-/widget-2.0.0.tgz', '/npm/@acme%2fwidget/-/widget-2.0.0.tgz']) {
    const r = await a.app.inject({ url: path });
    assert.equal(r.statusCode, 200, path);
    assert.deepEqual(r.rawPayload, env.registry.tarball('@acme/widget', '2.0.0'));
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    const again = await a.app.inject({ url: path, headers: { 'if-none-match': String(r.headers['etag']) } });
    assert.equal(again.statusCode, 304);
  }
  assert.equal(env.registry.tarballHits('@acme/widget', '2.0.0'), 1, 'fetched once');
  const head = await a.app.inject({ method: 'HEAD', url: '/npm/left-pad/-/left-pad-1.0.0.tgz' });
  assert.equal(head.statusCode, 200);
  assert.equal(Number(head.headers['content-length']), env.registry.tarball('left-pad', '1.0.0').length);
  assert.equal((await a.app.inject({ url: '/npm/left-pad/-/left-pad-9.9.9.tgz' })).statusCode, 404);
  assert.equal((await a.app.inject({ url: '/npm/left-pad/-/other-1.0.0.tgz' })).statusCode, 404);
});

test('concurrent requests for a new tarball share one upstream fetch', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  env.registry.setDelay(150);
  const agents = ['npm/11 a', 'npm/11 b', 'pnpm/10', 'yarn/1'];
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => a.app.inject({ url: '/npm/left-pad/-/left-pad-1.1.0.tgz', headers: { 'user-agent': agents[i % agents.length] ?? '' } })),
  );
  for (const r of results) assert.equal(r.statusCode, 200);
  assert.equal(env.registry.tarballHits('left-pad', '1.1.0'), 1);
  assert.equal(env.registry.hits('/left-pad'), 1);
});

test('an upstream serving bytes that do not match the integrity is refused, and nothing is cached', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  env.registry.corruptTarball('left-pad', '1.3.0');
  const bad = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(bad.statusCode, 502);
  assert.match((JSON.parse(bad.body) as { error: string }).error, /left-pad@1\.3\.0: the upstream served a tarball whose bytes do not match the published sha1\+sha512 digest; refused, nothing was stored/);
  const again = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(again.statusCode, 502, 'a mismatch is not remembered as an artifact');
  assert.equal(env.registry.tarballHits('left-pad', '1.3.0'), 2, 'each attempt went upstream again');
  const decisions = await a.app.airlock.storage.metadata.listDecisions({ limit: 10 });
  assert.equal(decisions.items.length, 0, 'no artifact was judged');
  env.registry.corruptTarball('left-pad', '1.3.0', false);
  const good = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(good.statusCode, 200);
  assert.equal(createHash('sha1').update(good.rawPayload).digest('hex'), env.registry.package('left-pad').versions.get('1.3.0')?.tarball.shasum);
});

test('tarballs without an announced length are streamed in: verified, inspected and refused the same way', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  env.registry.setChunkedTarballs(true);
  const ok = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.1.0.tgz' });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.rawPayload, env.registry.tarball('left-pad', '1.1.0'));
  const scripted = await a.app.inject({ url: '/npm/scripted-pkg/-/scripted-pkg-1.0.0.tgz' });
  assert.equal(scripted.statusCode, 403, 'the streamed inspection found the install script');
  assert.match((JSON.parse(scripted.body) as { error: string }).error, /the tarball runs install scripts/);
  env.registry.corruptTarball('left-pad', '1.3.0');
  const bad = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(bad.statusCode, 502);
  assert.match((JSON.parse(bad.body) as { error: string }).error, /do not match the published sha1\+sha512 digest; refused, nothing was stored/);
  assert.equal(await a.app.airlock.storage.metadata.getArtifact('npm', 'pkg:npm/left-pad@1.3.0' as never, 'left-pad-1.3.0.tgz'), null);
});

test('a stored npm record without the sha512 and sha1 npm computes is an internal error, never served unchecked', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  // No npm put leaves a record so: its first sha512 (the replaced-tarball check) would be unknown.
  const tarball = env.registry.tarball('left-pad', '1.3.0');
  const purl = makePurl('npm', 'left-pad', '1.3.0');
  await a.app.airlock.storage.metadata.putArtifact({ repo: 'npm', purl, ecosystem: 'npm', name: 'left-pad', version: '1.3.0', filename: 'left-pad-1.3.0.tgz', blob: sha256Of(tarball), size: tarball.length, sha512: null, sha1: null, storedAt: new Date() });
  const r = await a.app.inject({ url: '/npm/left-pad/-/left-pad-1.3.0.tgz' });
  assert.equal(r.statusCode, 500);
  assert.notDeepEqual(r.rawPayload, tarball);
  assert.equal((await a.app.airlock.storage.metadata.listDecisions({ limit: 10 })).items.length, 0, 'nothing was judged');
  // Fetched again and stored with its digests, but the first stored bytes' sha512 stays unknown.
  const rec = await a.app.airlock.storage.metadata.getArtifact('npm', purl, 'left-pad-1.3.0.tgz');
  assert.ok(rec !== null);
  assert.equal(rec.sha1, env.registry.package('left-pad').versions.get('1.3.0')?.tarball.shasum);
  assert.equal(rec.firstSha512, null);
});

test('decisions are recorded once per artifact, quarantines carry an id and are released through the admin API', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  const url = '/npm/scripted-pkg/-/scripted-pkg-1.0.0.tgz';
  const first = await a.app.inject({ url });
  assert.equal(first.statusCode, 403);
  const message = (JSON.parse(first.body) as { error: string }).error;
  assert.match(message, /^scripted-pkg@1\.0\.0 is quarantined by Airlock: the tarball runs install scripts \[test\.scripts\]\. Quarantine id (\S+); to use it, ask an approver to review it: airlock quarantine release \S+ --reason/);
  const id = /Quarantine id (\S+);/.exec(message)?.[1] ?? '';
  for (let i = 0; i < 3; i++) assert.equal((await a.app.inject({ url })).statusCode, 403);
  const recorded = await a.app.airlock.storage.metadata.listDecisions({ purl: 'pkg:npm/scripted-pkg@1.0.0' as never, limit: 10 });
  assert.equal(recorded.items.length, 1, 'repeated requests reuse the decision');
  const rec = await a.app.airlock.storage.metadata.getQuarantine(id);
  assert.equal(rec?.state, 'quarantined');
  assert.deepEqual((rec?.facts as { tarball: { install_scripts: unknown } }).tarball.install_scripts, { postinstall: 'node -e "1"' });
  const reader = await a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: { authorization: `Bearer ${a.adminToken}` }, payload: { role: 'reader', label: 'ci' } });
  const readerToken = (JSON.parse(reader.body) as { token: string }).token;
  const refused = await a.app.inject({ method: 'POST', url: `/-/api/quarantine/${id}/release`, headers: { authorization: `Bearer ${readerToken}` }, payload: { reason: 'x' } });
  assert.equal(refused.statusCode, 403);
  const released = await a.app.inject({ method: 'POST', url: `/-/api/quarantine/${id}/release`, headers: { authorization: `Bearer ${a.adminToken}` }, payload: { reason: 'reviewed the script' } });
  assert.equal(released.statusCode, 200);
  assert.equal((await a.app.inject({ url })).statusCode, 200);
  assert.equal(env.registry.tarballHits('scripted-pkg', '1.0.0'), 1, 'the stored artifact was reused after release');
});

test('a tarball is kept in memory only once it is asked for again: the first download is not held, the second reads the store once', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  // Count whole-blob reads on the real store (the hot path must not touch it once the bytes are kept).
  const blobs = a.app.airlock.storage.blobs;
  const read = blobs.read.bind(blobs);
  let reads = 0;
  blobs.read = (digest, options) => {
    reads++;
    return read(digest, options);
  };
  const url = '/npm/left-pad/-/left-pad-1.1.0.tgz';
  const expected = env.registry.tarball('left-pad', '1.1.0');
  const first = await a.app.inject({ url });
  assert.equal(first.statusCode, 200);
  assert.deepEqual(first.rawPayload, expected);
  assert.equal(reads, 0, 'the fresh download is served from the bytes just verified');
  const second = await a.app.inject({ url });
  assert.deepEqual(second.rawPayload, expected);
  assert.equal(reads, 1, 'asked for again: read from the store once and kept');
  for (let i = 0; i < 3; i++) assert.deepEqual((await a.app.inject({ url, headers: { 'user-agent': `npm/11 ${i}` } })).rawPayload, expected);
  assert.equal(reads, 1, 'every requester is then served from memory');
  assert.equal(env.registry.tarballHits('left-pad', '1.1.0'), 1);
});

/**
 * GET `url`, reading the body slowly at first so the server's socket writes back up; a body
 * shorter than announced fails after 30 s instead of waiting forever.
 */
async function slowGet(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => get(url, { signal: AbortSignal.timeout(30_000) }, resolve).on('error', reject));
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    parts.push(chunk);
    if (++n % 8 === 0 && n < 200) await sleep(5);
  }
  return { status: res.statusCode ?? 0, body: Buffer.concat(parts) };
}

test('a tarball too big to keep in memory is streamed in and out: inspected, stored, and served whole to a slow reader from the store', { timeout: 120_000 }, async (t) => {
  const big = 5 * 1024 * 1024;
  const env = await npmTestEnv([
    ...FIXTURE_PACKAGES,
    { name: 'big-pkg', versions: [{ version: '1.0.0', padBytes: big }] },
    { name: 'scripted-big', versions: [{ version: '1.0.0', padBytes: big, manifest: { scripts: { install: 'node build.js' } } }] },
  ]);
  t.after(() => env.close());
  const a = await serverFor(env);
  t.after(() => a.close());
  const expected = env.registry.tarball('big-pkg', '1.0.0');
  assert.ok(expected.length > 2 * big / 3, 'the padding is incompressible');
  env.registry.setChunkedTarballs(true);
  const refused = await slowGet(`${a.url}/npm/scripted-big/-/scripted-big-1.0.0.tgz`);
  assert.equal(refused.status, 403, 'inspecting the download as it streamed in found the install script');
  assert.match((JSON.parse(refused.body.toString()) as { error: string }).error, /the tarball runs install scripts/);
  env.registry.setChunkedTarballs(false);
  // First request: fetched, stored and then sent from the store; later ones: from the store.
  for (let i = 0; i < 3; i++) {
    const r = await slowGet(`${a.url}/npm/big-pkg/-/big-pkg-1.0.0.tgz`);
    assert.equal(r.status, 200);
    assert.equal(createHash('sha512').update(r.body).digest('hex'), createHash('sha512').update(expected).digest('hex'), `request ${i + 1} is whole and intact`);
  }
  const parallel = await Promise.all(Array.from({ length: 4 }, () => slowGet(`${a.url}/npm/big-pkg/-/big-pkg-1.0.0.tgz`)));
  for (const r of parallel) assert.ok(r.body.equals(expected), 'concurrent readers each get every byte');
  assert.equal(env.registry.tarballHits('big-pkg', '1.0.0'), 1);
  // A client that leaves mid-transfer does not disturb the next one.
  await new Promise<void>((resolve, reject) => {
    get(`${a.url}/npm/big-pkg/-/big-pkg-1.0.0.tgz`, (res) => {
      res.once('data', () => {
        res.destroy();
        resolve();
      });
    }).on('error', reject);
  });
  assert.ok((await slowGet(`${a.url}/npm/big-pkg/-/big-pkg-1.0.0.tgz`)).body.equals(expected));
  const head = await fetch(`${a.url}/npm/big-pkg/-/big-pkg-1.0.0.tgz`, { method: 'HEAD' });
  assert.equal(Number(head.headers.get('content-length')), expected.length);
});

/** The stored file of `bytes` under a data directory (the filesystem blob store's layout). */
function storedFile(dataDir: string, bytes: Buffer): string {
  const hex = createHash('sha256').update(bytes).digest('hex');
  return join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex);
}

/** Flips one byte in the middle of a file, as a failing disk (or a hand) would. */
async function corrupt(file: string): Promise<void> {
  const bytes = await readFile(file);
  const at = bytes.length >> 1;
  bytes[at] = (bytes[at] as number) ^ 0xff;
  await writeFile(file, bytes);
}

/** An app that has served left-pad@`version` once (so it is stored), the tarball's URL path and its bytes. */
async function servedOnce(t: TestContext, version: string) {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  const url = `/npm/left-pad/-/left-pad-${version}.tgz`;
  const expected = env.registry.tarball('left-pad', version);
  assert.deepEqual((await a.app.inject({ url })).rawPayload, expected);
  return { env, a, url, expected };
}

test('a stored tarball the disk corrupted is never served: it is found out when read, removed, fetched and verified again', async (t) => {
  const { env, a, url, expected } = await servedOnce(t, '1.1.0');
  await corrupt(storedFile(a.dataDir, expected));

  // The second request reads the stored file: it no longer hashes to its address.
  const again = await a.app.inject({ url });
  assert.equal(again.statusCode, 200);
  assert.deepEqual(again.rawPayload, expected);
  assert.equal(env.registry.tarballHits('left-pad', '1.1.0'), 2, 'fetched again from the upstream');
  assert.deepEqual(await readFile(storedFile(a.dataDir, expected)), expected, 'the store holds the verified bytes again');
  assert.deepEqual((await a.app.inject({ url, headers: { 'user-agent': 'npm/11 other' } })).rawPayload, expected);
});

test('a stored tarball corrupted while Airlock was down is not held for review as uninspectable: it is fetched again and judged on its real bytes', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-corrupt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const url = '/npm/left-pad/-/left-pad-1.3.0.tgz';
  const expected = env.registry.tarball('left-pad', '1.3.0');
  const first = await appFor(env, {}, dataDir);
  assert.equal((await first.app.inject({ url })).statusCode, 200);
  await first.app.close();
  await corrupt(storedFile(dataDir, expected));

  // A new process knows the tarball only from the store: it inspects the stored file first.
  const second = await appFor(env, {}, dataDir);
  t.after(() => second.app.close());
  const r = await second.app.inject({ url });
  assert.equal(r.statusCode, 200, r.body.slice(0, 300));
  assert.deepEqual(r.rawPayload, expected);
  assert.equal(env.registry.tarballHits('left-pad', '1.3.0'), 2);
  const list = await second.app.inject({ url: '/-/api/quarantine', headers: { authorization: `Bearer ${second.adminToken}` } });
  assert.deepEqual((JSON.parse(list.body) as { items: unknown[] }).items, [], 'nothing was held for review');
});

test('a big stored tarball the disk corrupted: the transfer that finds it out is cut short, and the next request gets it fetched and verified again', { timeout: 120_000 }, async (t) => {
  const env = await npmTestEnv([...FIXTURE_PACKAGES, { name: 'big-pkg', versions: [{ version: '1.0.0', padBytes: 5 * 1024 * 1024 }] }]);
  t.after(() => env.close());
  const a = await serverFor(env);
  t.after(() => a.close());
  const url = `${a.url}/npm/big-pkg/-/big-pkg-1.0.0.tgz`;
  const expected = env.registry.tarball('big-pkg', '1.0.0');
  assert.ok((await slowGet(url)).body.equals(expected));
  await corrupt(storedFile(a.dataDir, expected));

  // Sent from the store as it is read: the bytes are checked at the end, too late to stop them.
  const cut = await slowGet(url).then(
    (r) => r.body.length,
    () => -1,
  );
  assert.notEqual(cut, expected.length, 'the client never gets a whole, corrupt file');
  const healed = await slowGet(url);
  assert.equal(healed.status, 200);
  assert.ok(healed.body.equals(expected));
  assert.equal(env.registry.tarballHits('big-pkg', '1.0.0'), 2);
});

test('a stored tarball removed by hand is fetched and verified again, not answered with an error until a restart', async (t) => {
  const { env, a, url, expected } = await servedOnce(t, '1.0.0');
  await rm(storedFile(a.dataDir, expected));
  for (let i = 0; i < 2; i++) {
    const r = await a.app.inject({ url });
    assert.equal(r.statusCode, 200, r.body.slice(0, 200));
    assert.deepEqual(r.rawPayload, expected);
  }
  assert.equal(env.registry.tarballHits('left-pad', '1.0.0'), 2);
});
