/**
 * Through an upstream's outage, the failures that open its circuit are logged at error level, one
 * line each; the requests then refused at once while the circuit is open are logged as refusals
 * (info), not as failures: a busy gateway would otherwise write an error line, with a stack, for
 * every request of the outage. The same for metadata served stale through it: a warn line for
 * each failure until the circuit opens, then none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/app/logger.ts';
import { memoryLog } from '../support/captured-output.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { FixtureRegistry } from '../support/npm-registry/index.ts';
import { freePort } from '../support/free-port.ts';

test('an upstream outage: the failures that open the circuit are errors, the refusals while it is open are not', async (t) => {
  const log = memoryLog();
  // A port nothing listens on: every connection is refused at once.
  const a = await startAirlock({ logger: createLogger('info', log.stream), config: { repositories: [{ name: 'npm', format: 'npm', upstream: `http://127.0.0.1:${await freePort()}/` }] } });
  t.after(() => a.close());
  let failures = 0;
  let refusals = 0;
  for (let i = 0; i < 20 && refusals < 3; i++) {
    const res = await fetch(`${a.url}/npm/outage-${i}`);
    assert.equal(res.status, 502);
    const { error } = (await res.json()) as { error: string };
    if (/circuit open/.test(error)) refusals++;
    else failures++;
  }
  assert.equal(refusals, 3, 'the circuit opened');
  assert.ok(failures >= 1);
  const lines = log.lines();
  const errors = lines.filter((l) => Number(l['level']) >= 50);
  assert.equal(errors.length, failures, JSON.stringify(errors.map((l) => l['msg'])));
  assert.ok(errors.every((l) => l['msg'] === 'npm request failed'));
  const refused = lines.filter((l) => l['level'] === 30 && l['msg'] === 'npm request refused' && l['status'] === 502);
  assert.equal(refused.length, 3);
});

test('metadata served stale through an outage: a warn line for each failure until the circuit opens, then none', async (t) => {
  const upstream = await FixtureRegistry.start([{ name: 'steady', versions: [{ version: '1.0.0' }] }]);
  t.after(() => upstream.close());
  const log = memoryLog();
  const a = await startAirlock({ logger: createLogger('debug', log.stream), config: { repositories: [{ name: 'npm', format: 'npm', upstream: upstream.url, metadataMaxAge: '0s' }] } });
  t.after(() => a.close());
  assert.equal((await fetch(`${a.url}/npm/steady`)).status, 200);
  upstream.setDown('refuse');
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${a.url}/npm/steady`);
    assert.equal(res.status, 200, 'served stale');
    await res.arrayBuffer();
  }
  const lines = log.lines();
  const stale = lines.filter((l) => l['msg'] === 'upstream failed; serving cached metadata (stale-if-error)');
  assert.equal(stale.length, 12, 'each request served stale says so, at some level');
  // The circuit opens after 5 failed attempts in a row (the default; a refused connection is
  // tried again within a request): warn lines for the requests that failed, then debug ones.
  const warned = stale.filter((l) => l['level'] === 40).length;
  assert.ok(warned >= 1 && warned <= 5, `${warned} of 12 at warn`);
  assert.deepEqual(stale.slice(warned).map((l) => l['level']), Array.from({ length: 12 - warned }, () => 20));
  assert.deepEqual(lines.filter((l) => Number(l['level']) >= 50), []);
});
