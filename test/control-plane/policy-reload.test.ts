/** Policy hot reload (compile first, swap, keep the old bundle on errors) and fail-closed evaluation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { anonymousRequest, authHeader, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { buildTestApp } from '../support/start-airlock.ts';

const ALLOW_ALL = 'package airlock\n\nimport rego.v1\n\ndeny contains "never" if false\n';
const DENY_FOO = 'package airlock\n\nimport rego.v1\n\ndeny contains "foo is not allowed" if input.artifact.name == "foo"\n';

async function until(f: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('hot reload swaps in a changed policy and keeps the old one when the new one is broken', async () => {
  const dir = await writePolicyDir({ 'airlock/main.rego': ALLOW_ALL });
  const a = await buildTestApp({ config: { repositories: [], policy: { paths: [dir], watch: true } } });
  try {
    const { gate, policy } = a.app.airlock;
    const foo = npmCandidate('foo', '1.0.0');
    assert.equal((await gate.judgeVersions([foo], anonymousRequest)).get('1.0.0')?.verdict.kind, 'allow');
    const gen0 = gate.generation();
    const hash0 = policy.hash;

    await writeFile(join(dir, 'airlock/main.rego'), DENY_FOO);
    await until(() => policy.hash !== hash0, 'the reload');
    assert.notEqual(gate.generation(), gen0);
    const d = (await gate.judgeVersions([foo], anonymousRequest)).get('1.0.0');
    assert.equal(d?.verdict.kind, 'block');
    const hash1 = policy.hash;

    await writeFile(join(dir, 'airlock/main.rego'), 'package airlock\n\ndeny contains x if {\n');
    await until(() => policy.info().lastError !== null, 'the failed reload');
    assert.equal(policy.hash, hash1, 'the broken bundle was not swapped in');
    assert.match(policy.info().lastError?.message ?? '', /main\.rego:\d+:\d+/);
    assert.equal((await gate.judgeVersions([foo], anonymousRequest)).get('1.0.0')?.verdict.kind, 'block');

    const info = await a.app.inject({ method: 'GET', url: '/-/api/policy', headers: authHeader(a.adminToken) });
    assert.equal(info.json<{ hash: string }>().hash, hash1);
    const manual = await a.app.inject({ method: 'POST', url: '/-/api/policy/reload', headers: authHeader(a.adminToken) });
    assert.equal(manual.statusCode, 400);
    assert.match(manual.json<{ error: string }>().error, /active policy stays/);
  } finally {
    await a.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('evaluation errors, time-outs and malformed results fail closed', async () => {
  const dir = await writePolicyDir({
    'airlock/main.rego': [
      'package airlock',
      '',
      'import rego.v1',
      '',
      'deny contains "bad number" if { input.artifact.name == "not-a-number"; to_number(input.artifact.name) > 1 }',
      '',
      'quarantine := 5 if input.artifact.name == "malformed"',
      '',
      'warn contains sprintf("%d", [n]) if { input.artifact.name == "loop"; n := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)]) }',
    ].join('\n'),
  });
  const block = await buildTestApp({ config: { repositories: [], policy: { paths: [dir], timeout: '200ms', maxSteps: 100000 } } });
  const quarantine = await buildTestApp({ config: { repositories: [], policy: { paths: [dir], onError: 'quarantine' } } });
  try {
    for (const [name, pattern] of [
      ['not-a-number', /policy evaluation failed \(fail closed\)/],
      ['malformed', /data\.airlock\.quarantine must be a set/],
      ['loop', /policy evaluation failed \(fail closed\): .*eval_limit_error/],
    ] as const) {
      const d = await block.app.airlock.gate.judgeArtifact(npmCandidate(name, '1.0.0'), anonymousRequest);
      assert.equal(d.verdict.kind, 'block', name);
      const reason = d.verdict.kind === 'block' ? d.verdict.reasons[0] : undefined;
      assert.equal(reason?.rule, 'airlock.policy_error');
      assert.match(reason?.message ?? '', pattern);
      assert.equal(d.failure?.kind, 'policy', `${name}: marked as no lasting verdict`);
    }
    const q = await quarantine.app.airlock.gate.judgeArtifact(npmCandidate('not-a-number', '1.0.0'), anonymousRequest);
    assert.equal(q.verdict.kind, 'quarantine');
    assert.equal(q.failure?.kind, 'policy');
    assert.ok(q.quarantineId !== null, 'a fail-closed quarantine opens a record a reviewer can release');
  } finally {
    await block.close();
    await quarantine.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a policy that does not compile stops start-up with file:row:col', async () => {
  const dir = await writePolicyDir({ 'airlock/x.rego': 'package airlock\n\ndeny contains msg if {\n  msg := \n}\n' });
  try {
    await assert.rejects(buildTestApp({ config: { repositories: [], policy: { paths: [dir] } } }), /x\.rego:\d+:\d+/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('metadata verdicts are cached per generation; health and metrics report', async () => {
  const dir = await writePolicyDir({ 'airlock/main.rego': DENY_FOO });
  const a = await buildTestApp({ config: { repositories: [], policy: { paths: [dir] } } });
  try {
    const { gate } = a.app.airlock;
    const versions = Array.from({ length: 50 }, (_, i) => npmCandidate('foo', `1.0.${i}`, { published_at: '2020-01-01T00:00:00Z' }));
    await gate.judgeVersions(versions, anonymousRequest);
    await gate.judgeVersions(versions, anonymousRequest);
    const metrics = await a.app.inject({ method: 'GET', url: '/-/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(metrics.body, /airlock_decisions_total\{phase="metadata",verdict="block",source="policy",cached="false"\} 50/);
    assert.match(metrics.body, /airlock_decisions_total\{phase="metadata",verdict="block",source="policy",cached="true"\} 50/);
    assert.match(metrics.body, /airlock_policy_info\{hash="[0-9a-f]{64}"\} 1/);
    const health = await a.app.inject({ method: 'GET', url: '/-/health' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json<{ status: string }>().status, 'ok');
    const again = await a.app.inject({ method: 'GET', url: '/-/metrics' });
    assert.match(again.body, /airlock_http_requests_total\{route="\/-\/health",method="GET",status="200"\} 1\n/);
  } finally {
    await a.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the built-in policy decides by default and is tuned by policy.data in the configuration', async () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const young = npmCandidate('fresh-pkg', '1.0.0', { published_at: '2026-03-09T12:00:00Z', integrity_algorithms: ['sha512'] });
  const old = npmCandidate('fresh-pkg', '0.9.0', { published_at: '2025-01-01T00:00:00Z', integrity_algorithms: ['sha512'] });
  const builtin = await buildTestApp({ config: { repositories: [] }, clock: () => now });
  const tuned = await buildTestApp({ config: { repositories: [], policy: { data: { airlock: { settings: { cooldown_days: 0 } } } } }, clock: () => now });
  try {
    const d = await builtin.app.airlock.gate.judgeVersions([young, old], anonymousRequest);
    const v = d.get('1.0.0')?.verdict;
    assert.equal(v?.kind, 'quarantine');
    assert.match(v?.kind === 'quarantine' ? (v.reasons[0]?.message ?? '') : '', /fresh-pkg@1\.0\.0 was published 24 hours ago/);
    assert.equal(d.get('0.9.0')?.verdict.kind, 'allow');
    assert.equal(builtin.app.airlock.policy.info().builtin, true);
    const t = await tuned.app.airlock.gate.judgeVersions([young], anonymousRequest);
    assert.equal(t.get('1.0.0')?.verdict.kind, 'allow');
    assert.notEqual(tuned.app.airlock.policy.hash, builtin.app.airlock.policy.hash, 'the data overlay is part of the policy hash');
  } finally {
    await builtin.close();
    await tuned.close();
  }
});
