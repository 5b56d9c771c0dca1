/**
 * What /-/metrics says about a running Airlock: requests in flight (a client that goes away no
 * longer counts), each proxy's upstream circuit, the review backlog as every gateway sharing a
 * store reports it, and that every metric it exposes is documented (docs/configuration.md,
 * "Monitoring") and every metric the documented alerting rules use exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, get, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REVIEW_POLICY, anonymousRequest, authHeader, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { buildTestApp, startAirlock, type TestAirlock } from '../support/start-airlock.ts';

const ROOT = join(import.meta.dirname, '..', '..');

async function scrape(a: TestAirlock): Promise<string> {
  const r = await a.app.inject({ url: '/-/metrics' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  return r.body;
}

/** The sample lines of one metric (its name, then labels or a space). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

async function until(f: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await f()) return;
  assert.fail(`${what} did not happen within ${ms} ms`);
}

test('requests in flight: a request waiting on its upstream counts (so does the scrape asking); answered or abandoned by its client, it no longer does', async (t) => {
  // An upstream that holds every request until told to answer.
  const held: ServerResponse[] = [];
  const upstream = createServer((_req, res) => held.push(res));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const answerAll = (): void => {
    for (const res of held.splice(0)) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  };
  t.after(() => {
    answerAll();
    upstream.closeAllConnections();
    upstream.close();
  });
  const a = await startAirlock({ config: { repositories: [{ name: 'npm', format: 'npm', upstream: `http://127.0.0.1:${port}/` }] } });
  t.after(() => a.close());
  const inFlight = async (): Promise<string[]> => samples(await (await fetch(`${a.url}/-/metrics`)).text(), 'airlock_http_requests_in_flight');
  assert.deepEqual(await inFlight(), ['airlock_http_requests_in_flight 1'], 'the scrape itself');

  // The client that goes away closes its connection (fetch's abort may leave it open for keep-alive).
  const abandoned = get(`${a.url}/npm/waits-long`);
  const gone = new Promise((resolve) => abandoned.once('close', resolve));
  abandoned.on('error', () => {});
  const second = fetch(`${a.url}/npm/waits-too`);
  await until(async () => held.length === 2, 'both requests reaching the upstream');
  assert.deepEqual(await inFlight(), ['airlock_http_requests_in_flight 3']);
  abandoned.destroy();
  await gone;
  await until(async () => (await inFlight())[0] === 'airlock_http_requests_in_flight 2', 'the abandoned request no longer counting');
  answerAll();
  const answered = await second;
  assert.equal(answered.status, 404);
  await answered.arrayBuffer();
  await until(async () => (await inFlight())[0] === 'airlock_http_requests_in_flight 1', 'the answered request no longer counting');
});

test("upstream circuit: each proxy's upstream (and a pypi files host) has its state; an upstream refusing connections opens its circuit", async (t) => {
  // Below the ephemeral range: a port just freed can be given to a server another test file starts.
  const closed = 9;
  const a = await buildTestApp({
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: `http://127.0.0.1:${closed}/` },
        { name: 'pypi', format: 'pypi', upstream: `http://127.0.0.1:${closed}/simple/`, filesUpstream: `http://127.0.0.1:${closed}/files/` },
        { name: 'internal', format: 'npm', kind: 'hosted' },
      ],
    },
  });
  t.after(() => a.close());
  const current = async (): Promise<string[]> => samples(await scrape(a), 'airlock_upstream_circuit_state').filter((l) => l.endsWith(' 1'));
  assert.deepEqual(await current(), [
    'airlock_upstream_circuit_state{repo="npm",upstream="upstream",state="closed"} 1',
    'airlock_upstream_circuit_state{repo="pypi",upstream="upstream",state="closed"} 1',
    'airlock_upstream_circuit_state{repo="pypi",upstream="filesUpstream",state="closed"} 1',
  ]);
  assert.equal(samples(await scrape(a), 'airlock_upstream_circuit_state').length, 9, 'three states each; none for the hosted repository');
  // Each request tries three times (two retries); five failures in a row open the circuit.
  for (let i = 0; i < 2; i++) assert.equal((await a.app.inject({ url: `/npm/pkg-${i}` })).statusCode, 502);
  assert.deepEqual((await current())[0], 'airlock_upstream_circuit_state{repo="npm",upstream="upstream",state="open"} 1');
  assert.deepEqual((await current()).slice(1), [
    'airlock_upstream_circuit_state{repo="pypi",upstream="upstream",state="closed"} 1',
    'airlock_upstream_circuit_state{repo="pypi",upstream="filesUpstream",state="closed"} 1',
  ]);
});

test('two gateways sharing one store both report the shared review backlog: a version quarantined through one waits on both; released, it is 0 on both', async (t) => {
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const repositories = [{ name: 'internal', format: 'npm', kind: 'hosted' }];
  const a = await buildTestApp({ config: { repositories, policy: { paths: [policyDir] } } });
  let other: TestAirlock | undefined;
  // The second gateway closes first: the first removes the data directory they share.
  t.after(async () => {
    await other?.app.close();
    await a.close();
  });
  const b = await buildTestApp({ dataDir: a.dataDir, adminToken: a.adminToken, config: { repositories, policy: { paths: [policyDir] } } });
  other = b;
  const backlog = async (x: TestAirlock): Promise<string[]> => {
    const text = await scrape(x);
    return [...samples(text, 'airlock_quarantine_pending'), ...samples(text, 'airlock_quarantine_oldest_pending_timestamp_seconds')];
  };
  assert.deepEqual(await backlog(a), ['airlock_quarantine_pending{repo="internal"} 0']);

  const q = await a.app.airlock.gate.judgeArtifact(npmCandidate('held-one', '1.0.0'), anonymousRequest);
  assert.ok(q.quarantineId !== null);
  const opened = (await a.app.airlock.storage.metadata.getQuarantine(q.quarantineId))?.createdAt.getTime() ?? Number.NaN;
  const waiting = ['airlock_quarantine_pending{repo="internal"} 0', 'airlock_quarantine_pending{repo="npm"} 1', `airlock_quarantine_oldest_pending_timestamp_seconds{repo="npm"} ${opened / 1000}`];
  assert.deepEqual(await backlog(a), waiting);
  assert.deepEqual(await backlog(b), ['airlock_quarantine_pending{repo="internal"} 0'], 'before its review sync');
  await b.app.airlock.reviewSync.poll();
  assert.deepEqual(await backlog(b), waiting, 'the other gateway reports the same backlog');

  const released = await a.app.inject({ method: 'POST', url: `/-/api/quarantine/${q.quarantineId}/release`, headers: authHeader(a.adminToken), payload: { reason: 'reviewed' } });
  assert.equal(released.statusCode, 200, released.body);
  const cleared = ['airlock_quarantine_pending{repo="internal"} 0', 'airlock_quarantine_pending{repo="npm"} 0'];
  assert.deepEqual(await backlog(a), cleared);
  await b.app.airlock.reviewSync.poll();
  assert.deepEqual(await backlog(b), cleared);
});

/** The metric names in the first column of the tables of docs/configuration.md's "Monitoring" section. */
function documentedMetrics(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const start = doc.indexOf('\n## Monitoring\n');
  assert.ok(start >= 0, 'docs/configuration.md has a Monitoring section');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/^\| `([a-z0-9_]+)`/gm)].map((m) => m[1] as string));
}

