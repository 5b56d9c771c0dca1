/**
 * Scoped tokens at the HTTP level: created through the API with their limits checked (roles,
 * repositories that exist, package patterns), then held to them: a repository outside the scope
 * is refused at its URL, writes only to the repositories and packages named (before the body is
 * read, through a group too), the stored packument of `?write=true` only for packages the token
 * may write, and of the admin API only who it is and what is served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FixtureRegistry } from '../support/npm-registry/index.ts';
import { packageTarball } from '../support/npm-registry/tarball.ts';
import { buildTestApp } from '../support/start-airlock.ts';

function publishBody(name: string, version: string): string {
  const t = packageTarball({ name, version });
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: { name, version, dist: { integrity: t.integrity, shasum: t.shasum, tarball: 'http://x/y.tgz' } } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: t.bytes.toString('base64'), length: t.bytes.length } },
  });
}

test('scoped tokens: limits checked at creation, repositories at their URLs, writes by repository and package, the admin API closed to them', async (t) => {
  const upstream = await FixtureRegistry.start([{ name: 'left-pad', versions: [{ version: '1.3.0' }] }]);
  t.after(() => upstream.close());
  const a = await buildTestApp({
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: upstream.url },
        { name: 'internal', format: 'npm', kind: 'hosted' },
        { name: 'vault', format: 'npm', kind: 'hosted' },
        { name: 'all', format: 'npm', kind: 'group', members: ['internal', 'npm'], publishTo: 'internal' },
      ],
    },
  });
  t.after(() => a.close());
  const admin = { authorization: `Bearer ${a.adminToken}` };
  const create = (body: Record<string, unknown>) => a.app.inject({ method: 'POST', url: '/-/api/tokens', headers: admin, payload: body });
  const tokenOf = async (body: Record<string, unknown>): Promise<string> => {
    const res = await create(body);
    assert.equal(res.statusCode, 201, res.body);
    return (JSON.parse(res.body) as { token: string }).token;
  };

  // What a scope may say, checked before anything is stored.
  for (const [body, why] of [
    [{ role: 'admin', scope: { repos: ['npm'] } }, /an admin token acts on the whole gateway/],
    [{ role: 'reader', scope: { packages: ['@acme/*'] } }, /a reader token writes no package/],
    [{ role: 'publisher', scope: { repos: ['nowhere'] } }, /no repository is named "nowhere" \(npm, internal, vault, all\)/],
    [{ role: 'publisher', scope: { packages: ['*'] } }, /would cover every package/],
    [{ role: 'publisher', scope: { owners: ['me'] } }, /must NOT have additional properties|unknown field/],
  ] as const) {
    const res = await create(body);
    assert.equal(res.statusCode, 400, res.body);
    assert.match((JSON.parse(res.body) as { error: string }).error, why);
  }

  const reader = await tokenOf({ role: 'reader', label: 'ci-read', scope: { repos: ['internal'] } });
  const publisher = await tokenOf({ role: 'publisher', label: 'acme-release', scope: { repos: ['internal'], packages: ['@acme/*'] } });
  const viaGroup = await tokenOf({ role: 'publisher', label: 'group-release', scope: { repos: ['all', 'internal'], packages: ['@acme/*'] } });
  const listed = JSON.parse((await a.app.inject({ url: '/-/api/tokens', headers: admin })).body) as { items: { label: string; scope: unknown }[] };
  assert.deepEqual(listed.items.find((i) => i.label === 'acme-release')?.scope, { repos: ['internal'], packages: ['@acme/*'] });

  // Repositories: the token's own work; elsewhere refused at the URL, even where anonymous reads are allowed.
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  assert.equal((await a.app.inject({ url: '/npm/left-pad' })).statusCode, 200, 'anonymous reads are allowed');
  const outside = await a.app.inject({ url: '/npm/left-pad', headers: bearer(reader) });
  assert.equal(outside.statusCode, 403);
  assert.match(outside.body, /this token is limited to the repositories internal; not npm/);
  assert.equal((await a.app.inject({ url: '/all/left-pad', headers: bearer(reader) })).statusCode, 403);

  // Writes: the named packages, into the named repositories, refused before the body is read.
  const put = (repo: string, name: string, token: string, payload = publishBody(name, '1.0.0')) =>
    a.app.inject({ method: 'PUT', url: `/${repo}/${name.replace('/', '%2f')}`, headers: { ...bearer(token), 'content-type': 'application/json' }, payload });
  assert.equal((await put('internal', '@acme/lib', publisher)).statusCode, 201);
  const big = 'x'.repeat(2 * 1024 * 1024);
  const otherPackage = await put('internal', 'other-lib', publisher, big);
  assert.equal(otherPackage.statusCode, 403, otherPackage.body);
  assert.match(otherPackage.body, /this token may write only @acme\/\*; not other-lib/);
  const lookalike = await put('internal', '@acme-evil/lib', publisher);
  assert.equal(lookalike.statusCode, 403, 'a scope prefix ends at its slash');
  const otherRepo = await put('vault', '@acme/lib', publisher);
  assert.equal(otherRepo.statusCode, 403);
  assert.match(otherRepo.body, /limited to the repositories internal; not vault/);
  assert.equal((await put('all', '@acme/tool', publisher)).statusCode, 403, 'the group URL is outside its scope');
  assert.equal((await put('all', '@acme/tool', viaGroup)).statusCode, 201, 'through the group into internal, both in scope');
  assert.equal(await a.app.airlock.storage.metadata.getHostedPackage('internal', 'other-lib'), null);
  assert.equal(await a.app.airlock.storage.metadata.getHostedPackage('vault', '@acme/lib'), null);

  // The stored packument (`?write=true`) only for packages the token may write.
  const unscoped = await tokenOf({ role: 'publisher', label: 'release' });
  assert.equal((await put('internal', 'other-lib', unscoped)).statusCode, 201);
  const writable = async (name: string, token: string) => (JSON.parse((await a.app.inject({ url: `/internal/${name}?write=true`, headers: bearer(token) })).body) as { _rev?: string })._rev;
  assert.match((await writable('@acme%2flib', publisher)) ?? '', /^1-/);
  assert.equal(await writable('other-lib', publisher), undefined, 'the ordinary view');
  assert.match((await writable('other-lib', unscoped)) ?? '', /^1-/);

  // The admin API: who it is and what is served, nothing else.
  const whoami = await a.app.inject({ url: '/-/api/whoami', headers: bearer(publisher) });
  assert.deepEqual((JSON.parse(whoami.body) as { scope: unknown }).scope, { repos: ['internal'], packages: ['@acme/*'] });
  assert.equal((await a.app.inject({ url: '/-/api/repositories', headers: bearer(reader) })).statusCode, 200);
  const quarantine = await a.app.inject({ url: '/-/api/quarantine', headers: bearer(reader) });
  assert.equal(quarantine.statusCode, 403);
  assert.match(quarantine.body, /this token is scoped/);
  assert.equal((await a.app.inject({ url: '/-/api/quarantine', headers: bearer(unscoped) })).statusCode, 200, 'an unscoped token of the same role may');

  // Creating a scoped token is audited with its scope.
  const audit = JSON.parse((await a.app.inject({ url: '/-/api/audit?limit=50', headers: admin })).body) as { items: { action: string; details: { label?: string; scope?: unknown } }[] };
  assert.deepEqual(audit.items.find((e) => e.action === 'token.create' && e.details.label === 'acme-release')?.details.scope, { repos: ['internal'], packages: ['@acme/*'] });
});
