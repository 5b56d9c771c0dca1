/**
 * `npm audit` answers without a token and can be made dear to answer, so a gateway works on a few
 * audits at once, lets a fixed number more wait, and turns the rest away with 503 and Retry-After
 * before reading their bodies. An upstream whose audit endpoint holds every answer until the test
 * lets it go keeps the places taken; the real npm CLI is then turned away with Airlock's message,
 * and once the upstream answers, everything that waited is answered and npm's audit passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AUDITS_AT_ONCE, AUDITS_WAITING } from '../../../src/ecosystems/npm/audit.ts';
import { createLogger } from '../../../src/app/logger.ts';
import { memoryLog } from '../../support/captured-output.ts';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { cleanEnv, run } from './support.ts';

/** An npm upstream with only the bulk advisory endpoint, which holds its answers until `letGo`. */
async function holdingUpstream() {
  const held: ServerResponse[] = [];
  let holding = true;
  let asked = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/-/npm/v1/security/advisories/bulk')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
        return;
      }
      asked++;
      if (holding) held.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get asked() {
      return asked;
    },
    letGo(): void {
      holding = false;
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    },
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/** The audit admission's gauges, as Prometheus scrapes them. */
async function admission(airlock: StartedAirlock): Promise<{ inProgress: number; waiting: number; turnedAway: number }> {
  const text = await (await fetch(`${airlock.url}/-/metrics`, { headers: { authorization: `Bearer ${airlock.adminToken}` } })).text();
  const read = (name: string): number => Number(new RegExp(`^${name}\\{work="npm_audit"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { inProgress: read('airlock_admission_in_progress'), waiting: read('airlock_admission_waiting'), turnedAway: read('airlock_admission_turned_away_total') };
}

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await read())}`);
}

const BULK = gzipSync(JSON.stringify({ 'left-pad': ['1.3.0'] }));

function audit(airlock: StartedAirlock, signal: AbortSignal | null = null): Promise<Response> {
  return fetch(`${airlock.url}/npm/-/npm/v1/security/advisories/bulk`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: BULK, signal });
}

test('npm audit: a few at work, a fixed number waiting, the rest turned away with 503 and Retry-After; npm prints why, and passes once the upstream answers', async (t) => {
  const upstream = await holdingUpstream();
  t.after(() => upstream.close());
  // What the gateway logs: a request turned away is load shed by design, one warn line, not a failure.
  const log = memoryLog();
  const airlock = await startAirlock({ logger: createLogger('warn', log.stream), config: { repositories: [{ name: 'npm', format: 'npm', upstream: upstream.url }] } });
  t.after(() => airlock.close());

  const leavers = new AbortController();
  const staying = Array.from({ length: AUDITS_AT_ONCE + AUDITS_WAITING - 2 }, () => audit(airlock));
  const leaving = [audit(airlock, leavers.signal), audit(airlock, leavers.signal)].map((p) => p.catch((err: unknown) => err));
  await until('every place taken', () => admission(airlock), (a) => a.inProgress === AUDITS_AT_ONCE && a.waiting === AUDITS_WAITING);
  await until('the upstream asked by those at work only', async () => upstream.asked, (n) => n === AUDITS_AT_ONCE);

  const turnedAway = await audit(airlock);
  assert.equal(turnedAway.status, 503);
  assert.ok(Number(turnedAway.headers.get('retry-after')) > 0, 'Retry-After says when to ask again');
  const body = (await turnedAway.json()) as { error?: string };
  assert.match(body.error ?? '', /as many security audits as it takes at once/);
  assert.deepEqual(log.lines().map((l) => [l['level'], l['msg']]), [[40, 'npm audit turned away: too many audits at once']]);

  // The real client: it retries a 503 by itself; with no retries it reports Airlock's reason.
  const dir = await mkdtemp(join(tmpdir(), 'airlock-e2e-audit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }));
  const lock = { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }, 'node_modules/left-pad': { version: '1.3.0' } } };
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock));
  const npmAudit = (): ReturnType<typeof run> =>
    run('npm', ['audit', '--registry', `${airlock.url}/npm/`, '--cache', join(dir, '.npm-cache'), '--userconfig', join(dir, '.npmrc-none'), '--fetch-retries', '0', '--no-update-notifier'], { cwd: dir, env: cleanEnv() });
  const refused = await npmAudit();
  assert.notEqual(refused.code, 0, refused.output);
  assert.match(refused.output, /503/, refused.output);
  assert.match(refused.output, /as many security audits as it takes at once/, refused.output);
  assert.ok((await admission(airlock)).turnedAway >= 2);

  // Two waiters leave: their places are given up, and the next caller waits instead of being turned away.
  leavers.abort();
  await until('the leavers gone from the queue', () => admission(airlock), (a) => a.waiting === AUDITS_WAITING - 2);
  const waiter = audit(airlock);
  await until('the next caller waiting', () => admission(airlock), (a) => a.waiting === AUDITS_WAITING - 1);

  upstream.letGo();
  const answers = await Promise.all([...staying, waiter]);
  assert.deepEqual([...new Set(answers.map((r) => r.status))], [200], 'everyone who waited was answered');
  await Promise.all(answers.map((r) => r.arrayBuffer()));
  for (const left of await Promise.all(leaving)) assert.ok(left instanceof Error, 'the leavers were not answered');
  assert.equal(upstream.asked, staying.length + 1, 'the upstream was asked once for each audit answered, and never for a leaver or one turned away');
  await until('every place free again', () => admission(airlock), (a) => a.inProgress === 0 && a.waiting === 0);

  const passed = await npmAudit();
  assert.equal(passed.code, 0, passed.output);
  assert.match(passed.output, /found 0 vulnerabilities/, passed.output);
});

