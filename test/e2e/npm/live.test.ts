/**
 * Opt-in (AIRLOCK_LIVE=1): a real dependency tree from the configured npm registry
 * (`npm config get registry`) through Airlock with the built-in default policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock } from '../../support/start-airlock.ts';
import { project } from './support.ts';

test('live: a real dependency tree installs through Airlock from the configured registry', { skip: process.env['AIRLOCK_LIVE'] !== '1' && 'set AIRLOCK_LIVE=1 to run' }, async (t) => {
  const airlock = await startAirlock({ config: { repositories: [{ name: 'npm', format: 'npm' }] } });
  t.after(() => airlock.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-live-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const repo = airlock.config.repositories[0];
  assert.equal(repo?.kind === 'proxy' ? repo.upstreamSource : repo?.kind, 'npm-config');
  const p = await project(`${airlock.url}/npm/`, tmp);
  const r = await p.npm(['install', 'express@4.21.2', 'chalk@4']);
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson('node_modules/express/package.json'))['version'], '4.21.2');
  const lock = await p.readJson('package-lock.json');
  const entries = Object.entries(lock['packages'] as Record<string, { resolved?: string }>).filter(([k]) => k !== '');
  assert.ok(entries.length > 50, `a real tree (${entries.length} packages)`);
  for (const [k, v] of entries) assert.ok(v.resolved?.startsWith(`${airlock.url}/npm/`), `${k} resolved through Airlock`);
  const decisions = await airlock.app.airlock.storage.metadata.listDecisions({ limit: 500 });
  assert.equal(decisions.items.filter((d) => d.phase === 'artifact').length, entries.length, 'one artifact decision per package');
});
