import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURE_PACKAGES } from '../../npm/fixtures.ts';
import type { FixtureVersion, TarFile } from '../../support/npm-registry/index.ts';
import { clients, SKIP_CLIENTS } from './other-clients.ts';
import { cleanEnv, e2e, run } from './support.ts';

test('yarn classic installs through Airlock', { skip: SKIP_CLIENTS }, async (t) => {
  const { yarnClassic } = await clients();
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const r = await run(process.execPath, [yarnClassic, 'add', '@acme/widget', 'hide-me', '--registry', s.registry, '--cache-folder', join(p.dir, '.yarn-cache'), '--no-lockfile', '--non-interactive'], {
    cwd: p.dir,
    env: cleanEnv({ HOME: p.dir }),
  });
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/@acme/widget/package.json'))['version'], '2.0.0');
  assert.equal((await p.readJson('node_modules/hide-me/package.json'))['version'], '1.0.0');
});

test('yarn berry (4) installs through Airlock: it builds %2f tarball URLs itself', { skip: SKIP_CLIENTS }, async (t) => {
  const { yarnBerry } = await clients();
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  await writeFile(
    join(p.dir, '.yarnrc.yml'),
    [`npmRegistryServer: "${s.registry.replace(/\/$/, '')}"`, 'unsafeHttpWhitelist: ["127.0.0.1"]', 'enableGlobalCache: false', 'nodeLinker: node-modules', 'enableTelemetry: false', ''].join('\n'),
  );
  await writeFile(join(p.dir, 'yarn.lock'), '');
  const r = await run(process.execPath, [yarnBerry, 'add', '@acme/widget', 'hide-me'], { cwd: p.dir, env: cleanEnv({ HOME: p.dir, YARN_IGNORE_PATH: '1', YARN_ENABLE_IMMUTABLE_INSTALLS: '0' }) });
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/@acme/widget/package.json'))['version'], '2.0.0');
  assert.equal((await p.readJson('node_modules/hide-me/package.json'))['version'], '1.0.0');
  assert.ok(s.env.registry.requests.some((q) => q.path === '/@acme/widget/-/widget-2.0.0.tgz'), 'Airlock fetched the tarball upstream');
});

/** A manifest whose postinstall leaves POSTINSTALL_RAN in the package folder. */
const markingManifest = (name: string) => ({ name, version: '1.0.0', main: 'index.js', scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(\'POSTINSTALL_RAN\', \'\')"' } });

/** yarn 1 adds `name@1.0.0`, whose tarball hides a package.json with a postinstall: refused (403), never run. */
async function refusedUnrun(t: TestContext, name: string, hidden: Pick<FixtureVersion, 'files' | 'layout'>): Promise<void> {
  const { yarnClassic } = await clients();
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, { name, versions: [{ version: '1.0.0', ...hidden }] }] });
  t.after(() => s.close());
  const p = await s.project();
  const r = await run(process.execPath, [yarnClassic, 'add', name, '--registry', s.registry, '--cache-folder', join(p.dir, '.yarn-cache'), '--no-lockfile', '--non-interactive'], {
    cwd: p.dir,
    env: cleanEnv({ HOME: p.dir }),
  });
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /403/);
  assert.equal(existsSync(join(p.dir, 'node_modules', name, 'POSTINSTALL_RAN')), false);
}

test('yarn classic: a package.json hidden after the tarball\'s end-of-archive marker, which yarn would extract and run, is refused', { skip: SKIP_CLIENTS }, async (t) => {
  await refusedUnrun(t, 'after-end', { layout: { afterEnd: [{ path: 'package.json', content: JSON.stringify(markingManifest('after-end')) }] } });
});

test('yarn classic: a package.json under package/a/../, which npm skips and yarn would extract and run, is refused', { skip: SKIP_CLIENTS }, async (t) => {
  await refusedUnrun(t, 'dotdot', { files: [{ path: 'package/a/../package.json', content: JSON.stringify(markingManifest('dotdot')) }] });
});

/**
 * yarn 4 (berry) adds `name@1.0.0`, whose tarball also holds `extra`: refused (403), its
 * postinstall never run. The project allows install scripts (`enableScripts`), as a user who
 * trusted the package's first version would.
 */
async function berryRefusedUnrun(t: TestContext, name: string, extra: readonly TarFile[]): Promise<void> {
  const { yarnBerry } = await clients();
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, { name, versions: [{ version: '1.0.0', files: extra }] }] });
  t.after(() => s.close());
  const p = await s.project();
  await writeFile(
    join(p.dir, '.yarnrc.yml'),
    [`npmRegistryServer: "${s.registry.replace(/\/$/, '')}"`, 'unsafeHttpWhitelist: ["127.0.0.1"]', 'enableGlobalCache: false', 'nodeLinker: node-modules', 'enableTelemetry: false', 'enableScripts: true', ''].join('\n'),
  );
  await writeFile(join(p.dir, 'yarn.lock'), '');
  const r = await run(process.execPath, [yarnBerry, 'add', name], { cwd: p.dir, env: cleanEnv({ HOME: p.dir, YARN_IGNORE_PATH: '1', YARN_ENABLE_IMMUTABLE_INSTALLS: '0' }) });
  assert.equal(existsSync(join(p.dir, 'node_modules', name, 'POSTINSTALL_RAN')), false, r.output);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /403/);
}

test('yarn berry: a package.json under ./package/, which berry extracts as the package.json and npm one folder down, is refused', { skip: SKIP_CLIENTS }, async (t) => {
  await berryRefusedUnrun(t, 'dot-first', [{ path: './package/package.json', content: JSON.stringify(markingManifest('dot-first')), raw: {} }]);
});
