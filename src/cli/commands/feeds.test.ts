import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.ts';

const TESTDATA = join(import.meta.dirname, '..', '..', 'signals', 'feeds', 'testdata', 'osv');

async function run(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(['feeds', ...argv], { stdout, stderr, env: { USER: 'tester' }, cwd });
  return { code, out, err };
}

test('feeds import stores the records; feeds list shows the import; a bad feed is refused with reasons', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-feeds-cli-'));
  try {
    const r = await run(['import', TESTDATA, '--data-dir', 'data', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out) as { records: number; added: number; source: string; importedBy: string };
    assert.deepEqual([summary.records, summary.added, summary.source, summary.importedBy], [5, 5, 'ossf-malicious-packages', 'cli:tester']);
    const list = await run(['list', '--data-dir', 'data'], dir);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /ossf-malicious-packages .* \+5 ~0 =0 {2}by cli:tester/);

    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'MAL-1.json'), '{"id":"MAL-1","modified":"nope","affected":[]}');
    const bad = await run(['import', 'bad', '--data-dir', 'data'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /1 malformed record; nothing was imported\n {2}MAL-1\.json: modified is not an RFC 3339 timestamp/);
    const missing = await run(['import', 'nope', '--data-dir', 'data'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /ENOENT|no such file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-feeds-cli-'));
  try {
    assert.equal((await run([], dir)).code, 2);
    assert.equal((await run(['fetch'], dir)).code, 2);
    assert.equal((await run(['import'], dir)).code, 2);
    assert.equal((await run(['import', 'a', 'b'], dir)).code, 2);
    assert.equal((await run(['import', 'a', '--source', 'bad source!'], dir)).code, 2);
    assert.equal((await run(['list', '--format', 'xml'], dir)).code, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
