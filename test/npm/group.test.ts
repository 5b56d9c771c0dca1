/**
 * Group repositories at the HTTP level: lookup order across two proxies (a name only the second
 * has is not a missing name), no fall-through past a member that failed, a name published
 * straight to the hosted member taking over from the proxy at once, writes refused before their
 * body, the group in the repository listing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FixtureRegistry } from '../support/npm-registry/index.ts';
import { packageTarball } from '../support/npm-registry/tarball.ts';
import { buildTestApp, type TestAirlock } from '../support/start-airlock.ts';

async function tokenOf(a: TestAirlock, role: string): Promise<string> {
  const res = await a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: { authorization: `Bearer ${a.adminToken}` }, payload: { role, label: `${role}-bot` } });
  assert.equal(res.statusCode, 201, res.body);
  return (JSON.parse(res.body) as { token: string }).token;
}

function publishBody(name: string, version: string): string {
  const t = packageTarball({ name, version });
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: { name, version, _id: `${name}@${version}`, dist: { integrity: t.integrity, shasum: t.shasum, tarball: `http://x/${name}/-/${name}-${version}.tgz` } } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: t.bytes.toString('base64'), length: t.bytes.length } },
  });
}

interface Packument {
  readonly versions: Record<string, { dist: { tarball: string } }>;
}

async function missingNames(a: TestAirlock): Promise<string[]> {
  const res = await a.app.inject({ url: '/-/api/signals/missing?limit=100', headers: { authorization: `Bearer ${a.adminToken}` } });
  assert.equal(res.statusCode, 200, res.body);
  return (JSON.parse(res.body) as { items: { name: string }[] }).items.map((m) => m.name);
}

test('two proxies in a group: the first that has a name serves it alone; a miss in the first is no missing name; a failing member stops the lookup', async (t) => {
  const mirror = await FixtureRegistry.start([{ name: 'shared-name', versions: [{ version: '1.0.0' }] }]);
  t.after(() => mirror.close());
  const world = await FixtureRegistry.start([
    { name: 'shared-name', versions: [{ version: '1.0.0' }, { version: '2.0.0' }] },
    { name: 'only-public', versions: [{ version: '3.1.0' }] },
  ]);
  t.after(() => world.close());
  const a = await buildTestApp({
    config: {
      repositories: [
        { name: 'mirror', format: 'npm', upstream: mirror.url },
        { name: 'world', format: 'npm', upstream: world.url },
        { name: 'all', format: 'npm', kind: 'group', members: ['mirror', 'world'] },
      ],
    },
  });
  t.after(() => a.close());

  // Both have shared-name: the first member's package, whole, with tarball URLs under the group.
  const shared = await a.app.inject({ url: '/all/shared-name', headers: { host: 'airlock.test' } });
  assert.equal(shared.statusCode, 200, shared.body);
  const doc = JSON.parse(shared.body) as Packument;
  assert.deepEqual(Object.keys(doc.versions), ['1.0.0']);
  assert.equal(doc.versions['1.0.0']?.dist.tarball, 'http://airlock.test/all/shared-name/-/shared-name-1.0.0.tgz');
  const tgz = await a.app.inject({ url: '/all/shared-name/-/shared-name-1.0.0.tgz' });
  assert.equal(tgz.statusCode, 200);
  assert.equal(mirror.tarballHits('shared-name', '1.0.0'), 1);
  // A file the serving member does not list is not looked for in the next one.
  const other = await a.app.inject({ url: '/all/shared-name/-/shared-name-2.0.0.tgz' });
  assert.equal(other.statusCode, 404);
  assert.equal(world.tarballHits('shared-name', '2.0.0'), 0);

  // Only the second has it: served from there, and the first member's 404 is no missing name.
  const second = await a.app.inject({ url: '/all/only-public' });
  assert.equal(second.statusCode, 200, second.body);
  assert.deepEqual(Object.keys((JSON.parse(second.body) as Packument).versions), ['3.1.0']);
  assert.deepEqual(await missingNames(a), []);
  // Neither has it: one missing name on record, and the group's own 404.
  const none = await a.app.inject({ url: '/all/nowhere-pkg' });
  assert.equal(none.statusCode, 404);
  assert.match(none.body, /nowhere-pkg is not in any repository of the group all \(mirror, world\)/);
  assert.deepEqual(await missingNames(a), ['nowhere-pkg']);

  // The first member cannot be asked: the group fails instead of serving the name from the second.
  mirror.setDown('503');
  const down = await a.app.inject({ url: '/all/fresh-name' });
  assert.equal(down.statusCode, 502, down.body);
  assert.equal(world.hits('/fresh-name'), 0, 'the second member was not asked');
});

test('hosted before proxy: a name published straight to the hosted member takes over from the public one at once', async (t) => {
  const world = await FixtureRegistry.start([{ name: 'team-utils', versions: [{ version: '5.0.0' }] }]);
  t.after(() => world.close());
  const a = await buildTestApp({
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: world.url },
        { name: 'internal', format: 'npm', kind: 'hosted', metadataMaxAge: '1h' },
        { name: 'all', format: 'npm', kind: 'group', members: ['internal', 'npm'], publishTo: 'internal' },
        { name: 'hosted-only', format: 'npm', kind: 'group', members: ['internal'] },
      ],
      signals: { enabled: false },
    },
  });
  t.after(() => a.close());
  const publisher = await tokenOf(a, 'publisher');
  const reader = await tokenOf(a, 'reader');

  const before = await a.app.inject({ url: '/all/team-utils' });
  assert.equal(before.statusCode, 200);
  assert.deepEqual(Object.keys((JSON.parse(before.body) as Packument).versions), ['5.0.0']);
  // Published to the hosted repository's own URL, not through the group: the group remembered
  // the proxy for this name (for the hosted member's max age, an hour here), and forgets it now.
  const put = await a.app.inject({
    method: 'PUT',
    url: '/internal/team-utils',
    headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
    payload: publishBody('team-utils', '1.0.0'),
  });
  assert.equal(put.statusCode, 201, put.body);
  const after = await a.app.inject({ url: '/all/team-utils' });
  assert.deepEqual(Object.keys((JSON.parse(after.body) as Packument).versions), ['1.0.0']);
  // Search: the proxy (signals off here, so nothing refuses the public package) offers the public
  // team-utils for words only its description has; the group does not, installs of it come from internal.
  const found = async (repo: string, text: string): Promise<string[]> =>
    (JSON.parse((await a.app.inject({ url: `/${repo}/-/v1/search?text=${text}` })).body) as { objects: { package: { name: string; version: string } }[] }).objects.map(
      (o) => `${o.package.name}@${o.package.version}`,
    );
  assert.deepEqual(await found('npm', 'fixture'), ['team-utils@5.0.0']);
  assert.deepEqual(await found('all', 'fixture'), []);
  assert.deepEqual(await found('all', 'team-utils'), ['team-utils@1.0.0'], 'the internal one, found in internal');

  // Writes to the group: the publisher role is checked before the body is read.
  const anonymous = await a.app.inject({ method: 'PUT', url: '/all/new-lib', headers: { 'content-type': 'application/json' }, payload: publishBody('new-lib', '1.0.0') });
  assert.equal(anonymous.statusCode, 401, anonymous.body);
  const byReader = await a.app.inject({ method: 'PUT', url: '/all/new-lib', headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' }, payload: publishBody('new-lib', '1.0.0') });
  assert.equal(byReader.statusCode, 403, byReader.body);
  assert.equal(await a.app.airlock.storage.metadata.getHostedPackage('internal', 'new-lib'), null);
  // Unpublishing through the group goes to publishTo, under its rule (the admin role by default).
  const unpublish = await a.app.inject({ method: 'DELETE', url: '/all/team-utils/-rev/1-abc', headers: { authorization: `Bearer ${publisher}` } });
  assert.equal(unpublish.statusCode, 403);
  assert.match(unpublish.body, /needs the admin role/);
  const rewrite = await a.app.inject({ method: 'DELETE', url: '/all/team-utils', headers: { authorization: `Bearer ${publisher}` } });
  assert.equal(rewrite.statusCode, 405);
  assert.match(rewrite.body, /changing published versions is not supported through the group all/);

  // A group without a proxy has no registry keys to give.
  const keys = await a.app.inject({ url: '/hosted-only/-/npm/v1/keys' });
  assert.equal(keys.statusCode, 404);
  assert.match(keys.body, /none of its repositories \(internal\) is a proxy/);
  assert.equal((await a.app.inject({ url: '/hosted-only/not-published' })).statusCode, 404);
  assert.equal((await a.app.inject({ url: '/all/-/ping' })).statusCode, 200);

  const listing = await a.app.inject({ url: '/-/api/repositories', headers: { authorization: `Bearer ${reader}` } });
  const group = (JSON.parse(listing.body) as { items: { name: string }[] }).items.find((r) => r.name === 'all');
  assert.deepEqual(group, { name: 'all', format: 'npm', path: '/all/', kind: 'group', upstream: null, members: ['internal', 'npm'] });
});
