/** The access log: one JSON line per request, with the request id the client was given. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.ts';
import { authHeader } from '../support/gate-helpers.ts';
import { buildTestApp, type TestAirlock } from '../support/start-airlock.ts';

type Line = Readonly<Record<string, unknown>>;

/** An app logging at info through the real logger into memory; `lines()` parses what it wrote. */
async function withApp(accessLog: boolean, fn: (a: TestAirlock, lines: () => Line[]) => Promise<void>): Promise<void> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const a = await buildTestApp({ config: { repositories: [], server: { accessLog } }, logger: createLogger('info', sink) });
  try {
    await fn(a, () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line));
  } finally {
    await a.close();
  }
  assert.doesNotMatch(chunks.join(''), new RegExp(a.adminToken), 'no line carries the token');
}

test('each request writes one access line with its request id, method, url, status and duration', async () => {
  await withApp(true, async ({ app, adminToken }, lines) => {
    const given = await app.inject({ method: 'GET', url: '/-/health', headers: { 'x-request-id': 'ci-build-42.step_7' } });
    assert.equal(given.headers['x-request-id'], 'ci-build-42.step_7');
    const minted = await app.inject({ method: 'GET', url: '/-/api/whoami', headers: authHeader(adminToken) });
    assert.equal(minted.statusCode, 200);
    const refused = await app.inject({ method: 'GET', url: '/-/api/quarantine?state=quarantined' });
    assert.equal(refused.statusCode, 401);

    const access = lines().filter((l) => l['msg'] === 'request');
    assert.equal(access.length, 3, JSON.stringify(access));
    const [health, whoami, quarantine] = access as [Line, Line, Line];
    assert.deepEqual(
      { reqId: health['reqId'], method: health['method'], url: health['url'], status: health['status'], level: health['level'], service: health['service'] },
      { reqId: 'ci-build-42.step_7', method: 'GET', url: '/-/health', status: 200, level: 30, service: 'airlock' },
    );
    assert.equal(typeof health['ms'], 'number');
    assert.equal(whoami['reqId'], minted.headers['x-request-id'], 'a minted id is the one the client saw');
    assert.match(String(whoami['reqId']), /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.notEqual(whoami['reqId'], quarantine['reqId']);
    assert.deepEqual([quarantine['url'], quarantine['status']], ['/-/api/quarantine?state=quarantined', 401]);
  });
});

test('with accessLog off no access lines are written', async () => {
  await withApp(false, async ({ app }, lines) => {
    assert.equal((await app.inject({ method: 'GET', url: '/-/health' })).statusCode, 200);
    assert.deepEqual(
      lines().filter((l) => l['msg'] === 'request'),
      [],
    );
  });
});
