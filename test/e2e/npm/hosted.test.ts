/**
 * A hosted npm repository with the real npm CLI: `npm publish` with a publisher token, installs of
 * internal packages next to public ones (a scope mapped to the hosted repository, everything else
 * through the proxy), dist-tags, refusals (no token, a reader's, a version published again, a
 * forged tarball), the gate judging published packages with the built-in policy (no cooldown for
 * your own publishes; install scripts held for review, then released), the audit trail, and a
 * restart keeping every published package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { airlockCli, cleanEnv, createToken, project, publishPackage, quarantineIdIn, run, userConfig, type RunResult } from './support.ts';

const FAST_RETRIES = ['--fetch-retries', '0'];

test('hosted repository: npm publish, install beside public packages, dist-tags, refusals, the gate, audit, restart', async (t) => {
  // The public upstream also has `acme-billing`: someone registered the name of an internal package.
  const upstream = await FixtureRegistry.start([
    { name: 'left-pad', versions: [{ version: '1.3.0' }] },
    { name: 'acme-billing', versions: [{ version: '9.9.9' }] },
  ]);
  t.after(() => upstream.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-hosted-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const dataDir = join(tmp, 'data');
  await mkdir(dataDir);
  // The built-in policy, with install scripts held for review.
  const config = {
    repositories: [
      { name: 'npm', format: 'npm', upstream: upstream.url },
      { name: 'internal', format: 'npm', kind: 'hosted' },
    ],
    policy: { data: { airlock: { settings: { install_scripts: 'quarantine' } } } },
  };
  let airlock = await startAirlock({ config, dataDir });
  t.after(() => airlock.close());
  const hosted = `${airlock.url}/internal/`;
  const publisher = await createToken(airlock, 'publisher', 'release-bot');
  const reader = await createToken(airlock, 'reader', 'dev');

  // Published with the publisher token: npm reports the package it sent.
  const lib = { name: '@acme/lib', version: '1.0.0', description: 'internal library', main: 'index.js', license: 'UNLICENSED' };
  const published = await publishPackage(tmp, hosted, publisher, lib);
  assert.equal(published.code, 0, published.output);
  assert.match(published.output, /@acme\/lib@1\.0\.0/);

  // Refusals: no token, a reader's token, the same version again — none changes the package.
  const anonymous = await publishPackage(tmp, hosted, null, { ...lib, version: '1.0.1' });
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.output, /E401|ENEEDAUTH|log in/i);
  const byReader = await publishPackage(tmp, hosted, reader, { ...lib, version: '1.0.1' });
  assert.notEqual(byReader.code, 0);
  assert.match(byReader.output, /E403/);
  assert.match(byReader.output, /needs the publisher role; the token has the reader role/);
  const again = await publishPackage(tmp, hosted, publisher, { ...lib, description: 'other bytes' });
  assert.notEqual(again.code, 0);
  assert.match(again.output, /cannot publish over the previously published versions: 1\.0\.0/);

  // A prerelease under its own tag: `latest` stays on 1.0.0.
  const beta = await publishPackage(tmp, hosted, publisher, { ...lib, version: '1.1.0-beta.0' }, ['--tag', 'beta']);
  assert.equal(beta.code, 0, beta.output);

  // A developer's project: the @acme scope from the hosted repository, everything else through the proxy.
  const p = await project(`${airlock.url}/npm/`, tmp);
  await writeFile(join(p.dir, '.npmrc'), `@acme:registry=${hosted}\n`);
  const installed = await p.npm(['install', '@acme/lib', 'left-pad@1.3.0']);
  assert.equal(installed.code, 0, installed.output);
  assert.equal((await p.readJson('node_modules/@acme/lib/package.json'))['version'], '1.0.0', 'latest, not the beta');
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  const lock = (await p.readJson('package-lock.json'))['packages'] as Record<string, { resolved?: string; integrity?: string }>;
  assert.equal(lock['node_modules/@acme/lib']?.resolved, `${hosted}@acme/lib/-/lib-1.0.0.tgz`, 'the tarball is served by Airlock under the hosted repository');

  // dist-tags with npm's own commands.
  const tags = await p.npm(['dist-tag', 'ls', '@acme/lib'], { registry: hosted });
  assert.equal(tags.code, 0, tags.output);
  assert.match(tags.stdout, /beta: 1\.1\.0-beta\.0/);
  assert.match(tags.stdout, /latest: 1\.0\.0/);
  const rc = join(tmp, 'publisher.npmrc');
  await writeFile(rc, `${hosted.replace(/^https?:/, '')}:_authToken=${publisher}\n`);
  const promote = await run('npm', ['dist-tag', 'add', '@acme/lib@1.1.0-beta.0', 'latest', '--registry', hosted, '--userconfig', rc, '--cache', join(tmp, 'tag-cache'), ...FAST_RETRIES], { cwd: tmp, env: cleanEnv() });
  assert.equal(promote.code, 0, promote.output);
  const view = await p.npm(['view', '@acme/lib', 'dist-tags.latest', 'description'], { registry: hosted });
  assert.equal(view.code, 0, view.output);
  assert.match(view.stdout, /1\.1\.0-beta\.0/);
  assert.match(view.stdout, /internal library/);

  // npm deprecate with the publisher token: installs of that version warn; a reader cannot; "" undoes it.
  const deprecate = (token: string, message: string): Promise<RunResult> =>
    userConfig(tmp, hosted, token).then((userRc) =>
      run('npm', ['deprecate', '@acme/lib@1.0.0', message, '--registry', hosted, '--userconfig', userRc, '--cache', join(tmp, 'deprecate-cache'), ...FAST_RETRIES], { cwd: tmp, env: cleanEnv() }),
    );
  const deprecated = await deprecate(publisher, 'use 1.1.0 or later');
  assert.equal(deprecated.code, 0, deprecated.output);
  const warnedProject = await project(`${airlock.url}/npm/`, tmp);
  await writeFile(join(warnedProject.dir, '.npmrc'), `@acme:registry=${hosted}\n`);
  const warned = await warnedProject.npm(['install', '@acme/lib@1.0.0']);
  assert.equal(warned.code, 0, warned.output);
  assert.match(warned.output, /npm warn deprecated @acme\/lib@1\.0\.0: use 1\.1\.0 or later/);
  const byReaderDeprecate = await deprecate(reader, 'not yours');
  assert.notEqual(byReaderDeprecate.code, 0);
  assert.match(byReaderDeprecate.output, /E403/);
  const message = async (): Promise<string> => (await p.npm(['view', '@acme/lib@1.0.0', 'deprecated'], { registry: hosted })).stdout.trim();
  assert.equal(await message(), 'use 1.1.0 or later');
  const undone = await deprecate(publisher, '');
  assert.equal(undone.code, 0, undone.output);
  assert.equal(await message(), '');

  // The gate judges what is published: a package that runs install scripts is held for review.
  const scripted = await publishPackage(tmp, hosted, publisher, { name: '@acme/tool', version: '2.0.0', scripts: { postinstall: 'node index.js' } });
  assert.equal(scripted.code, 0, scripted.output);
  const held = await p.npm(['install', '@acme/tool@2.0.0']);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /E403/);
  assert.match(held.output, /runs install scripts \(postinstall\)/);
  // Held at the metadata phase: asking for the tarball, as npm's message says, opens the review.
  const tarball = /requesting (\S+) opens one/.exec(held.output)?.[1] ?? '';
  assert.equal(tarball, `${hosted}@acme/tool/-/tool-2.0.0.tgz`, held.output);
  const opened = await fetch(tarball);
  assert.equal(opened.status, 403);
  const id = quarantineIdIn(((await opened.json()) as { error: string }).error);
  assert.notEqual(id, '');
  const cli = (args: readonly string[]): Promise<RunResult> => airlockCli([...args, '--server', airlock.url], { AIRLOCK_TOKEN: airlock.adminToken });
  const listed = await cli(['quarantine', 'list', '--format', 'json']);
  const records = JSON.parse(listed.stdout) as { id: string; purl: string }[];
  assert.deepEqual(records.map((r) => [r.id, r.purl]), [[id, 'pkg:npm/%40acme/tool@2.0.0']]);
  const released = await cli(['quarantine', 'release', id, '--reason', 'our own build tool']);
  assert.equal(released.code, 0, released.output);
  const afterRelease = await p.npm(['install', '@acme/tool@2.0.0']);
  assert.equal(afterRelease.code, 0, afterRelease.output);

  // A forged publish (the tarball is not what its integrity says) is refused, and nothing of it is kept.
  const tgz = Buffer.from('not really a tarball');
  const forged = await fetch(`${hosted}@acme%2fforged`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      _id: '@acme/forged',
      name: '@acme/forged',
      'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': { name: '@acme/forged', version: '1.0.0', dist: { integrity: `sha512-${createHash('sha512').update('other bytes').digest('base64')}`, tarball: 'http://x/y.tgz' } } },
      _attachments: { '@acme/forged-1.0.0.tgz': { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length } },
    }),
  });
  assert.equal(forged.status, 400);
  assert.match(((await forged.json()) as { error: string }).error, /does not match its dist\.integrity/);
  assert.equal(await airlock.app.airlock.storage.metadata.getHostedPackage('internal', '@acme/forged'), null);
  assert.equal((await fetch(`${hosted}@acme%2fforged`)).status, 404);

  // Dependency confusion: once `acme-billing` is published here, the public package of that name is
  // refused through the proxy (before the publish, the proxy served it).
  const before = await project(`${airlock.url}/npm/`, tmp);
  const confusedBefore = await before.npm(['install', 'acme-billing']);
  assert.equal(confusedBefore.code, 0, confusedBefore.output);
  const billing = await publishPackage(tmp, hosted, publisher, { name: 'acme-billing', version: '1.0.0' });
  assert.equal(billing.code, 0, billing.output);
  const confused = await (await project(`${airlock.url}/npm/`, tmp)).npm(['install', 'acme-billing']);
  assert.notEqual(confused.code, 0);
  assert.match(confused.output, /acme-billing is an internal package name, but this one comes from the public upstream \(dependency confusion\)/);
  const internalBilling = await (await project(hosted, tmp)).npm(['install', 'acme-billing']);
  assert.equal(internalBilling.code, 0, internalBilling.output);

  // The proxy stays read-only.
  const toProxy = await publishPackage(tmp, `${airlock.url}/npm/`, publisher, { name: 'not-here', version: '1.0.0' });
  assert.notEqual(toProxy.code, 0);
  assert.match(toProxy.output, /publishing is not supported by this Airlock repository/);

  // Who published what is in the audit trail.
  const audit = (await (await fetch(`${airlock.url}/-/api/audit?limit=200`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).json()) as { items: { action: string; subject: string; actor: string }[] };
  const publishes = audit.items.filter((e) => e.action === 'package.publish').map((e) => e.subject);
  assert.deepEqual(publishes.sort(), ['pkg:npm/%40acme/lib@1.0.0', 'pkg:npm/%40acme/lib@1.1.0-beta.0', 'pkg:npm/%40acme/tool@2.0.0', 'pkg:npm/acme-billing@1.0.0']);
  assert.ok(audit.items.some((e) => e.action === 'package.dist-tag' && e.subject === 'pkg:npm/%40acme/lib@1.1.0-beta.0'));
  assert.deepEqual(audit.items.filter((e) => e.action === 'package.deprecate').map((e) => e.subject), ['pkg:npm/%40acme/lib', 'pkg:npm/%40acme/lib'], 'deprecated, then undone');

  // A restart keeps every published package: a fresh project installs them from the stores.
  await airlock.app.close();
  airlock = await startAirlock({ config, dataDir });
  const hostedAgain = `${airlock.url}/internal/`;
  const fresh = await project(`${airlock.url}/npm/`, tmp);
  await writeFile(join(fresh.dir, '.npmrc'), `@acme:registry=${hostedAgain}\n`);
  const reinstalled = await fresh.npm(['install', '@acme/lib@1.0.0', '@acme/tool@2.0.0']);
  assert.equal(reinstalled.code, 0, reinstalled.output);
  assert.equal((await fresh.readJson('node_modules/@acme/lib/package.json'))['description'], 'internal library');
});
