/**
 * `GET <package>?write=true` (what npm deprecate, npm unpublish and npm dist-tag read before they
 * write) answers a writer with the stored packument, `_rev` and all, once. It used to answer and
 * then render the judged packument too, after the answer had gone (the helper returned the sent
 * reply, a thenable an async function's promise resolves through to undefined), which logged
 * "Reply was already sent" at warn for every such read and did the work of a second answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/app/logger.ts';
import { memoryLog } from '../support/captured-output.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { publishDoc } from '../support/npm-registry/publish-body.ts';
import { packageTarball } from '../support/npm-registry/tarball.ts';

test('a writable read answers once: the writer gets the stored packument, anyone else the judged one, and nothing is logged at warn', async (t) => {
  const log = memoryLog();
  const a = await startAirlock({ logger: createLogger('warn', log.stream), config: { repositories: [{ name: 'internal', format: 'npm', kind: 'hosted' }] } });
  t.after(() => a.close());
  const admin = { authorization: `Bearer ${a.adminToken}` };
  const published = await fetch(`${a.url}/internal/@acme%2flib`, {
    method: 'PUT',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify(publishDoc(packageTarball({ name: '@acme/lib', version: '1.2.3' }).bytes)),
  });
  assert.equal(published.status, 201);
  const writable = await fetch(`${a.url}/internal/@acme%2flib?write=true`, { headers: admin });
  assert.equal(writable.status, 200);
  assert.equal(writable.headers.get('cache-control'), 'no-store');
  assert.match(String(((await writable.json()) as { _rev?: unknown })._rev), /^1-/);
  const anonymous = await fetch(`${a.url}/internal/@acme%2flib?write=true`);
  assert.equal(anonymous.status, 200);
  assert.equal(((await anonymous.json()) as { _rev?: unknown })._rev, undefined);
  // A second answer would be attempted after the first, in the same turn of work: give it time to show.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(log.lines(), []);
});
