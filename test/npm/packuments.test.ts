import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { TestAirlock } from '../support/start-airlock.ts';
import type { FixturePackage } from '../support/npm-registry/index.ts';
import { appFor, npmTestEnv } from './helpers.ts';
import { sigstoreJsBundle } from '../support/signing-fixtures.ts';

const FULL = { accept: 'application/json', 'accept-encoding': 'gzip, deflate' };
const CORGI = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' };

test('packuments: full and abbreviated, every scoped encoding, URLs rewritten, signatures intact', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());

  const full = await a.app.inject({ url: '/npm/left-pad', headers: FULL });
  assert.equal(full.statusCode, 200);
  assert.equal(full.headers['content-encoding'], 'gzip');
  assert.equal(full.headers['vary'], 'Accept, Accept-Encoding');
  assert.match(String(full.headers['etag']), /^W\/"/);
  const doc = JSON.parse(gunzipSync(full.rawPayload).toString('utf8')) as Record<string, any>;
  assert.deepEqual(Object.keys(doc['versions']), ['1.0.0', '1.1.0', '1.3.0']);
  assert.equal(doc['versions']['1.3.0'].dist.tarball, 'http://localhost:80/npm/left-pad/-/left-pad-1.3.0.tgz');
  assert.equal(doc['versions']['1.3.0'].dist.attestations.url, 'http://localhost:80/npm/-/npm/v1/attestations/left-pad@1.3.0');
  assert.ok(doc['time']['1.3.0']);
  assert.ok(doc['readme'].includes('é unicode'));

  // Registry signatures still verify with the keys Airlock passes through.
  const keys = await a.app.inject({ url: '/npm/-/npm/v1/keys' });
  assert.equal(keys.statusCode, 200);
  const key = (JSON.parse(keys.body) as { keys: Array<{ keyid: string; key: string }> }).keys[0];
  assert.ok(key !== undefined);
  const pub = createPublicKey({ key: Buffer.from(key.key, 'base64'), format: 'der', type: 'spki' });
  for (const [v, m] of Object.entries(doc['versions'] as Record<string, any>)) {
    const sig = m.dist.signatures[0];
    assert.equal(sig.keyid, key.keyid);
    assert.ok(verify('sha256', Buffer.from(`left-pad@${v}:${m.dist.integrity}`), pub, Buffer.from(sig.sig, 'base64')), `signature of ${v}`);
  }

  const corgi = await a.app.inject({ url: '/npm/left-pad', headers: CORGI });
  assert.equal(corgi.statusCode, 200);
  assert.equal(corgi.headers['content-type'], 'application/vnd.npm.install-v1+json');
  const c = JSON.parse(corgi.body) as Record<string, any>;
  assert.deepEqual(Object.keys(c), ['name', 'modified', 'dist-tags', 'versions']);
  assert.equal(c['versions']['1.0.0'].dist.tarball, 'http://localhost:80/npm/left-pad/-/left-pad-1.0.0.tgz');
  assert.notEqual(corgi.headers['etag'], full.headers['etag']);

  for (const path of ['/npm/@acme%2fwidget', '/npm/@acme%2Fwidget', '/npm/@acme/widget', '/npm/%40acme%2fwidget']) {
    const r = await a.app.inject({ url: path });
    assert.equal(r.statusCode, 200, path);
    const d = JSON.parse(r.body) as Record<string, any>;
    assert.equal(d['name'], '@acme/widget');
    assert.equal(d['versions']['2.0.0'].dist.tarball, 'http://localhost:80/npm/@acme/widget/-/widget-2.0.0.tgz');
  }
  // One upstream fetch for all of those (cached, single flight).
  assert.equal(env.registry.hits('/@acme%2fwidget'), 1);
});

