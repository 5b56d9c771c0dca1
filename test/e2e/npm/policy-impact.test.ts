/**
 * `airlock policy impact` against a running Airlock whose decisions came from the real npm
 * client: what a candidate policy would change for the versions clients actually downloaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NPM_TEST_POLICY } from '../../npm/helpers.ts';
import { airlockCli, e2e } from './support.ts';

interface Report {
  examined: number;
  complete: boolean;
  changed: number;
  transitions: Record<string, number>;
  candidateErrors: number;
  changes: { purl: string; phase: string; change: string; before: { verdict: string; warnings: { rule?: string }[] }; after: { verdict: string; reasons: { rule?: string; message: string }[]; warnings: { rule?: string }[] } }[];
}

/** The test policy, with left-pad denied, install scripts no longer held, and a warning for @acme. */
const CANDIDATE = NPM_TEST_POLICY.replace(
  /quarantine contains \{"id": "test\.scripts"[^]*?\n\}\n/,
  '',
).concat(`
deny contains {"id": "test.retired", "msg": "left-pad is retired here"} if input.artifact.name == "left-pad"

warn contains {"id": "test.internal", "msg": "an internal scope"} if startswith(input.artifact.name, "@acme/")
`);

test('policy impact: the versions npm installed, replayed under a candidate policy, show what it would change', async (t) => {
  assert.ok(!CANDIDATE.includes('test.scripts'), 'the install-script rule is gone from the candidate');
  const s = await e2e();
  t.after(() => s.close());
  const p = await s.project();
  const installed = await p.npm(['install', '@acme/widget', 'hide-me']);
  assert.equal(installed.code, 0, installed.output);
  const held = await p.npm(['install', 'scripted-pkg']);
  assert.notEqual(held.code, 0, 'held for its install script');

  const candidate = join(s.tmp, 'candidate');
  await mkdir(candidate);
  await writeFile(join(candidate, 'test.rego'), CANDIDATE);

  const json = await s.cli(['policy', 'impact', candidate, '--format', 'json']);
  assert.equal(json.code, 0, json.output);
  const report = JSON.parse(json.stdout) as Report;
  const artifact = report.changes.filter((c) => c.phase === 'artifact').map((c) => [c.purl, c.change, c.before.verdict, c.after.verdict]);
  assert.deepEqual(artifact.sort(), [
    ['pkg:npm/%40acme/widget@2.0.0', 'warnings', 'allow', 'allow'],
    ['pkg:npm/left-pad@1.3.0', 'verdict', 'allow', 'block'],
    ['pkg:npm/scripted-pkg@1.0.0', 'verdict', 'quarantine', 'allow'],
  ]);
  const leftPad = report.changes.find((c) => c.purl === 'pkg:npm/left-pad@1.3.0' && c.phase === 'artifact');
  assert.deepEqual(leftPad?.after.reasons, [{ message: 'left-pad is retired here', rule: 'test.retired' }]);
  assert.equal(report.complete, true);
  assert.equal(report.candidateErrors, 0);
  assert.ok(report.examined >= 4, `hide-me@1.0.0 was replayed too and did not change: ${report.examined}`);
  assert.ok(!report.changes.some((c) => c.purl.startsWith('pkg:npm/hide-me@1.0.0')));
  assert.deepEqual(report.transitions, { 'allow->block': 1, 'quarantine->allow': 1 });
  assert.equal(report.changed, 3);

  // The table names each change; as a CI gate for policy changes it fails when anything changes.
  const gate = await s.cli(['policy', 'impact', candidate, '--fail-on-change']);
  assert.equal(gate.code, 1, gate.output);
  assert.match(gate.stdout, /pkg:npm\/left-pad@1\.3\.0\s+artifact\s+verdict\s+allow\s+block: left-pad is retired here \[test\.retired\]/);
  assert.match(gate.stdout, /pkg:npm\/scripted-pkg@1\.0\.0\s+artifact\s+verdict\s+quarantine: the tarball runs install scripts \[test\.scripts\]\s+allow/);
  assert.match(gate.stdout, /^active policy [0-9a-f]{12}, candidate [0-9a-f]{12}: \d+ changed \(.*allow -> block: \d.*\)$/m);

  // The active policy itself, as a candidate: nothing changes.
  const same = await s.cli(['policy', 'impact', s.env.policyDir, '--fail-on-change']);
  assert.equal(same.code, 0, same.output);
  assert.match(same.stdout, /: no change$/m);

  // A window that ends before the installs replays nothing.
  const none = await s.cli(['policy', 'impact', candidate, '--since', '1ms', '--format', 'json']);
  assert.equal(none.code, 0, none.output);
  assert.equal((JSON.parse(none.stdout) as Report).examined, 0);
});

test('policy impact: a candidate that does not compile, and a token below admin, are refused with the reason', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const broken = join(s.tmp, 'broken');
  await mkdir(broken);
  await writeFile(join(broken, 'main.rego'), 'package airlock\n\ndeny contains msg if {\n  msg := concat("", [input.nope\n}\n');
  const refused = await s.cli(['policy', 'impact', broken]);
  assert.equal(refused.code, 1, refused.output);
  assert.match(refused.stderr, /^policy impact: the candidate policy was refused: policy does not compile: \S*broken\/main\.rego:5:1: rego_parse_error: /m);

  const reader = await s.cli(['token', 'create', '--role', 'reader']);
  assert.equal(reader.code, 0, reader.output);
  const asReader = await airlockCli(['policy', 'impact', s.env.policyDir], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader.stdout.trim() });
  assert.equal(asReader.code, 4, asReader.output);
  assert.match(asReader.stderr, /^policy impact: .*admin/m);
});
