import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
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
