/**
 * `npm unpublish` against a hosted repository with the real npm CLI: the admin role by default
 * (a publisher is refused), one version (the packument npm read with `?write=true`, sent back
 * without it, then its file), the whole package (`--force`, through a group with publishTo), a
 * version number never published twice, and an unpublished name that stays internal: through the
 * group it is not handed to the public package of the same name, and the proxy still refuses that
 * package as dependency confusion. Each unpublish is in the audit trail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanEnv, internalAndPublic, project, publishPackage, run, userConfig, type RunResult } from './support.ts';

test('npm unpublish: the admin role by default, one version, the whole package through a group, numbers never reused, the name stays internal', async (t) => {
  // The public upstream also has `acme-gone`: someone registered the name of an internal package.
  const { airlock, upstream, tmp, hosted, group, publisher } = await internalAndPublic(t, [
    { name: 'left-pad', versions: [{ version: '1.3.0' }] },
    { name: 'acme-gone', versions: [{ version: '9.9.9' }] },
  ]);
  const unpublish = async (registry: string, token: string, spec: string, extra: readonly string[] = []): Promise<RunResult> =>
    run('npm', ['unpublish', spec, ...extra, '--registry', registry, '--userconfig', await userConfig(tmp, registry, token), '--cache', join(tmp, 'unpublish-cache'), '--fetch-retries', '0'], {
      cwd: tmp,
      env: cleanEnv(),
    });

  for (const version of ['1.0.0', '1.1.0']) {
    const published = await publishPackage(tmp, hosted, publisher, { name: '@acme/lib', version });
    assert.equal(published.code, 0, published.output);
  }
  // Installed once: Airlock has fetched, judged and kept 1.1.0's tarball.
  const p = await project(hosted, tmp);
  const installed = await p.npm(['install', '@acme/lib@1.1.0']);
  assert.equal(installed.code, 0, installed.output);

  // A publisher cannot unpublish: that needs the admin role unless the repository says otherwise.
  const byPublisher = await unpublish(hosted, publisher, '@acme/lib@1.1.0');
  assert.notEqual(byPublisher.code, 0);
  assert.match(byPublisher.output, /E403/);
  assert.match(byPublisher.output, /this needs the admin role; the token has the publisher role/);

  // The admin unpublishes one version: gone from the versions, latest moves back, the pinned install fails.
  const one = await unpublish(hosted, airlock.adminToken, '@acme/lib@1.1.0');
  assert.equal(one.code, 0, one.output);
  assert.match(one.stdout, /- @acme\/lib@1\.1\.0/);
  const view = await p.npm(['view', '@acme/lib', 'versions', 'dist-tags.latest', '--json']);
  assert.equal(view.code, 0, view.output);
  assert.deepEqual(JSON.parse(view.stdout), { versions: ['1.0.0'], 'dist-tags.latest': '1.0.0' });
  const fresh = await project(hosted, tmp);
  const pinned = await fresh.npm(['install', '@acme/lib@1.1.0']);
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.output, /ETARGET|No matching version/);
  assert.equal((await fetch(`${hosted}@acme/lib/-/lib-1.1.0.tgz`)).status, 404, 'the tarball kept from the earlier install is not served');
  const latest = await fresh.npm(['install', '@acme/lib']);
  assert.equal(latest.code, 0, latest.output);
  assert.equal((await fresh.readJson('node_modules/@acme/lib/package.json'))['version'], '1.0.0');

  // The number stays used: other bytes under 1.1.0 are refused; a new number is taken.
  const again = await publishPackage(tmp, hosted, publisher, { name: '@acme/lib', version: '1.1.0', description: 'other bytes' });
  assert.notEqual(again.code, 0);
  assert.match(again.output, /1\.1\.0 of @acme\/lib was published to internal and unpublished, and a version number is never used twice/);
  const next = await publishPackage(tmp, hosted, publisher, { name: '@acme/lib', version: '1.2.0' });
  assert.equal(next.code, 0, next.output);

  // The whole package, through the group: published there, unpublished with --force.
  const gone = await publishPackage(tmp, group, publisher, { name: 'acme-gone', version: '1.0.0' });
  assert.equal(gone.code, 0, gone.output);
  const whole = await unpublish(group, airlock.adminToken, 'acme-gone', ['--force']);
  assert.equal(whole.code, 0, whole.output);
  assert.match(whole.stdout, /- acme-gone/);
  // The name stays internal: the group does not hand it to the public package of that name.
  const viaGroup = await (await project(group, tmp)).npm(['install', 'acme-gone']);
  assert.notEqual(viaGroup.code, 0);
  assert.match(viaGroup.output, /E404/);
  assert.match(viaGroup.output, /acme-gone was unpublished from internal/);
  assert.equal(upstream.hits('/acme-gone'), 0, 'the public acme-gone was never asked for');
  // And the proxy still refuses the public one as dependency confusion.
  const viaProxy = await (await project(`${airlock.url}/npm/`, tmp)).npm(['install', 'acme-gone']);
  assert.notEqual(viaProxy.code, 0);
  assert.match(viaProxy.output, /acme-gone is an internal package name, but this one comes from the public upstream \(dependency confusion\)/);

  // Both unpublishes are in the audit trail, by the admin token.
  const audit = (await (await fetch(`${airlock.url}/-/api/audit?limit=200`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).json()) as {
    items: { action: string; subject: string; actor: string }[];
  };
  const events = audit.items.filter((e) => e.action === 'package.unpublish');
  assert.deepEqual(events.map((e) => e.subject), ['pkg:npm/%40acme/lib@1.1.0', 'pkg:npm/acme-gone']);
  const admin = (await (await fetch(`${airlock.url}/-/api/whoami`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).json()) as { id: string };
  assert.deepEqual(events.map((e) => e.actor), [`token:${admin.id}`, `token:${admin.id}`]);
});
