/**
 * `GET /-/api/inventory`: `repo=` may name a configured repository or one removed from the
 * configuration that still holds files (its files are listed); a name that is neither is a 400
 * naming the configured ones, not an empty SBOM. `usedSince=` takes a duration as the CLI does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePurl, sha256Of } from '../../src/core/index.ts';
import { authHeader } from '../support/gate-helpers.ts';
import { buildTestApp } from '../support/start-airlock.ts';

type Sbom = { components: { purl: string; properties: { name: string; value: string }[] }[] };

test('inventory: a repo= that is neither configured nor holds a file is a 400; a removed one that holds files is listed; usedSince= takes a duration', async (t) => {
  const a = await buildTestApp({ config: { repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }, { name: 'internal', format: 'npm', kind: 'hosted' }] } });
  t.after(() => a.close());
  const { app } = a;
  const bytes = Buffer.from('left-pad');
  const purl = makePurl('npm', 'left-pad', '1.3.0');
  // Held in a repository the configuration no longer has.
  await app.airlock.storage.metadata.putArtifact({ repo: 'retired', purl, ecosystem: 'npm', name: 'left-pad', version: '1.3.0', filename: 'left-pad-1.3.0.tgz', blob: sha256Of(bytes), size: bytes.length, sha512: null, sha1: null, storedAt: new Date(Date.now() - 3 * 86_400_000) });
  const get = (query: string) => app.inject({ method: 'GET', url: `/-/api/inventory?${query}`, headers: authHeader(a.adminToken) });

  const nope = await get('repo=nope');
  assert.equal(nope.statusCode, 400, nope.body);
  assert.deepEqual(nope.json(), { error: 'no repository is named "nope" (images, internal), and no file held is in a repository of that name', code: 'BAD_REQUEST' });

  const retired = await get('repo=retired');
  assert.equal(retired.statusCode, 200, retired.body);
  assert.deepEqual(retired.json<Sbom>().components.map((c) => [c.purl, c.properties.filter((p) => p.name === 'airlock:repository').map((p) => p.value)]), [[purl, ['retired']]]);

  const empty = await get('repo=internal');
  assert.equal(empty.statusCode, 200, 'configured and empty: an SBOM without components');
  assert.deepEqual(empty.json<Sbom>().components, []);

  // A duration back from now, as --used-since takes: stored three days ago, so in 4d and not in 2d.
  assert.equal((await get('usedSince=4d')).json<Sbom>().components.length, 1);
  assert.equal((await get('usedSince=2d')).json<Sbom>().components.length, 0);
  const bad = await get('usedSince=yesterday');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error, /usedSince: "yesterday" is neither an ISO 8601 instant nor a duration/);
});
