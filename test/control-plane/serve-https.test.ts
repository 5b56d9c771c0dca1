/**
 * Airlock serving HTTPS itself (`server.tls`): health, metrics and the absolute URLs it builds
 * over TLS; the certificate rotated without a restart (its files watched, or SIGHUP), a broken
 * new pair logged and the old one kept; client certificates required at the handshake; a
 * certificate that will not do stopping `airlock serve` with why. Certificates come from a
 * private authority made with openssl; connections are Node's own TLS clients trusting it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog, type LogLine } from '../support/captured-output.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/app/logger.ts';
import { serve } from '../support/serve-process.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { hasOpenssl, httpsGet, peerCertificate, privateCa, servingTlsFor } from '../support/tls-cert.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' };

async function tempDir(t: { after(f: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-https-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Put `from` in place of `to` as a certificate tool would: a copy renamed over it. */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.new`);
  renameSync(`${to}.new`, to);
}

/** Wait until `f` holds (checked every 100 ms), or fail after `ms` saying what did not happen. */
async function until(f: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await f()) return;
  assert.fail(`${what} did not happen within ${ms} ms`);
}

test('over HTTPS without publicUrl: health and metrics answer, and the URLs Airlock builds (the registry token realm) are https://', needsOpenssl, async (t) => {
  const { ca, tls } = await servingTlsFor(t);
  const a = await startAirlock({ config: { server: { tls }, access: { anonymousRead: false }, repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }] } });
  t.after(() => a.close());
  assert.match(a.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const health = await httpsGet(`${a.url}/-/health`, { ca: ca.cert });
  assert.equal(health.status, 200);
  assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
  const metrics = await httpsGet(`${a.url}/-/metrics`, { ca: ca.cert });
  assert.match(metrics.body, /airlock_http_requests_total\{route="\/-\/health",method="GET",status="200"\} 1/);
  const v2 = await httpsGet(`${a.url.replace('127.0.0.1', 'localhost')}/v2/`, { ca: ca.cert });
  assert.equal(v2.status, 401);
  assert.match(String(v2.headers['www-authenticate']), new RegExp(`^Bearer realm="https://localhost:${new URL(a.url).port}/-/oci/token"`));
  // Plain HTTP on the same port is not served.
  await assert.rejects(fetch(`${a.url.replace('https:', 'http:')}/-/health`));
  // Nor is a client that does not trust the authority.
  await assert.rejects(httpsGet(`${a.url}/-/health`), /self-signed certificate in certificate chain|unable to verify/);
});

test('rotation: a new pair written over the files is served to new connections without a restart; a pair that does not match is logged and the old one kept', needsOpenssl, async (t) => {
  const dir = await tempDir(t);
  const ca = privateCa(dir);
  const first = ca.issue('first');
  const live = { cert: join(dir, 'live', 'tls.crt'), key: join(dir, 'live', 'tls.key') };
  await mkdir(join(dir, 'live'));
  replace(first.cert, live.cert);
  replace(first.key, live.key);
  const log = memoryLog();
  const a = await startAirlock({ config: { server: { tls: live }, repositories: [] }, logger: createLogger('info', log.stream) });
  t.after(() => a.close());
  const serial = async (): Promise<string> => (await peerCertificate(a.url, { ca: ca.cert })).serialNumber;
  const firstSerial = await serial();
  assert.equal((await peerCertificate(a.url, { ca: ca.cert })).subject.CN, 'airlock-test-first');

  const second = ca.issue('second');
  replace(second.key, live.key);
  replace(second.cert, live.cert);
  await until(async () => (await serial()) !== firstSerial, 'the new certificate being served');
  const swapped = await peerCertificate(a.url, { ca: ca.cert });
  assert.equal(swapped.subject.CN, 'airlock-test-second');
  assert.equal((await httpsGet(`${a.url}/-/health`, { ca: ca.cert })).status, 200);
  assert.ok(log.lines().some((l) => l['msg'] === 'tls certificate swapped in for new connections' && l['serial'] === swapped.serialNumber && l['trigger'] === 'the files changed'));

  // Only the certificate of a third pair arrives: it does not match the key, and the second pair stays.
  const third = ca.issue('third');
  replace(third.cert, live.cert);
  await until(async () => log.lines().some((l) => l['msg'] === 'tls certificate not reloaded; new connections still get the one served before'), 'the refusal being logged');
  const refusal = log.lines().find((l) => l['msg'] === 'tls certificate not reloaded; new connections still get the one served before') as LogLine;
  assert.match(String(refusal['reason']), /^server\.tls\.key: the key in .*tls\.key is not the key of the certificate in .*tls\.crt \(CN=airlock-test-third, serial [0-9A-F]+\); give the pair that belongs together$/);
  assert.equal(refusal['serving'], swapped.serialNumber);
  assert.equal(refusal['level'], 50);
  assert.equal(await serial(), swapped.serialNumber);
  assert.equal((await httpsGet(`${a.url}/-/health`, { ca: ca.cert })).status, 200);
  // Its key follows: the third pair is whole, and served.
  replace(third.key, live.key);
  await until(async () => (await peerCertificate(a.url, { ca: ca.cert })).subject.CN === 'airlock-test-third', 'the third certificate being served');
});

test('airlock serve --tls-cert/--tls-key: says what it serves; with watch off, SIGHUP swaps the pair; an expired certificate stops the start', needsOpenssl, async (t) => {
  const dir = await tempDir(t);
  const ca = privateCa(dir);
  const first = ca.issue('first');
  const live = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  replace(first.cert, live.cert);
  replace(first.key, live.key);
  // The configuration turns watching off; the flags name the files.
  await writeFile(join(dir, 'airlock.yaml'), `server:\n  tls:\n    cert: /nowhere/cert.pem\n    key: /nowhere/key.pem\n    watch: false\nrepositories: []\nstorage:\n  dataDir: ${join(dir, 'data')}\n`);
  const s = serve(dir, ['--config', 'airlock.yaml', '--port', '0', '--tls-cert', 'tls.crt', '--tls-key', 'tls.key']);
  t.after(async () => {
    s.child.kill('SIGTERM');
    await s.exited;
  });
  const url = await s.listening;
  assert.match(url, /^https:\/\//);
  assert.match(s.stderr(), /airlock: serving HTTPS \(TLSv1\.2 or later\) with the certificate CN=airlock-test-first \(IP Address:127\.0\.0\.1, DNS:localhost; issued by CN=Airlock test ca; serial [0-9A-F]+; valid until \S+Z\); swapped for a new pair on SIGHUP\n/);
  assert.match(s.stderr(), /airlock: warning: server\.tls\.cert: the certificate \(CN=airlock-test-first, serial [0-9A-F]+\) expires on \S+Z, in 24 hours\n/);
  assert.equal((await httpsGet(`${url}/-/health`, { ca: ca.cert })).status, 200);

  const second = ca.issue('second');
  replace(second.key, live.key);
  replace(second.cert, live.cert);
  await sleep(800);
  assert.equal((await peerCertificate(url, { ca: ca.cert })).subject.CN, 'airlock-test-first', 'not watched: nothing changes until told');
  s.child.kill('SIGHUP');
  await until(async () => (await peerCertificate(url, { ca: ca.cert })).subject.CN === 'airlock-test-second', 'the pair swapped on SIGHUP');
  assert.equal((await httpsGet(`${url}/-/health`, { ca: ca.cert })).status, 200, 'SIGHUP does not stop Airlock');

  const expired = ca.issue('expired', { days: 0 });
  await sleep(1100);
  const refused = serve(dir, ['--port', '0', '--data-dir', join(dir, 'data-2'), '--tls-cert', expired.cert, '--tls-key', expired.key]);
  assert.equal(await refused.exited, 1);
  assert.match(refused.stderr(), /^airlock serve: server\.tls\.cert: the certificate \(CN=airlock-test-expired, serial [0-9A-F]+\) expired on \S+Z; renew it \(every client would refuse it\)\n$/);
});

test('client certificates: with requireClientCert, a client without one, or with one from another authority, is refused at the handshake; one with a certificate gets in, and tokens still decide what it may do', needsOpenssl, async (t) => {
  const { dir, ca, tls } = await servingTlsFor(t);
  const clients = privateCa(dir, 'clients');
  const good = clients.issue('ci-runner', { client: true });
  const stranger = privateCa(dir, 'stranger').issue('intruder', { client: true });
  const a = await startAirlock({ config: { server: { tls: { ...tls, clientCa: clients.cert, requireClientCert: true } }, access: { anonymousRead: false }, repositories: [] } });
  t.after(() => a.close());
  const health = `${a.url}/-/health`;
  await assert.rejects(httpsGet(health, { ca: ca.cert }), /tlsv13 alert certificate required/);
  // TLS 1.3: the client's side of the handshake is over when the server refuses its certificate, so it sees the connection end.
  await assert.rejects(httpsGet(health, { ca: ca.cert, cert: stranger.cert, key: stranger.key }), /alert unknown ca|socket hang up/);
  assert.equal((await httpsGet(health, { ca: ca.cert, cert: good.cert, key: good.key })).status, 200);
  // The certificate opens the connection, not the API.
  assert.equal((await httpsGet(`${a.url}/-/api/quarantine`, { ca: ca.cert, cert: good.cert, key: good.key })).status, 401);
  const listed = await httpsGet(`${a.url}/-/api/quarantine`, { ca: ca.cert, cert: good.cert, key: good.key, headers: { authorization: `Bearer ${a.adminToken}` } });
  assert.equal(listed.status, 200);
});
