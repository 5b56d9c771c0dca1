/**
 * Writes to a hosted repository at the HTTP level: concurrent publishes (every version kept, a
 * version published once), a tarball whose package.json names another package, refusals before
 * the body is read, dist-tag rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { packageTarball, tar } from '../support/npm-registry/tarball.ts';
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
  // The name and version it gives are cut short in the refusal (a package.json may hold a megabyte of either).
  const long = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib', headers: headers(publisher), payload: publishBody({ name: 'honest-lib', version: '1.0.0' }, { name: 'n'.repeat(100_000), version: '9'.repeat(100_000) }) });
  assert.equal(long.statusCode, 400);
  assert.equal(JSON.parse(long.body).error, `publish refused: the tarball's package.json names ${'n'.repeat(214)}…@${'9'.repeat(64)}…, not honest-lib@1.0.0`);
  assert.equal(await a.app.airlock.storage.metadata.getHostedPackage('internal', 'honest-lib'), null);

  // A tarball that is not gzip, and one whose package.json is not JSON: each refusal says which.
  const withTarball = (bytes: Buffer): string => {
    const body = JSON.parse(publishBody({ name: 'honest-lib', version: '1.0.1' })) as { versions: Record<string, { dist: Record<string, string> }>; _attachments: Record<string, { data: string; length: number }> };
    const dist = body.versions['1.0.1']?.dist as Record<string, string>;
    dist['integrity'] = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    dist['shasum'] = createHash('sha1').update(bytes).digest('hex');
    body._attachments['honest-lib-1.0.1.tgz'] = { ...body._attachments['honest-lib-1.0.1.tgz'], data: bytes.toString('base64'), length: bytes.length } as { data: string; length: number };
    return JSON.stringify(body);
  };
  const notGzip = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib', headers: headers(publisher), payload: withTarball(randomBytes(512)) });
  assert.equal(notGzip.statusCode, 400);
  assert.match(JSON.parse(notGzip.body).error, /^publish refused: the tarball cannot be read: /);
  const badJson = { bytes: gzipSync(tar([{ path: 'package/package.json', content: '{"name": ' }])) };
  const notJson = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib', headers: headers(publisher), payload: withTarball(badJson.bytes) });
  assert.equal(notJson.statusCode, 400);
  assert.match(JSON.parse(notJson.body).error, /^publish refused: package\.json is not valid JSON/);

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

  // Unpublishing needs the admin role by default, checked before the body; rewriting a version is refused with the reason.
  const unpublish = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib/-rev/2-abc', headers: headers(publisher), payload: big });
  assert.equal(unpublish.statusCode, 403);
  assert.match(unpublish.body, /this needs the admin role; the token has the publisher role/);
  const rewrite = await a.app.inject({ method: 'PUT', url: '/internal/honest-lib/1.0.0', headers: headers(publisher), payload: '{}' });
  assert.equal(rewrite.statusCode, 405);
  assert.match(rewrite.body, /changing published versions is not supported by this hosted repository: published versions never change/);
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

test('npm unpublish: the write read, one version at a time against the revision read, files with their versions, an unpublished package keeps its name and numbers', async (t) => {
  const a = await buildTestApp({
    config: {
      repositories: [
        { name: 'internal', format: 'npm', kind: 'hosted', unpublish: 'publisher' },
        { name: 'vault', format: 'npm', kind: 'hosted', unpublish: 'never' },
      ],
    },
  });
  t.after(() => a.close());
  const publisher = await tokenOf(a, 'publisher');
  const headers = { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' };
  const publish = (version: string, tag = 'latest', repo = 'internal') =>
    a.app.inject({ method: 'PUT', url: `/${repo}/un-lib`, headers, payload: publishBody({ name: 'un-lib', version }, { name: 'un-lib', version }, tag) });
  for (const [version, tag] of [['1.0.0', 'latest'], ['1.1.0', 'latest'], ['2.0.0-beta.1', 'beta'], ['1.2.0', 'latest']] as const) {
    const put = await publish(version, tag);
    assert.equal(put.statusCode, 201, put.body);
  }
  type Doc = { _rev?: string; versions: Record<string, { dist: { tarball: string } }>; 'dist-tags': Record<string, string>; time: Record<string, unknown> };
  const read = async (query = '', auth = true) => a.app.inject({ url: `/internal/un-lib${query}`, headers: auth ? { authorization: `Bearer ${publisher}` } : {} });

  // `?write=true`: the stored packument with its revision, to whoever may write; anyone else gets the ordinary view.
  const anonymous = JSON.parse((await read('?write=true', false)).body) as Doc;
  assert.equal(anonymous._rev, undefined);
  const w = JSON.parse((await read('?write=true')).body) as Doc;
  assert.match(w._rev ?? '', /^4-[0-9a-z]+$/);
  assert.match(w.versions['1.2.0']?.dist.tarball ?? '', /\/internal\/un-lib\/-\/un-lib-1\.2\.0\.tgz$/);

  const sendBack = (rev: string, drop: readonly string[]) => {
    const doc = structuredClone(w);
    for (const v of drop) delete doc.versions[v];
    return a.app.inject({ method: 'PUT', url: `/internal/un-lib/-rev/${rev}`, headers, payload: JSON.stringify(doc) });
  };
  const rev = w._rev ?? '';
  const two = await sendBack(rev, ['1.0.0', '1.1.0']);
  assert.equal(two.statusCode, 400);
  assert.match(two.body, /leaves out 2 published versions of un-lib \(1\.0\.0, 1\.1\.0\); npm unpublish removes one version at a time/);
  const none = await sendBack(rev, []);
  assert.equal(none.statusCode, 400);
  assert.match(none.body, /lists every published version of un-lib/);
  const stale = await sendBack('3-abc', ['1.2.0']);
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /un-lib has changed since it was read \(revision 3-abc, now 4-/);
  const fileFirst = await a.app.inject({ method: 'DELETE', url: `/internal/un-lib/-/un-lib-1.2.0.tgz/-rev/${rev}`, headers });
  assert.equal(fileFirst.statusCode, 409);
  assert.match(fileFirst.body, /un-lib-1\.2\.0\.tgz belongs to un-lib@1\.2\.0, which is published/);
  assert.equal((await a.app.airlock.storage.metadata.getHostedPackage('internal', 'un-lib'))?.rev, 4, 'the refusals wrote nothing');
  const tarball = await a.app.inject({ url: '/internal/un-lib/-/un-lib-1.2.0.tgz' });
  assert.equal(tarball.statusCode, 200, 'served before');

  // One version: it goes with its file and its tags; latest moves to the highest release left, not the beta.
  const one = await sendBack(rev, ['1.2.0']);
  assert.equal(one.statusCode, 200, one.body);
  const after = JSON.parse((await read()).body) as Doc;
  assert.deepEqual(Object.keys(after.versions).sort(), ['1.0.0', '1.1.0', '2.0.0-beta.1']);
  assert.deepEqual(after['dist-tags'], { latest: '1.1.0', beta: '2.0.0-beta.1' });
  const gone = await a.app.inject({ url: '/internal/un-lib/-/un-lib-1.2.0.tgz' });
  assert.equal(gone.statusCode, 404, 'not served from what was ingested before');
  const stored = await a.app.airlock.storage.metadata.getHostedPackage('internal', 'un-lib');
  assert.deepEqual(Object.keys(stored?.files ?? {}).sort(), ['un-lib-1.0.0.tgz', 'un-lib-1.1.0.tgz', 'un-lib-2.0.0-beta.1.tgz']);
  const rev5 = (JSON.parse((await read('?write=true')).body) as Doc)._rev ?? '';
  const file = await a.app.inject({ method: 'DELETE', url: `/internal/un-lib/-/un-lib-1.2.0.tgz/-rev/${rev5}`, headers });
  assert.equal(file.statusCode, 200, file.body);
  assert.equal((await sendBack(rev, ['1.1.0'])).statusCode, 409, 'the revision read before is no longer current');

  // An unpublished version number is never published again; a new one is.
  const republish = await publish('1.2.0');
  assert.equal(republish.statusCode, 403);
  assert.match(republish.body, /1\.2\.0 of un-lib was published to internal and unpublished, and a version number is never used twice/);
  assert.equal((await publish('1.3.0')).statusCode, 201);

  // The whole package: its versions and files go, its row stays with the numbers used and the name claimed.
  const rev7 = (JSON.parse((await read('?write=true')).body) as Doc)._rev ?? '';
  const whole = await a.app.inject({ method: 'DELETE', url: `/internal/un-lib/-rev/${rev7}`, headers });
  assert.equal(whole.statusCode, 200, whole.body);
  const missing = await read();
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /un-lib was unpublished from internal on /);
  assert.equal((await read('?write=true')).statusCode, 404);
  assert.equal((await a.app.inject({ url: '/internal/un-lib/-/un-lib-1.0.0.tgz' })).statusCode, 404);
  const tomb = await a.app.airlock.storage.metadata.getHostedPackage('internal', 'un-lib');
  assert.deepEqual(tomb?.files, {});
  const tombDoc = JSON.parse(tomb?.document ?? '{}') as Doc;
  assert.deepEqual(tombDoc.versions, {});
  assert.deepEqual((tombDoc.time['unpublished'] as { versions: string[] }).versions.sort(), ['1.0.0', '1.1.0', '1.3.0', '2.0.0-beta.1']);
  assert.equal((await publish('1.0.0')).statusCode, 403);
  const revived = await publish('3.0.0');
  assert.equal(revived.statusCode, 201, revived.body);
  const back = JSON.parse((await read()).body) as Doc;
  assert.deepEqual(Object.keys(back.versions), ['3.0.0']);
  assert.equal(back.time['unpublished'], undefined);

  // Each unpublish is in the audit trail with the token, the versions and the files' digests.
  const audit = JSON.parse((await a.app.inject({ url: '/-/api/audit?limit=100', headers: { authorization: `Bearer ${a.adminToken}` } })).body) as {
    items: { action: string; subject: string; actor: string; details: { versions: string[]; files: Record<string, string>; whole: boolean } }[];
  };
  const unpublished = audit.items.filter((e) => e.action === 'package.unpublish');
  assert.deepEqual(unpublished.map((e) => [e.subject, e.details.versions.length, e.details.whole]), [
    ['pkg:npm/un-lib@1.2.0', 1, false],
    ['pkg:npm/un-lib', 4, true],
  ]);
  assert.match(unpublished[0]?.details.files['un-lib-1.2.0.tgz'] ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.ok(unpublished.every((e) => e.actor.startsWith('token:')));

  // A repository that never unpublishes says so, whoever asks.
  assert.equal((await publish('1.0.0', 'latest', 'vault')).statusCode, 201);
  for (const token of [publisher, a.adminToken]) {
    const refused = await a.app.inject({ method: 'DELETE', url: '/vault/un-lib/-rev/1-abc', headers: { authorization: `Bearer ${token}` } });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /unpublishing from vault is turned off \(unpublish: never\); deprecate the version instead/);
  }
});
