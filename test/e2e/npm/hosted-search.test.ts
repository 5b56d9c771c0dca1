/**
 * `npm search` for internal packages with the real npm CLI: a hosted repository answers searches
 * from what was published to it (name, description, keywords; npm's `keywords:` and `scope:`
 * qualifiers), at the version the gate lets an install have, and not for unpublished packages.
 * Through a group, internal and public results come together, each name once and from the member
 * an install would use: the public package of an internal name is not offered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanEnv, internalAndPublic, project, publishPackage, run, userConfig } from './support.ts';

interface Found {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly keywords?: readonly string[];
  readonly publisher?: { readonly username: string };
}

test('npm search finds internal packages in a hosted repository, and through a group beside public ones, each name from where it installs', async (t) => {
  // The public upstream has an `acme-lib` too (someone registered an internal name) and a package of its own.
  const { airlock, tmp, hosted, group, publisher } = await internalAndPublic(
    t,
    [
      { name: 'acme-lib', versions: [{ version: '9.9.9' }] },
      { name: 'acme-public-tool', versions: [{ version: '2.0.0' }] },
    ],
    { config: { policy: { data: { airlock: { settings: { install_scripts: 'quarantine' } } } } } },
  );
  for (const manifest of [
    { name: 'acme-lib', version: '1.0.0', description: 'Billing helpers for Acme services', keywords: ['billing', 'invoices'] },
    { name: 'acme-lib', version: '1.1.0', description: 'Billing helpers for Acme services', keywords: ['billing', 'invoices'] },
    { name: '@acme/ui-kit', version: '3.0.0', description: 'Design system components', keywords: ['react', 'design'] },
    { name: '@acme/gone', version: '1.0.0', description: 'Billing experiment' },
    // Runs an install script: held by the policy, so no version of it is offered.
    { name: '@acme/setup', version: '1.0.0', description: 'Billing setup scripts', scripts: { postinstall: 'node index.js' } },
  ]) {
    const published = await publishPackage(tmp, hosted, publisher, manifest);
    assert.equal(published.code, 0, published.output);
  }
  const unpublished = await run('npm', ['unpublish', '@acme/gone', '--force', '--registry', hosted, '--userconfig', await userConfig(tmp, hosted, airlock.adminToken), '--cache', join(tmp, 'unpublish-cache')], {
    cwd: tmp,
    env: cleanEnv(),
  });
  assert.equal(unpublished.code, 0, unpublished.output);

  const p = await project(hosted, tmp);
  const search = async (registry: string, ...words: string[]): Promise<Found[]> => {
    const r = await p.npm(['search', '--json', ...words], { registry });
    assert.equal(r.code, 0, r.output);
    return JSON.parse(r.stdout) as Found[];
  };

  // The hosted repository: by name, by description, by keyword; the unpublished and the held are not found.
  const billing = await search(hosted, 'billing');
  assert.deepEqual(billing.map((f) => [f.name, f.version]), [['acme-lib', '1.1.0']]);
  assert.equal(billing[0]?.description, 'Billing helpers for Acme services');
  assert.deepEqual(billing[0]?.keywords, ['billing', 'invoices']);
  assert.equal(billing[0]?.publisher?.username, 'release-bot');
  assert.deepEqual((await search(hosted, 'design', 'components')).map((f) => f.name), ['@acme/ui-kit']);
  assert.deepEqual((await search(hosted, 'keywords:react')).map((f) => f.name), ['@acme/ui-kit']);
  assert.deepEqual((await search(hosted, 'scope:acme')).map((f) => f.name), ['@acme/ui-kit']);
  assert.deepEqual((await search(hosted, 'nothing-like-this')).map((f) => f.name), []);
  // A new publish is found by the next search.
  const next = await publishPackage(tmp, hosted, publisher, { name: '@acme/billing-api', version: '0.1.0', description: 'Billing API client' });
  assert.equal(next.code, 0, next.output);
  assert.deepEqual((await search(hosted, 'billing')).map((f) => f.name), ['@acme/billing-api', 'acme-lib']);

  // Through the group: internal and public results, each name from where it installs.
  const acme = await search(group, 'acme');
  assert.deepEqual(acme.map((f) => [f.name, f.version]).sort(), [
    ['@acme/billing-api', '0.1.0'],
    ['@acme/ui-kit', '3.0.0'],
    ['acme-lib', '1.1.0'],
    ['acme-public-tool', '2.0.0'],
  ]);
  assert.equal(acme.filter((f) => f.name === 'acme-lib').length, 1, 'the public acme-lib 9.9.9 is not offered');
  // Not even when only the public package matches the words (its description is the fixture's).
  assert.deepEqual((await search(group, 'fixture')).map((f) => f.name), ['acme-public-tool']);
  assert.deepEqual((await search(`${airlock.url}/npm/`, 'fixture')).map((f) => f.name), ['acme-public-tool'], 'the proxy alone refuses it too (dependency confusion)');
  // The human-readable listing, as npm prints it.
  const text = await p.npm(['search', 'acme-lib'], { registry: group });
  assert.equal(text.code, 0, text.output);
  assert.match(text.stdout, /acme-lib\nBilling helpers for Acme services\nVersion 1\.1\.0 published \d{4}-\d\d-\d\d by release-bot/);
  assert.doesNotMatch(text.stdout, /9\.9\.9/);
});
