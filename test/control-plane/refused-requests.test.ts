/**
 * A request the hooks before a route refuse (a credential that names no token, a token scoped to
 * other repositories, a request that came back from this Airlock) gets that refusal and nothing
 * else: the route never runs, so nothing is fetched from the upstream, and no second answer is
 * attempted after the first (which Fastify would log at warn as "Reply was already sent").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/app/logger.ts';
import { LOOP_HEADER } from '../../src/app/repositories.ts';
import { FIXTURE_PACKAGES } from '../npm/helpers.ts';
import { memoryLog } from '../support/captured-output.ts';
import { FixtureRegistry } from '../support/npm-registry/index.ts';
import { startAirlock } from '../support/start-airlock.ts';

test('refused before the route: a bad credential, a token of another repository and a looped request reach neither the route nor the upstream', async (t) => {
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES);
  t.after(() => registry.close());
  const log = memoryLog();
  const a = await startAirlock({
    logger: createLogger('warn', log.stream),
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: registry.url },
        { name: 'internal', format: 'npm', kind: 'hosted' },
      ],
    },
  });
  t.after(() => a.close());
  const name = FIXTURE_PACKAGES[0]?.name ?? '';
  const packument = `${a.url}/npm/${encodeURIComponent(name)}`;

  const created = await fetch(`${a.url}/-/api/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'reader', scope: { repos: ['internal'] } }),
  });
  assert.equal(created.status, 201);
  const elsewhere = ((await created.json()) as { token: string }).token;

  const bad = await fetch(packument, { headers: { authorization: 'Bearer airlock_not-a-real-token-at-all' } });
  assert.equal(bad.status, 401);
  assert.equal(((await bad.json()) as { code: string }).code, 'UNAUTHORIZED');
  // Every answer carries the request's id, a refusal of its credential too (the id is set first).
  assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9A-Z]{26}$/);
  const scoped = await fetch(packument, { headers: { authorization: `Bearer ${elsewhere}` } });
  assert.equal(scoped.status, 403);
  assert.match(scoped.headers.get('x-request-id') ?? '', /^[0-9A-Z]{26}$/);
  assert.match(((await scoped.json()) as { error: string }).error, /internal/);
  assert.equal(registry.requests.length, 0, 'a refused request reached the upstream');

  // The instance id Airlock sends upstream, as a request that went round a loop carries it back.
  const allowed = await fetch(packument);
  assert.equal(allowed.status, 200);
  await allowed.arrayBuffer();
  const instance = registry.requests[0]?.headers[LOOP_HEADER];
  assert.equal(typeof instance, 'string');
  const seen = registry.requests.length;
  const looped = await fetch(`${a.url}/npm/${encodeURIComponent('left-pad-not-fetched')}`, { headers: { [LOOP_HEADER]: String(instance) } });
  assert.equal(looped.status, 508);
  assert.equal(((await looped.json()) as { code: string }).code, 'LOOP_DETECTED');
  assert.equal(registry.requests.length, seen, 'a looped request reached the upstream');

  // A second answer would be attempted in the same turn of work as the first: give it time to show.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(log.lines(), []);
});

test('where anonymous reads are off, an anonymous read is refused before the route, and a reader token scoped elsewhere too', async (t) => {
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES);
  t.after(() => registry.close());
  const a = await startAirlock({
    config: {
      access: { anonymousRead: false },
      repositories: [
        { name: 'npm', format: 'npm', upstream: registry.url },
        { name: 'internal', format: 'npm', kind: 'hosted' },
      ],
    },
  });
  t.after(() => a.close());
  const packument = `${a.url}/npm/${encodeURIComponent(FIXTURE_PACKAGES[0]?.name ?? '')}`;
  const reader = async (repos: readonly string[]): Promise<string> => {
    const created = await fetch(`${a.url}/-/api/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'reader', scope: { repos } }),
    });
    assert.equal(created.status, 201);
    return ((await created.json()) as { token: string }).token;
  };

  const anonymous = await fetch(packument);
  assert.equal(anonymous.status, 401);
  assert.match(((await anonymous.json()) as { error: string }).error, /requires a token to read packages/);
  const scoped = await fetch(packument, { headers: { authorization: `Bearer ${await reader(['internal'])}` } });
  assert.equal(scoped.status, 403);
  await scoped.arrayBuffer();
  assert.equal(registry.requests.length, 0, 'a refused request reached the upstream');
  const allowed = await fetch(packument, { headers: { authorization: `Bearer ${await reader(['npm'])}` } });
  assert.equal(allowed.status, 200);
  await allowed.arrayBuffer();
});
