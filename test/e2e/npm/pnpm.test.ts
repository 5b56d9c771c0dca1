import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURE_PACKAGES, HIDDEN_COMMAND_PACKAGE } from '../../npm/fixtures.ts';
import { clients, SKIP_CLIENTS } from './other-clients.ts';
import { cleanEnv, e2e, run } from './support.ts';

test('pnpm installs through Airlock (upper-case %2F scoped names); hidden versions are skipped', { skip: SKIP_CLIENTS }, async (t) => {
  const { pnpm } = await clients();
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const r = await run(process.execPath, [pnpm, 'add', '@acme/widget', 'hide-me', '--registry', s.registry, '--store-dir', join(p.dir, '.pnpm-store'), '--config.confirmModulesPurge=false'], {
    cwd: p.dir,
    env: cleanEnv({ HOME: p.dir }),
  });
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/@acme/widget/package.json'))['version'], '2.0.0');
  assert.equal((await p.readJson('node_modules/hide-me/package.json'))['version'], '1.0.0');
  assert.ok(s.env.registry.hits('/@acme%2fwidget') === 1, 'fetched upstream once');
  const blocked = await run(process.execPath, [pnpm, 'add', 'evil-pkg', '--registry', s.registry, '--store-dir', join(p.dir, '.pnpm-store')], { cwd: p.dir, env: cleanEnv({ HOME: p.dir }) });
  assert.notEqual(blocked.code, 0);
});

test('pnpm: a package.json at the archive root, outside the package folder, which pnpm would install and run, is refused', { skip: SKIP_CLIENTS }, async (t) => {
  // npm and yarn drop an entry with nothing left once the first path component is stripped;
  // pnpm keeps a path without a folder whole, so this one replaced the package's package.json.
  const { pnpm } = await clients();
  const hidden = { name: 'root-manifest', version: '1.0.0', main: 'index.js', scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(\'POSTINSTALL_RAN\', \'\')"' } };
  const files = [{ path: 'package.json', content: JSON.stringify(hidden), raw: {} }];
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, { name: 'root-manifest', versions: [{ version: '1.0.0', files }] }] });
  t.after(() => s.close());
  const p = await s.project();
  // The project trusts the package's build scripts, so pnpm would run the hidden one.
  await writeFile(join(p.dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', pnpm: { onlyBuiltDependencies: ['root-manifest'] } }));
  const r = await run(process.execPath, [pnpm, 'add', 'root-manifest', '--registry', s.registry, '--store-dir', join(p.dir, '.pnpm-store')], { cwd: p.dir, env: cleanEnv({ HOME: p.dir }) });
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /403/);
  assert.equal(existsSync(join(p.dir, 'node_modules', 'root-manifest', 'POSTINSTALL_RAN')), false);
});

test('pnpm links a command only the package.json declares on a first install; through Airlock that version is held for review', { skip: SKIP_CLIENTS }, async (t) => {
  const { pnpm } = await clients();
  // The built-in policy (the tests' default is a policy of their own).
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, HIDDEN_COMMAND_PACKAGE], config: { policy: { paths: [] } } });
  t.after(() => s.close());
  const add = (dir: string, registry: string) =>
    run(process.execPath, [pnpm, 'add', 'quiet-tool', '--registry', registry, '--store-dir', join(dir, '.pnpm-store')], { cwd: dir, env: cleanEnv({ HOME: dir }) });

  const direct = await s.project();
  const linked = await add(direct.dir, s.env.registry.url);
  assert.equal(linked.code, 0, linked.output);
  assert.ok(existsSync(join(direct.dir, 'node_modules', '.bin', 'hidden-cmd')), 'pnpm linked the command the manifest does not list');

  const p = await s.project();
  const held = await add(p.dir, s.registry);
  assert.notEqual(held.code, 0, held.output);
  assert.match(held.output, /403/);
  assert.ok(!existsSync(join(p.dir, 'node_modules', '.bin', 'hidden-cmd')));
});
