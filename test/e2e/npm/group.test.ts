/**
 * A group repository with the real npm CLI (and pnpm and yarn when AIRLOCK_CLIENTS=1): one
 * registry URL in front of a hosted repository and a proxy. Internal and public packages install
 * from it in one project; a name published to the hosted member is served from it alone, so the
 * public package of that name (at a higher version) cannot reach the client; publishes and
 * dist-tags sent to the group land in its hosted member; the gate still judges each package; a
 * name in no member is refused and recorded for the hallucination tripwire; `airlock check`
 * accepts a lockfile resolved through the group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { clients, SKIP_CLIENTS } from './other-clients.ts';
import { airlockCli, cleanEnv, internalAndPublic, project, publishPackage, run, userConfig, type InternalAndPublic, type RunResult } from './support.ts';

const FAST_RETRIES = ['--fetch-retries', '0'];

type Setup = InternalAndPublic;

async function setup(t: { after(fn: () => Promise<unknown>): void }, config: Record<string, unknown> = {}): Promise<Setup> {
  // The public upstream also has `acme-lib`, at a higher version: someone registered the name of an internal package.
  return internalAndPublic(
    t,
    [
      { name: 'left-pad', versions: [{ version: '1.3.0' }] },
      { name: 'acme-lib', versions: [{ version: '9.9.9' }] },
    ],
    {
      repositories: [{ name: 'public-only', format: 'npm', kind: 'group', members: ['npm'] }],
      // The built-in policy, with install scripts held for review.
      config: { policy: { data: { airlock: { settings: { install_scripts: 'quarantine' } } } }, ...config },
    },
  );
}

test('group repository: one registry for internal and public packages; the hosted member shadows the public name; writes go to publishTo', async (t) => {
  const { airlock, upstream, tmp, group, publisher } = await setup(t);

  // Published through the group: it lands in the hosted member.
  const published = await publishPackage(tmp, group, publisher, { name: 'acme-lib', version: '1.0.0', description: 'internal library', main: 'index.js' });
  assert.equal(published.code, 0, published.output);
  assert.notEqual(await airlock.app.airlock.storage.metadata.getHostedPackage('internal', 'acme-lib'), null);

  // One registry setting, nothing else: the internal package and a public one in one install.
  const p = await project(group, tmp);
  const installed = await p.npm(['install', 'acme-lib', 'left-pad@1.3.0']);
  assert.equal(installed.code, 0, installed.output);
  assert.equal((await p.readJson('node_modules/acme-lib/package.json'))['version'], '1.0.0', 'the internal package, not the public 9.9.9');
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  const lock = (await p.readJson('package-lock.json'))['packages'] as Record<string, { resolved?: string }>;
  assert.equal(lock['node_modules/acme-lib']?.resolved, `${group}acme-lib/-/acme-lib-1.0.0.tgz`);
  assert.equal(lock['node_modules/left-pad']?.resolved, `${group}left-pad/-/left-pad-1.3.0.tgz`);
  assert.equal(upstream.hits('/acme-lib'), 0, 'the public acme-lib was never asked for');

  // The public package of the internal name is not reachable through the group, at any version.
  const versions = await p.npm(['view', 'acme-lib', 'versions', '--json']);
  assert.equal(versions.code, 0, versions.output);
  assert.deepEqual(JSON.parse(versions.stdout), ['1.0.0']);
  const pinned = await p.npm(['install', 'acme-lib@9.9.9']);
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.output, /ETARGET|No matching version/);

  // A new version published through the group is served at once.
  const next = await publishPackage(tmp, group, publisher, { name: 'acme-lib', version: '1.1.0', description: 'internal library', main: 'index.js' });
  assert.equal(next.code, 0, next.output);
  const latest = await p.npm(['view', 'acme-lib', 'version']);
  assert.equal(latest.stdout.trim(), '1.1.0', latest.output);

  // dist-tags through the group, with npm's own commands.
  const rc = await userConfig(tmp, group, publisher);
  const tagged = await run('npm', ['dist-tag', 'add', 'acme-lib@1.0.0', 'stable', '--registry', group, '--userconfig', rc, '--cache', join(tmp, 'tag-cache'), ...FAST_RETRIES], { cwd: tmp, env: cleanEnv() });
  assert.equal(tagged.code, 0, tagged.output);
  const tags = await p.npm(['dist-tag', 'ls', 'acme-lib']);
  assert.match(tags.stdout, /stable: 1\.0\.0/);
  assert.match(tags.stdout, /latest: 1\.1\.0/);
  // npm deprecate through the group: it reads the package from the member serving it and writes to publishTo.
  const deprecated = await run('npm', ['deprecate', 'acme-lib@1.0.0', 'use 1.1.0', '--registry', group, '--userconfig', rc, '--cache', join(tmp, 'deprecate-cache'), ...FAST_RETRIES], { cwd: tmp, env: cleanEnv() });
  assert.equal(deprecated.code, 0, deprecated.output);
  assert.equal((await p.npm(['view', 'acme-lib@1.0.0', 'deprecated'])).stdout.trim(), 'use 1.1.0');

  // The gate judges what the group serves: a published package that runs install scripts is held,
  // and npm is told where to ask for it under the group's URL.
  const tool = await publishPackage(tmp, group, publisher, { name: 'acme-tool', version: '2.0.0', scripts: { postinstall: 'node index.js' } });
  assert.equal(tool.code, 0, tool.output);
  const held = await p.npm(['install', 'acme-tool@2.0.0']);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /E403/);
  assert.match(held.output, /runs install scripts \(postinstall\)/);
  assert.match(held.output, new RegExp(`requesting ${group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}acme-tool/-/acme-tool-2\\.0\\.0\\.tgz`));

  // A name no member has: npm's 404, with the group named, and a request for a missing name on record.
  const invented = await p.npm(['install', 'acme-invented-helper']);
  assert.notEqual(invented.code, 0);
  assert.match(invented.output, /E404/);
  assert.match(invented.output, /acme-invented-helper is not in any repository of the group all \(internal, npm\)/);
  const missing = (await (await fetch(`${airlock.url}/-/api/signals/missing?limit=50`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).json()) as { items: { name: string }[] };
  assert.ok(missing.items.some((m) => m.name === 'acme-invented-helper'), JSON.stringify(missing.items));

  // The pre-flight check accepts the lockfile resolved through the group, and checks through it.
  const cli = (args: readonly string[]): Promise<RunResult> => airlockCli([...args, '--server', airlock.url], { AIRLOCK_TOKEN: airlock.adminToken });
  const lockCheck = await cli(['check', '--lockfile', join(p.dir, 'package-lock.json')]);
  assert.equal(lockCheck.code, 0, lockCheck.output);
  assert.doesNotMatch(lockCheck.output, /outside the registry/);
  const checked = await cli(['check', 'npm', 'acme-lib@1.0.0', '--repo', 'all', '--format', 'json']);
  assert.equal(checked.code, 0, checked.output);
  assert.match(checked.stdout, /"version": "1\.0\.0"/);

  // A group without publishTo takes no publishes, and says what to do instead.
  const refused = await publishPackage(tmp, `${airlock.url}/public-only/`, publisher, { name: 'acme-other', version: '1.0.0' });
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /publishing through the group public-only is not set up: publish to a hosted repository, or name one in the group's publishTo/);
  // And it serves the public package of the internal name: its only member is the proxy, which
  // refuses it as dependency confusion (the name is published to a hosted repository).
  const confused = await (await project(`${airlock.url}/public-only/`, tmp)).npm(['install', 'acme-lib']);
  assert.notEqual(confused.code, 0);
  assert.match(confused.output, /acme-lib is an internal package name, but this one comes from the public upstream \(dependency confusion\)/);
});

test('group repository: pnpm and yarn install internal and public packages from the one URL', { skip: SKIP_CLIENTS }, async (t) => {
  const { pnpm, yarnClassic } = await clients();
  const { tmp, group, publisher } = await setup(t);
  const published = await publishPackage(tmp, group, publisher, { name: 'acme-lib', version: '1.0.0', main: 'index.js' });
  assert.equal(published.code, 0, published.output);

  const withPnpm = await project(group, tmp);
  const byPnpm = await run(process.execPath, [pnpm, 'add', 'acme-lib', 'left-pad@1.3.0', '--registry', group, '--store-dir', join(withPnpm.dir, '.pnpm-store')], {
    cwd: withPnpm.dir,
    env: cleanEnv({ HOME: withPnpm.dir }),
  });
  assert.equal(byPnpm.code, 0, byPnpm.output);
  assert.equal((await withPnpm.readJson('node_modules/acme-lib/package.json'))['version'], '1.0.0');
  assert.equal((await withPnpm.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');

  const withYarn = await project(group, tmp);
  const byYarn = await run(process.execPath, [yarnClassic, 'add', 'acme-lib', 'left-pad@1.3.0', '--registry', group, '--cache-folder', join(withYarn.dir, '.yarn-cache'), '--no-lockfile', '--non-interactive'], {
    cwd: withYarn.dir,
    env: cleanEnv({ HOME: withYarn.dir }),
  });
  assert.equal(byYarn.code, 0, byYarn.output);
  assert.equal((await withYarn.readJson('node_modules/acme-lib/package.json'))['version'], '1.0.0');
});
