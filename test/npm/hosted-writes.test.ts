/**
 * Writes to a hosted repository at the HTTP level: concurrent publishes (every version kept, a
 * version published once), a tarball whose package.json names another package, refusals before
 * the body is read, dist-tag rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { packageTarball } from '../support/npm-registry/tarball.ts';
import { buildTestApp, type TestAirlock } from '../support/start-airlock.ts';

async function hostedApp(): Promise<TestAirlock> {
  return buildTestApp({ config: { repositories: [{ name: 'internal', format: 'npm', kind: 'hosted' }] } });
}

async function tokenOf(a: TestAirlock, role: string): Promise<string> {
  const res = await a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: { authorization: `Bearer ${a.adminToken}` }, payload: { role, label: `${role}-bot` } });
  assert.equal(res.statusCode, 201, res.body);
  return (JSON.parse(res.body) as { token: string }).token;
}

/** The body npm publish sends for `manifest`, with the tarball built from `tarballManifest` (default: the same). */
function publishBody(manifest: Record<string, unknown>, tarballManifest = manifest, tag = 'latest'): string {
  const name = String(manifest['name']);
  const version = String(manifest['version']);
  const t = packageTarball(tarballManifest);
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { [tag]: version },
    versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist: { integrity: t.integrity, shasum: t.shasum, tarball: `http://x/${name}/-/${name}-${version}.tgz` } } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: t.bytes.toString('base64'), length: t.bytes.length } },
  });
}

test('concurrent publishes of one package: every new version is kept, a version is published once', async (t) => {
  const a = await hostedApp();
  t.after(() => a.close());
  const publisher = await tokenOf(a, 'publisher');
  const put = (version: string, description = 'x') =>
    a.app.inject({
      method: 'PUT',
      url: '/internal/conc-lib',
      headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      payload: publishBody({ name: 'conc-lib', version, description }),
    });
  const versions = ['1.0.0', '1.0.1', '1.0.2', '1.1.0', '2.0.0', '2.0.1'];
  const results = await Promise.all(versions.map((v) => put(v)));
  assert.deepEqual(results.map((r) => r.statusCode), versions.map(() => 201), results.map((r) => r.body).join('\n'));
  const doc = JSON.parse((await a.app.inject({ url: '/internal/conc-lib' })).body) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> };
  assert.deepEqual(Object.keys(doc.versions).sort(), versions);
  assert.ok(versions.includes(doc['dist-tags']['latest'] ?? ''));

  // The same new version from two publishers at once: one wins, the other is told it exists.
  const same = await Promise.all([put('3.0.0', 'first'), put('3.0.0', 'second')]);
  assert.deepEqual(same.map((r) => r.statusCode).sort(), [201, 403]);
  assert.match(same.find((r) => r.statusCode === 403)?.body ?? '', /cannot publish over the previously published versions: 3\.0\.0/);
  const stored = await a.app.airlock.storage.metadata.getHostedPackage('internal', 'conc-lib');
  assert.equal(stored?.rev, versions.length + 1, 'one write per version published');
  assert.equal(Object.keys(stored?.files ?? {}).length, versions.length + 1);
});

