/**
 * /-/metrics read by Prometheus' own tools: `promtool check metrics` accepts the whole exposition,
 * `promtool check rules` the documented alerting rules, and a real Prometheus server scraping
 * Airlock every second sees a version quarantined through a real request wait for review, its
 * release clear the backlog, the process metrics, and evaluates the documented rules without
 * error. Skipped without Debian's `prometheus` package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { npmTestEnv, serverFor } from '../npm/helpers.ts';
import { hasPrometheus, promtool, SKIP_NO_PROMETHEUS, startPrometheus, type PrometheusServer, type VectorSample } from '../support/prometheus-server.ts';

const RULES = join(import.meta.dirname, '..', '..', 'docs', 'prometheus-alerts.yml');
const skip = hasPrometheus() ? false : SKIP_NO_PROMETHEUS;

/** Polls `expr` until `ok` holds for its result (readiness, not a timed assertion: the deadline only bounds a hang). */
async function until(p: PrometheusServer, expr: string, ok: (r: VectorSample[]) => boolean, what: string): Promise<VectorSample[]> {
  let last: VectorSample[] = [];
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(250)) {
    last = await p.query(expr);
    if (ok(last)) return last;
  }
  assert.fail(`prometheus never saw ${what}: ${expr} = ${JSON.stringify(last)}\n${p.log().slice(-2000)}`);
}

test('the documented alerting rules pass promtool check rules', { skip }, async () => {
  const r = await promtool(['check', 'rules', RULES]);
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /SUCCESS: 7 rules found/);
});

test('a real Prometheus scraping Airlock: promtool accepts the exposition; a quarantined version shows in the backlog until released; the process metrics and the documented rules work', { skip }, async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const a = await serverFor(env);
  t.after(() => a.close());

  // A real request gets scripted-pkg@1.0.0 quarantined (the test policy holds install scripts).
  const held = await fetch(`${a.url}/npm/scripted-pkg/-/scripted-pkg-1.0.0.tgz`);
  assert.equal(held.status, 403);
  const id = /Quarantine id (\S+);/.exec(((await held.json()) as { error: string }).error)?.[1];
  assert.ok(id !== undefined);

  const text = await (await fetch(`${a.url}/-/metrics`)).text();
  assert.match(text, /^airlock_quarantine_pending\{repo="npm"\} 1$/m);
  const lint = await promtool(['check', 'metrics'], text);
  assert.equal(lint.code, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);

  const prometheus = await startPrometheus({ address: new URL(a.url).host, metricsPath: '/-/metrics' }, [RULES]);
  t.after(() => prometheus.stop());
  await until(prometheus, 'airlock_quarantine_pending{repo="npm"}', (r) => r[0]?.value === 1, 'the version waiting for review');
  const opened = (await a.app.airlock.storage.metadata.getQuarantine(id))?.createdAt.getTime();
  const oldest = await prometheus.query('airlock_quarantine_oldest_pending_timestamp_seconds{repo="npm"}');
  assert.deepEqual(oldest.map((s) => s.value), [(opened ?? Number.NaN) / 1000]);
  const cpu = await until(prometheus, 'process_cpu_seconds_total', (r) => r.length > 0, 'process_cpu_seconds_total');
  assert.deepEqual([cpu[0]?.metric['job'], cpu[0]?.metric['instance']], ['airlock', new URL(a.url).host]);
  assert.ok((cpu[0]?.value ?? 0) > 0);
  await until(prometheus, 'airlock_upstream_circuit_state{repo="npm", state="closed"}', (r) => r[0]?.value === 1, 'the closed circuit');

  // Released through the admin API: the backlog reads 0 and the oldest waiting version is gone.
  const release = await fetch(`${a.url}/-/api/quarantine/${id}/release`, {
    method: 'POST',
    headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'the postinstall only prints' }),
  });
  assert.equal(release.status, 200, await release.text());
  await until(prometheus, 'airlock_quarantine_pending{repo="npm"}', (r) => r[0]?.value === 0, 'the backlog cleared');
  await until(prometheus, 'airlock_quarantine_oldest_pending_timestamp_seconds', (r) => r.length === 0, 'the oldest pending timestamp gone');

  // Every documented rule has been evaluated against Airlock's series without an error.
  let rules = await prometheus.rules();
  for (const end = Date.now() + 60_000; rules.some((r) => r.health !== 'ok') && Date.now() < end; await sleep(250)) rules = await prometheus.rules();
  assert.equal(rules.length, 7);
  assert.deepEqual(rules.filter((r) => r.health !== 'ok' || r.lastError !== ''), []);
});
