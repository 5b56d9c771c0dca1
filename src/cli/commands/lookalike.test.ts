import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.ts';

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(['lookalike', ...argv], { stdout, stderr, env: {}, cwd });
  return { code, out, err };
}

test('json output: closest, kind and score per name; null when the name looks like nothing', async () => {
  const r = await run(['npm', 'lodahs', 'expresss', 'react', 'zz-nothing-like-it-xq', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const rows = JSON.parse(r.out) as { name: string; closest: string | null; kind: string | null; score: number }[];
  assert.deepEqual(rows.map((x) => Object.keys(x)), Array(4).fill(['name', 'closest', 'kind', 'score']));
  assert.deepEqual(rows.map((x) => [x.name, x.closest, x.kind]), [
    ['lodahs', 'lodash', 'typo'],
    ['expresss', 'express', 'simplification'],
    ['react', null, null],
    ['zz-nothing-like-it-xq', null, null],
  ]);
  assert.ok((rows[0]?.score ?? 0) > 0.3);
  assert.equal(rows[2]?.score, 0);
});

test('pypi names and text output', async () => {
  const r = await run(['pypi', 'reqeusts', 'python-requests', 'requests']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0] ?? '', /^reqeusts\s+looks like requests\s+typo \(transposition\)\s+score 0\.\d\d$/);
  assert.match(lines[1] ?? '', /looks like requests\s+affix \(prefix\)/);
  assert.match(lines[2] ?? '', /^requests\s+popular \(rank \d+\)$/);
});

test('internal names: look-alikes and dependency confusion; --fail exits 1 on a match', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-lookalike-'));
  try {
    await writeFile(join(dir, 'internal.txt'), '# our packages\n@acme/billing-core\nacme-secrets-client  # the vault client\n');
    const r = await run(['npm', 'acme-billing-core', 'acme-secrets-client', '--internal-file', 'internal.txt', '--format', 'json', '--explain', '--fail'], dir);
    assert.equal(r.code, 1, r.err);
    const rows = JSON.parse(r.out) as { closest: string; kind: string; target: { source: string } }[];
    assert.deepEqual(rows.map((x) => [x.closest, x.kind, x.target.source]), [
      ['@acme/billing-core', 'scope', 'internal'],
      ['acme-secrets-client', 'dependency-confusion', 'internal'],
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(['cargo', 'serde'])).code, 2);
  assert.equal((await run(['npm'])).code, 2);
  assert.equal((await run(['npm', 'x', '--format', 'xml'])).code, 2);
  assert.equal((await run(['npm', 'x', '--min-score', '7'])).code, 2);
  assert.equal((await run(['npm', 'x', '--internal-file', 'does-not-exist.txt'])).code, 2);
  assert.equal((await run(['npm', 'x', '--bogus'])).code, 2);
});