test('refusals: the tarball must be the package it claims; writes need a publisher token; dist-tag rules', async (t) => {
  const a = await hostedApp();
  t.after(() => a.close());
  const publisher = await tokenOf(a, 'publisher');
  const reader = await tokenOf(a, 'reader');
  const headers = (token: string | null) => ({ ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' });

  const lying = await a.app.inject({
    method: 'PUT',
    url: '/internal/honest-lib',
    headers: headers(publisher),
    payload: publishBody({ name: 'honest-lib', version: '1.0.0' }, { name: 'other-lib', version: '6.6.6' }),
  });
  assert.equal(lying.statusCode, 400);
  assert.match(lying.body, /the tarball's package\.json names other-lib@6\.6\.6, not honest-lib@1\.0\.0/);
  assert.equal(await a.app.airlock.storage.metadata.getHostedPackage('internal', 'honest-lib'), null);

  // No token, or a token without the publisher role: refused whatever the body.
  const big = 'x'.repeat(2 * 1024 * 1024);
  for (const [token, status] of [[null, 401], [reader, 403]] as const) {
    const res = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib', headers: headers(token), payload: big });
    assert.equal(res.statusCode, status, res.body);
  }

  const ok = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib', headers: headers(publisher), payload: publishBody({ name: 'honest-lib', version: '1.0.0' }) });
  assert.equal(ok.statusCode, 201, ok.body);
  const tag = (method: 'PUT' | 'DELETE', name: string, payload?: string) =>
    a.app.inject({ method, url: `/internal/-/package/honest-lib/dist-tags/${name}`, headers: headers(publisher), ...(payload === undefined ? {} : { payload }) });
  assert.equal((await tag('PUT', 'next', '"9.9.9"')).statusCode, 404, 'a tag names a published version');
  assert.equal((await tag('PUT', 'next', 'not json')).statusCode, 400);
  assert.equal((await tag('PUT', 'next', '"1.0.0"')).statusCode, 201);
  assert.equal((await tag('DELETE', 'latest')).statusCode, 400, 'latest stays');
  assert.equal((await tag('DELETE', 'next')).statusCode, 200);
  assert.equal((await tag('DELETE', 'next')).statusCode, 404);
  const tags = await a.app.inject({ url: '/internal/-/package/honest-lib/dist-tags' });
  assert.deepEqual(JSON.parse(tags.body), { latest: '1.0.0' });

  // Unpublishing and rewriting published versions are refused with the reason.
  const unpublish = await a.app.inject({ method: 'DELETE', url: '/internal/honest-lib/-rev/2-abc', headers: headers(publisher) });
  assert.equal(unpublish.statusCode, 405);
  assert.match(unpublish.body, /published versions never change/);
});

test('a publish bigger than an ordinary request body is taken up to the repository tarball limit, and refused past it', async (t) => {
  const a = await buildTestApp({ config: { repositories: [{ name: 'internal', format: 'npm', kind: 'hosted', maxArtifactSize: '20MiB' }] } });
  t.after(() => a.close());
  const publisher = await tokenOf(a, 'publisher');
  const publishWith = (version: string, bytes: number) => {
    const manifest = { name: 'big-lib', version };
    const t = packageTarball(manifest, [{ path: 'blob.bin', content: randomBytes(bytes) }]);
    return a.app.inject({
      method: 'PUT',
      url: '/internal/big-lib',
      headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        _id: 'big-lib',
        name: 'big-lib',
        'dist-tags': { latest: version },
        versions: { [version]: { ...manifest, dist: { integrity: t.integrity, shasum: t.shasum } } },
        _attachments: { [`big-lib-${version}.tgz`]: { data: t.bytes.toString('base64'), length: t.bytes.length } },
      }),
    });
  };
  const ok = await publishWith('1.0.0', 18 * 1024 * 1024);
  assert.equal(ok.statusCode, 201, ok.body);
  const tarball = await a.app.inject({ url: '/internal/big-lib/-/big-lib-1.0.0.tgz' });
  assert.equal(tarball.statusCode, 200);
  assert.ok(tarball.rawPayload.length > 18 * 1024 * 1024);
  const over = await publishWith('1.0.1', 21 * 1024 * 1024);
  assert.equal(over.statusCode, 413, over.body);
  assert.match(over.body, /larger than this repository's limit of 20971520 bytes/);
});

test('npm deprecate: only published versions, messages alone change, a write that changes nothing writes nothing', async (t) => {
  const a = await hostedApp();
  t.after(() => a.close());
  const publisher = await tokenOf(a, 'publisher');
  const headers = { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' };
  for (const version of ['1.0.0', '1.1.0']) {
    const put = await a.app.inject({ method: 'PUT', url: '/internal/dep-lib', headers, payload: publishBody({ name: 'dep-lib', version }) });
    assert.equal(put.statusCode, 201, put.body);
  }
  // What npm deprecate sends: the packument it read, with the message set, and no attachments.
  const read = JSON.parse((await a.app.inject({ url: '/internal/dep-lib' })).body) as { versions: Record<string, Record<string, unknown>>; 'dist-tags': Record<string, string> };
  const sendBack = (edit: (doc: typeof read) => void) => {
    const doc = structuredClone(read);
    edit(doc);
    return a.app.inject({ method: 'PUT', url: '/internal/dep-lib', headers, payload: JSON.stringify({ _id: 'dep-lib', name: 'dep-lib', ...doc }) });
  };
  const revOf = async () => (await a.app.airlock.storage.metadata.getHostedPackage('internal', 'dep-lib'))?.rev;
  const before = await revOf();
  const set = await sendBack((d) => {
    (d.versions['1.0.0'] as Record<string, unknown>)['deprecated'] = 'use 1.1.0';
    // Whatever else the client changed is not taken: tags change with npm dist-tag.
    d['dist-tags']['latest'] = '1.0.0';
    (d.versions['1.1.0'] as Record<string, unknown>)['description'] = 'rewritten';
  });
  assert.equal(set.statusCode, 200, set.body);
  const after = JSON.parse((await a.app.inject({ url: '/internal/dep-lib' })).body) as typeof read;
  assert.equal(after.versions['1.0.0']?.['deprecated'], 'use 1.1.0');
  assert.equal(after['dist-tags']['latest'], '1.1.0');
  assert.equal(after.versions['1.1.0']?.['description'], undefined);
  assert.equal(await revOf(), (before ?? 0) + 1);
  // The same message again: nothing to write.
  const again = await sendBack((d) => ((d.versions['1.0.0'] as Record<string, unknown>)['deprecated'] = 'use 1.1.0'));
  assert.equal(again.statusCode, 200);
  assert.equal(await revOf(), (before ?? 0) + 1);
  // A version that was never published cannot be brought in this way, nor an odd key.
  const added = await sendBack((d) => (d.versions['9.0.0'] = { name: 'dep-lib', version: '9.0.0', deprecated: 'x' }));
  assert.equal(added.statusCode, 400);
  assert.match(added.body, /dep-lib@9\.0\.0 has not been published to internal: versions are added by npm publish, with their tarball/);
  const proto = await a.app.inject({ method: 'PUT', url: '/internal/dep-lib', headers, payload: '{"name":"dep-lib","versions":{"__proto__":{"deprecated":"x"}}}' });
  assert.equal(proto.statusCode, 400);
  assert.equal(await revOf(), (before ?? 0) + 1, 'refused writes changed nothing');
});
