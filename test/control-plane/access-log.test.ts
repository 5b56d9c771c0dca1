/** The access log: one JSON line per request, with the request id the client was given. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/app/build-app.ts';
import { loadConfig } from '../../src/app/config/load.ts';
import { createLogger } from '../../src/app/logger.ts';

interface Line {
  readonly [key: string]: unknown;
}

async function withApp(accessLog: boolean, fn: (app: Awaited<ReturnType<typeof buildApp>>, lines: () => Line[]) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-access-log-'));
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const token = 'airlock_access_log_admin_token_0123456789';
  try {
    const config = await loadConfig({ env: { AIRLOCK_ADMIN_TOKEN: token }, cwd: dataDir, flags: { dataDir }, discoverNpmRegistry: async () => 'http://127.0.0.1:9/' });
    const app = await buildApp(
      { ...config, server: { ...config.server, accessLog }, repositories: [], policy: { ...config.policy, watch: false } },
      { logger: createLogger('info', sink), announce: () => {} },
    );
    try {
      await fn(app, () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line));
    } finally {
      await app.close();
    }
    assert.doesNotMatch(chunks.join(''), new RegExp(token), 'no line carries the token');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

test('each request writes one access line with its request id, method, url, status and duration', async () => {
  await withApp(true, async (app, lines) => {
    const given = await app.inject({ method: 'GET', url: '/-/health', headers: { 'x-request-id': 'ci-build-42.step_7' } });
    assert.equal(given.headers['x-request-id'], 'ci-build-42.step_7');
    const minted = await app.inject({ method: 'GET', url: '/-/api/whoami', headers: { authorization: 'Bearer airlock_access_log_admin_token_0123456789' } });
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
    assert.equal(whoami['authorization'], undefined);
  });
});

test('with accessLog off no access lines are written', async () => {
  await withApp(false, async (app, lines) => {
    assert.equal((await app.inject({ method: 'GET', url: '/-/health' })).statusCode, 200);
    assert.deepEqual(
      lines().filter((l) => l['msg'] === 'request'),
      [],
    );
  });
});