test('ETag and 304; the ETag changes when the served view changes', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  const first = await a.app.inject({ url: '/npm/held-pkg', headers: FULL });
  const etag = String(first.headers['etag']);
  const again = await a.app.inject({ url: '/npm/held-pkg', headers: { ...FULL, 'if-none-match': etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  const hidden = JSON.parse(gunzipSync(first.rawPayload).toString()) as Record<string, any>;
  assert.deepEqual(Object.keys(hidden['versions']), [], 'the quarantined version is hidden');
  assert.deepEqual(hidden['dist-tags'], {});
  // Open the quarantine (artifact phase), release it: the view and its ETag change at once.
  const tgz = await a.app.inject({ url: '/npm/held-pkg/-/held-pkg-1.0.0.tgz' });
  assert.equal(tgz.statusCode, 403);
  const id = /quarantine release (\S+)/.exec((JSON.parse(tgz.body) as { error: string }).error)?.[1];
  assert.ok(id !== undefined);
  const rel = await a.app.inject({ method: 'POST', url: `/-/api/quarantine/${id}/release`, headers: { authorization: `Bearer ${a.adminToken}` }, payload: { reason: 'reviewed' } });
  assert.equal(rel.statusCode, 200, rel.body);
  const after = await a.app.inject({ url: '/npm/held-pkg', headers: { ...FULL, 'if-none-match': etag } });
  assert.equal(after.statusCode, 200);
  assert.notEqual(after.headers['etag'], etag);
  const shown = JSON.parse(gunzipSync(after.rawPayload).toString()) as Record<string, any>;
  assert.deepEqual(Object.keys(shown['versions']), ['1.0.0']);
  assert.equal(shown['dist-tags'].latest, '1.0.0');
});

test('hidden versions: dist-tags move to the newest allowed version, version documents 404', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  const r = await a.app.inject({ url: '/npm/hide-me' });
  const d = JSON.parse(r.body) as Record<string, any>;
  assert.deepEqual(Object.keys(d['versions']), ['1.0.0']);
  assert.equal(d['dist-tags'].latest, '1.0.0');
  assert.equal(d['time']['2.0.0'], undefined);
  assert.equal(d['time']['modified'], d['time']['1.0.0']);
  assert.equal((await a.app.inject({ url: '/npm/hide-me/2.0.0' })).statusCode, 404);
  const v1 = await a.app.inject({ url: '/npm/hide-me/1.0.0' });
  assert.equal(v1.statusCode, 200);
  assert.equal((JSON.parse(v1.body) as { version: string }).version, '1.0.0');
  const latest = await a.app.inject({ url: '/npm/hide-me/latest' });
  assert.equal((JSON.parse(latest.body) as { version: string }).version, '1.0.0');
  // A name every object has is no dist-tag the package has.
  for (const spec of ['constructor', '__proto__']) {
    const none = await a.app.inject({ url: `/npm/hide-me/${spec}` });
    assert.equal(none.statusCode, 404);
    assert.equal((JSON.parse(none.body) as { error: string }).error, `hide-me has no version or dist-tag "${spec}"`);
  }
  const tags = await a.app.inject({ url: '/npm/-/package/hide-me/dist-tags' });
  assert.deepEqual(JSON.parse(tags.body), { latest: '1.0.0' });
  // A pinned download of the hidden version is refused with the reason, not a confusing error.
  const tgz = await a.app.inject({ url: '/npm/hide-me/-/hide-me-2.0.0.tgz' });
  assert.equal(tgz.statusCode, 403);
  assert.match((JSON.parse(tgz.body) as { error: string }).error, /hide-me@2\.0\.0 is blocked by Airlock policy: hide-me@2\.0\.0 is on the test blocklist \[test\.blocklist\]/);
});

test('blockedVersions: show lists blocked versions and refuses their download', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env, { repository: { blockedVersions: 'show' } });
  t.after(() => a.close());
  const d = JSON.parse((await a.app.inject({ url: '/npm/hide-me' })).body) as Record<string, any>;
  assert.deepEqual(Object.keys(d['versions']), ['1.0.0', '2.0.0']);
  assert.equal(d['dist-tags'].latest, '2.0.0');
  assert.equal((await a.app.inject({ url: '/npm/hide-me/-/hide-me-2.0.0.tgz' })).statusCode, 403);
});