test('npm audit: a client that sends its audit and goes away at once keeps its place taken until the audit is worked out', async (t) => {
  const upstream = await holdingUpstream();
  t.after(() => upstream.close());
  const airlock = await startAirlock({ config: { repositories: [{ name: 'npm', format: 'npm', upstream: upstream.url }] } });
  t.after(() => airlock.close());
  const { port } = new URL(airlock.url);
  for (let i = 1; i <= AUDITS_AT_ONCE; i++) {
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${BULK.length}\r\n\r\n`);
    socket.write(BULK);
    await until('the audit forwarded upstream', async () => upstream.asked, (n) => n === i);
    socket.destroy();
    await until('its connection closed', async () => socket.closed, (closed) => closed);
  }
  const waiter = audit(airlock);
  const taken = await until('the next audit waiting', () => admission(airlock), (a) => a.waiting === 1);
  assert.equal(taken.inProgress, AUDITS_AT_ONCE, 'the clients that left still hold their places');
  assert.equal(upstream.asked, AUDITS_AT_ONCE, 'no audit beyond the places was worked on');
  upstream.letGo();
  assert.equal((await waiter).status, 200);
  await until('every place free again', () => admission(airlock), (a) => a.inProgress === 0 && a.waiting === 0);
});

test('npm audit: server.audits sizes the admission (one at work and none waiting here)', async (t) => {
  const upstream = await holdingUpstream();
  t.after(() => upstream.close());
  const airlock = await startAirlock({ config: { server: { audits: { concurrency: 1, queue: 0 } }, repositories: [{ name: 'npm', format: 'npm', upstream: upstream.url }] } });
  t.after(() => airlock.close());
  const first = audit(airlock);
  await until('the first audit forwarded upstream', async () => upstream.asked, (n) => n === 1);
  const second = audit(airlock);
  // Sized otherwise, it would be worked on or wait its turn: either ends the race too, and fails below.
  const taken = until('the second audit worked on or waiting', async () => ({ waiting: (await admission(airlock)).waiting, asked: upstream.asked }), (v) => v.waiting > 0 || v.asked > 1);
  const outcome = await Promise.race([second.then((r) => r.status), taken.then(() => 'not turned away')]);
  upstream.letGo();
  assert.equal(outcome, 503);
  assert.match(((await (await second).json()) as { error?: string }).error ?? '', /\(1 at work, 0 waiting\)/);
  assert.equal((await first).status, 200);
});
