import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FixturePackage } from '../support/npm-registry/index.ts';
import { appFor, npmTestEnv } from './helpers.ts';

test('searches in parallel load at most four of their results at a time between them', async (t) => {
  const packages: FixturePackage[] = Array.from({ length: 16 }, (_, i) => ({ name: `${i % 2 === 0 ? 'even' : 'odd'}-thing-${i}`, versions: [{ version: '1.0.0' }] }));
  const env = await npmTestEnv(packages);
  t.after(() => env.close());
  const a = await appFor(env);
  t.after(() => a.close());
  env.registry.setDelay(40);
  env.registry.peakPackumentsInFlight(true);
  const [even, odd] = await Promise.all(['even', 'odd'].map((text) => a.app.inject({ url: `/npm/-/v1/search?text=${text}&size=20` })));
  for (const r of [even, odd]) assert.equal(r?.statusCode, 200, r?.body);
  const names = (r: typeof even): string[] => (JSON.parse(r?.body ?? '{}') as { objects: { package: { name: string } }[] }).objects.map((o) => o.package.name);
  assert.deepEqual(names(even), packages.filter((_, i) => i % 2 === 0).map((p) => p.name), 'every result shown, in the upstream order');
  assert.deepEqual(names(odd), packages.filter((_, i) => i % 2 === 1).map((p) => p.name));
  const peak = env.registry.peakPackumentsInFlight();
  assert.ok(peak <= 4 && peak >= 2, `packuments fetched at once for the two searches: ${peak}`);
});