test('protocol odds and ends: ping, unknown packages, writes, attestations, bad names', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  assert.equal((await a.app.inject({ url: '/npm/-/ping' })).body, '{}');
  const missing = await a.app.inject({ url: '/npm/no-such-package' });
  assert.equal(missing.statusCode, 404);
  assert.match((JSON.parse(missing.body) as { error: string }).error, /not found/);
  const put = await a.app.inject({ method: 'PUT', url: '/npm/left-pad', payload: { name: 'left-pad' } });
  assert.equal(put.statusCode, 405);
  assert.match((JSON.parse(put.body) as { error: string }).error, /not supported/);
  const bad = await a.app.inject({ url: '/npm/..%2fetc' });
  assert.equal(bad.statusCode, 400);
  // Passed through byte for byte (a real bundle, though for another package: nothing judges it here).
  const doc = Buffer.from(JSON.stringify({ attestations: [{ predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundle: JSON.parse(readFileSync(sigstoreJsBundle('bundleV03-dsse'), 'utf8')) }] }));
  env.registry.putAttestations('left-pad', '1.3.0', doc);
  const att = await a.app.inject({ url: '/npm/-/npm/v1/attestations/left-pad@1.3.0' });
  assert.equal(att.statusCode, 200);
  assert.deepEqual(att.rawPayload, doc);
  assert.equal((await a.app.inject({ url: '/npm/-/npm/v1/attestations/left-pad@1.0.0' })).statusCode, 404);
  const whoami = await a.app.inject({ url: '/npm/-/whoami', headers: { authorization: `Bearer ${a.adminToken}` } });
  assert.equal(whoami.statusCode, 200);
  assert.equal((await a.app.inject({ url: '/npm/-/whoami' })).statusCode, 401);
});

test('documents freed once read: big and evicted packuments, read by many requests at once, are served whole, and again after a restart', async (t) => {
  // With the smallest memory budget the document cache keeps about 330 KB: `big` never fits in
  // it and `mid-a` and `mid-b` push each other out, so their buffers are freed as soon as the
  // last request reading them is done (metadata-service.ts, holds). Nothing may read one after.
  const pkg = (name: string, versions: number, pad: number): FixturePackage => ({
    name,
    versions: Array.from({ length: versions }, (_, i) => ({ version: `1.0.${i}`, manifest: { description: `${name} ${i} ${'d'.repeat(pad)}` } })),
  });
  const packages = [pkg('big', 120, 6000), pkg('mid-a', 40, 5000), pkg('mid-b', 40, 5000)];
  const env = await npmTestEnv(packages);
  t.after(() => env.close());

  const check = async (a: TestAirlock): Promise<void> => {
    const reads = packages.flatMap((p) => {
      const last = p.versions.length - 1;
      const built = env.registry.package(p.name);
      const integrity = (v: number): string | undefined => built.versions.get(`1.0.${v}`)?.tarball.integrity;
      return [
        async () => {
          const r = await a.app.inject({ url: `/npm/${p.name}`, headers: FULL });
          const d = JSON.parse(gunzipSync(r.rawPayload).toString('utf8')) as Record<string, any>;
          assert.equal(Object.keys(d['versions']).length, p.versions.length, `${p.name} full`);
          assert.equal(d['versions'][`1.0.${last}`].description, p.versions[last]?.manifest?.['description']);
        },
        async () => {
          const r = await a.app.inject({ url: `/npm/${p.name}`, headers: CORGI });
          const d = JSON.parse(r.body) as Record<string, any>;
          assert.equal(d['versions'][`1.0.${last}`].dist.integrity, integrity(last), `${p.name} abbreviated`);
        },
        async () => {
          const r = await a.app.inject({ url: `/npm/${p.name}/1.0.7` });
          assert.equal((JSON.parse(r.body) as { description: string }).description, p.versions[7]?.manifest?.['description']);
        },
        async () => {
          const v = last - 1;
          const r = await a.app.inject({ url: `/npm/${p.name}/-/${p.name}-1.0.${v}.tgz` });
          assert.equal(r.statusCode, 200, `${p.name} tarball`);
          assert.equal(`sha512-${createHash('sha512').update(r.rawPayload).digest('base64')}`, integrity(v));
        },
      ];
    });
    // Every read three times, all at once.
    await Promise.all([...reads, ...reads, ...reads].map((read) => read()));
  };

  const first = await appFor(env, { server: { cacheMemory: '4MiB' } });
  // The second app restarts over the first one's data directory, removed once both are closed.
  let second: TestAirlock | undefined;
  t.after(async () => {
    await second?.close();
    await rm(first.dataDir, { recursive: true, force: true });
  });
  await check(first);
  await first.app.close();
  // A fresh process reads the documents from the store instead of the upstream's answers.
  second = await appFor(env, { server: { cacheMemory: '4MiB' } }, first.dataDir);
  await check(second);
});
