/**
 * The served certificate's expiry, visible before it bites: the gauge
 * airlock_tls_certificate_expiry_timestamp_seconds at /-/metrics (its notAfter, following
 * rotation), a warning logged when it expires within 14 days and an error within a day — at
 * start, at each swap, and when a threshold is crossed while it is served. Short-lived
 * certificates from a private authority made with openssl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryLog, type LogLine } from '../support/captured-output.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server as TlsServer } from 'node:tls';
import { createLogger } from '../../src/app/logger.ts';
import { readTlsMaterial } from '../../src/app/tls-material.ts';
import { startTlsRotation } from '../../src/app/tls-rotation.ts';
import type { TlsConfig } from '../../src/app/config/types.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { hasOpenssl, httpsGet, servingTlsFor } from '../support/tls-cert.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' };

function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.new`);
  renameSync(`${to}.new`, to);
}

async function until(f: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await f()) return;
  assert.fail(`${what} did not happen within ${ms} ms`);
}

const notAfter = (certFile: string): number => Math.floor(new Date(new X509Certificate(readFileSync(certFile)).validTo).getTime() / 1000);
const serialOf = (certFile: string): string => new X509Certificate(readFileSync(certFile)).serialNumber;

const WARN = 'tls certificate expires within 14 days; renew it';
const ERROR = 'tls certificate expires within a day; renew it now';

test('the expiry gauge at /-/metrics follows the served certificate through rotations; expiring within 14 days logs a warning, within a day an error, at start and at each swap', needsOpenssl, async (t) => {
  const { dir, ca } = await servingTlsFor(t);
  const soon = ca.issue('soon', { days: 5 });
  const live = { cert: join(dir, 'live', 'tls.crt'), key: join(dir, 'live', 'tls.key') };
  await mkdir(join(dir, 'live'));
  replace(soon.cert, live.cert);
  replace(soon.key, live.key);
  const log = memoryLog();
  const a = await startAirlock({ config: { server: { tls: live }, repositories: [] }, logger: createLogger('info', log.stream) });
  t.after(() => a.close());
  const gauge = async (): Promise<number> => {
    const body = (await httpsGet(`${a.url}/-/metrics`, { ca: ca.cert })).body;
    assert.match(body, /# TYPE airlock_tls_certificate_expiry_timestamp_seconds gauge\n/);
    const m = /^airlock_tls_certificate_expiry_timestamp_seconds (\d+)$/m.exec(body);
    assert.ok(m !== null, body);
    return Number(m[1]);
  };
  assert.equal(await gauge(), notAfter(soon.cert));
  const atStart = log.lines().filter((l) => l['msg'] === WARN);
  assert.equal(atStart.length, 1);
  assert.equal(atStart[0]?.['level'], 40);
  assert.equal(atStart[0]?.['trigger'], 'start');
  assert.equal(atStart[0]?.['serial'], serialOf(soon.cert));
  assert.equal(atStart[0]?.['notAfter'], new Date(notAfter(soon.cert) * 1000).toISOString());
  assert.equal(atStart[0]?.['expiresIn'], '5 days');

  // A one-day certificate rotated in: the gauge follows, and the log says so at error level (once, not also as a plain warning).
  const tomorrow = ca.issue('tomorrow', { days: 1 });
  replace(tomorrow.key, live.key);
  replace(tomorrow.cert, live.cert);
  await until(async () => (await gauge()) === notAfter(tomorrow.cert), 'the gauge following the rotation');
  await until(() => log.lines().some((l) => l['msg'] === ERROR), 'the error being logged');
  const urgent = log.lines().filter((l) => l['msg'] === ERROR);
  assert.equal(urgent.length, 1);
  assert.equal(urgent[0]?.['level'], 50);
  assert.equal(urgent[0]?.['trigger'], 'the files changed');
  assert.equal(urgent[0]?.['serial'], serialOf(tomorrow.cert));
  assert.equal(log.lines().filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).includes('expires on')).length, 0, 'the expiry is logged once, structured');

  // A certificate good for a month: the gauge follows, nothing more is logged about expiry.
  const month = ca.issue('month', { days: 30 });
  replace(month.key, live.key);
  replace(month.cert, live.cert);
  await until(async () => (await gauge()) === notAfter(month.cert), 'the gauge following the second rotation');
  await sleep(200);
  assert.equal(log.lines().filter((l) => l['msg'] === WARN || l['msg'] === ERROR).length, 2);
});

test('a certificate served for a while is logged when it crosses 14 days, then a day, to its expiry (once each)', needsOpenssl, async (t) => {
  const { tls } = await servingTlsFor(t);
  const config: TlsConfig = { cert: tls.cert, key: { kind: 'file', path: tls.key }, ca: null, clientCa: null, requireClientCert: false, minVersion: 'TLSv1.2', watch: false };
  const now = new Date();
  const material = readTlsMaterial(config, now);
  const validTo = material.certificate.validTo.getTime();
  // The clock as if the one-day certificate had been issued for longer: 20 days left, then 10, then 12 hours.
  let clock = new Date(validTo - 20 * 86_400_000);
  const log = memoryLog();
  const logger = createLogger('info', log.stream);
  const server = { setSecureContext: () => {} } as unknown as TlsServer;
  const rotation = startTlsRotation(server, config, material, { log: logger, clock: () => clock, expiryCheckMs: 20 });
  t.after(() => rotation.close());
  const expiryLines = (): LogLine[] => log.lines().filter((l) => l['msg'] === WARN || l['msg'] === ERROR);
  await sleep(80);
  assert.deepEqual(expiryLines(), [], 'twenty days left: nothing');
  clock = new Date(validTo - 10 * 86_400_000);
  await until(() => expiryLines().length === 1, 'the warning');
  await sleep(80);
  assert.equal(expiryLines().length, 1, 'logged once, not at every check');
  assert.deepEqual([expiryLines()[0]?.['level'], expiryLines()[0]?.['trigger'], expiryLines()[0]?.['expiresIn']], [40, 'expiry check', '10 days']);
  clock = new Date(validTo - 12 * 3_600_000);
  await until(() => expiryLines().length === 2, 'the error');
  await sleep(80);
  assert.equal(expiryLines().length, 2);
  assert.deepEqual([expiryLines()[1]?.['level'], expiryLines()[1]?.['msg'], expiryLines()[1]?.['expiresIn']], [50, ERROR, '12 hours']);
});