test('every metric /-/metrics exposes is documented, every documented one exists, and the documented alerting rules use only documented metrics', async (t) => {
  const a = await buildTestApp({ config: { repositories: [{ name: 'npm', format: 'npm', upstream: 'http://127.0.0.1:9/' }] } });
  t.after(() => a.close());
  // As with server.tls (startServer adds it).
  a.app.airlock.metrics.watchTlsCertificate(() => new Date());
  const exposed = new Set([...(await scrape(a)).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
  const documented = documentedMetrics();
  assert.deepEqual([...exposed].filter((n) => !documented.has(n)), [], 'exposed but not documented');
  // process_open_fds and process_max_fds are exposed where /proc can be read.
  assert.deepEqual([...documented].filter((n) => !exposed.has(n) && !(n.endsWith('_fds') && process.platform !== 'linux')), [], 'documented but not exposed');
  const rules = readFileSync(join(ROOT, 'docs', 'prometheus-alerts.yml'), 'utf8');
  const used = new Set([...rules.matchAll(/\b((?:airlock|process|nodejs)_[a-z0-9_]+)/g)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, '')));
  assert.ok(used.size >= 6, [...used].join(' '));
  assert.deepEqual([...used].filter((n) => !documented.has(n)), [], 'used by the alerting rules but not a documented metric');
});
