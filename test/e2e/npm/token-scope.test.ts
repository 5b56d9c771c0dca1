/**
 * A scoped publisher token, as a release job would get it, with the real CLIs: created by
 * `airlock token create --repo internal --package '@acme/*'` against the running server, listed
 * with its scope, then used by the real npm: it publishes its own packages, and is refused (E403,
 * with the reason) for another package, another hosted repository and the proxy. A stolen CI
 * token of this kind reaches only what its job needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { airlockCli, internalAndPublic, project, publishPackage } from './support.ts';

test('a scoped publisher token from airlock token create: its packages into its repository, nothing else', async (t) => {
  const { airlock, tmp, hosted } = await internalAndPublic(t, [{ name: 'left-pad', versions: [{ version: '1.3.0' }] }], {
    repositories: [{ name: 'platform', format: 'npm', kind: 'hosted' }],
  });
  const cli = (args: readonly string[]) => airlockCli([...args, '--server', airlock.url], { AIRLOCK_TOKEN: airlock.adminToken });

  const created = await cli(['token', 'create', '--role', 'publisher', '--label', 'acme-release', '--repo', 'internal', '--package', '@acme/*']);
  assert.equal(created.code, 0, created.output);
  assert.match(created.stderr, /created publisher token \S+ \(acme-release\), limited to repositories internal; packages @acme\/\*/);
  const token = created.stdout.trim();
  const refused = await cli(['token', 'create', '--role', 'admin', '--repo', 'internal']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /an admin token acts on the whole gateway/);
  const list = await cli(['token', 'list']);
  assert.equal(list.code, 0, list.output);
  assert.match(list.stdout, /acme-release\s+repositories internal; packages @acme\/\*/);

  const published = await publishPackage(tmp, hosted, token, { name: '@acme/lib', version: '1.0.0' });
  assert.equal(published.code, 0, published.output);
  const installed = await (await project(hosted, tmp)).npm(['install', '@acme/lib']);
  assert.equal(installed.code, 0, installed.output);

  const otherPackage = await publishPackage(tmp, hosted, token, { name: 'billing', version: '1.0.0' });
  assert.notEqual(otherPackage.code, 0);
  assert.match(otherPackage.output, /E403/);
  assert.match(otherPackage.output, /this token may write only @acme\/\*; not billing/);
  const otherRepo = await publishPackage(tmp, `${airlock.url}/platform/`, token, { name: '@acme/lib', version: '1.0.0' });
  assert.notEqual(otherRepo.code, 0);
  assert.match(otherRepo.output, /this token is limited to the repositories internal; not platform/);
  assert.equal(await airlock.app.airlock.storage.metadata.getHostedPackage('internal', 'billing'), null);
  assert.equal(await airlock.app.airlock.storage.metadata.getHostedPackage('platform', '@acme/lib'), null);

  // The same token set for the proxy: refused there, though anonymous reads are allowed.
  const proxy = await project(`${airlock.url}/npm/`, tmp);
  await writeFile(join(proxy.dir, '.npmrc'), `${airlock.url.replace(/^https?:/, '')}/npm/:_authToken=${token}\n`);
  const viaProxy = await proxy.npm(['install', 'left-pad']);
  assert.notEqual(viaProxy.code, 0);
  assert.match(viaProxy.output, /E403/);
  assert.match(viaProxy.output, /this token is limited to the repositories internal; not npm/);
});
