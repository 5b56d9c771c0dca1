import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, writeFile, copyFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.ts';
import { FIXTURES } from '../../scan/test-support/fixtures.ts';

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(['scan', ...argv], { stdout, stderr, env: {}, cwd });
  return { code, out, err };
}

const safe = join(FIXTURES, 'pytorch', 'state-dict.pt');
const evil = join(FIXTURES, 'pickle', 'os-system-p4.pkl');

test('exit 0 when every file is safe', async () => {
  const r = await run([safe]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /state-dict\.pt: SAFE \(pytorch-zip\)/);
});

test('exit 1 when anything is malicious, with the resolved callable in the report', async () => {
  const r = await run([safe, evil]);
  assert.equal(r.code, 1);
  assert.match(r.out, /os-system-p4\.pkl: MALICIOUS \(pickle\)/);
  assert.match(r.out, /callable=os\.system/);
});

test('exit 2 on usage errors', async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['--format', 'xml', safe])).code, 2);
  assert.equal((await run(['--bogus', safe])).code, 2);
  assert.equal((await run([join(FIXTURES, 'nope.pt')])).code, 2);
  assert.equal((await run([join(FIXTURES, 'pytorch')])).code, 2, 'a directory needs --recursive');
});

test('json output has the documented shape', async () => {
  const r = await run(['--format', 'json', evil]);
  const doc = JSON.parse(r.out) as { files: { path: string; format: string; verdict: string; findings: Record<string, unknown>[] }[] };
  assert.equal(doc.files.length, 1);
  const f = doc.files[0];
  assert.equal(f?.verdict, 'malicious');
  assert.equal(f?.format, 'pickle');
  const finding = f?.findings[0] ?? {};
  for (const key of ['rule', 'severity', 'message', 'evidence']) assert.ok(key in finding, `finding has ${key}`);
  assert.equal((finding.evidence as { callable: string }).callable, 'os.system');
});

test('sarif output is SARIF 2.1.0 with one result per finding', async () => {
  const r = await run(['--format', 'sarif', evil, safe]);
  const doc = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string }[] }[] };
  assert.equal(doc.version, '2.1.0');
  const run0 = doc.runs[0];
  assert.ok(run0 !== undefined);
  assert.ok(run0.results.some((x) => x.ruleId === 'pickle.callable.malicious' && x.level === 'error'));
  assert.ok(run0.tool.driver.rules.some((x) => x.id === 'pickle.callable.malicious'));
});

test('--recursive walks directories; unknown content is not a pass', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-scan-'));
  try {
    await mkdir(join(dir, 'sub'));
    await copyFile(safe, join(dir, 'sub', 'model.bin'));
    await writeFile(join(dir, 'notes.txt'), 'just text\n');
    const r = await run(['-r', '--format', 'json', dir]);
    const doc = JSON.parse(r.out) as { files: { path: string; verdict: string }[] };
    assert.deepEqual(doc.files.map((f) => f.verdict).sort(), ['safe', 'unscannable']);
    assert.equal(r.code, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
