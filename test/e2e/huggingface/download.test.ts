/**
 * The real `@huggingface/hub` client through Airlock: snapshots and single files of models and
 * datasets, every file verified, scanned and judged before it is served, and refusals the
 * client shows with Airlock's reason.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePurl } from '../../../src/core/index.ts';
import { modelSamples } from '../../support/hf-hub/index.ts';
import { addTinyModel, hfE2e, OLD, quarantineIdIn, type HfE2e } from './support.ts';

const samples = modelSamples();
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('huggingface: the real client through Airlock', () => {
  let e: HfE2e;
  before(async () => {
    e = await hfE2e();
    addTinyModel(e.hub, samples.safetensors);
    e.hub.addRepo({ id: 'evil/backdoor', createdAt: OLD, downloads: 50 });
    e.hub.commit('evil/backdoor', [
      { path: 'config.json', bytes: '{}' },
      { path: 'pytorch_model.bin', bytes: samples.maliciousPickle.bytes },
    ], { date: OLD });
  });
  after(async () => e.close());

  it('downloads a whole model: every file byte for byte, from Airlock alone, with no Xet detour', async () => {
    const r = await e.client({ op: 'snapshot', repo: 'acme/tiny' });
    assert.ok(r.ok, r.ok ? '' : r.error);
    const folder = r.value;
    assert.equal(folder.split('/').at(-1), e.hub.sha('acme/tiny'));
    assert.deepEqual((await readdir(folder)).sort(), ['.gitattributes', 'config.json', 'model.safetensors', 'onnx']);
    assert.equal(sha256(await readFile(join(folder, 'model.safetensors'))), sha256(samples.safetensors.bytes));
    assert.equal(await readFile(join(folder, 'onnx', 'README.md'), 'utf8'), '# exported weights\n');
    assert.equal(e.hub.count('/xet-read-token/'), 0, 'no Xet token route was asked for');
    // The client only ever spoke to Airlock: the CDN was reached by Airlock, once for the LFS file.
    assert.equal(e.hub.count((q) => q.origin === 'cdn' && q.method === 'GET'), 1);
    // Verified by their sha256 (LFS) or git object id alone: no sha512 or sha1 is computed or recorded.
    const purl = makePurl('huggingface', 'acme/tiny', e.hub.sha('acme/tiny'));
    for (const [path, blob] of [[samples.safetensors.path, sha256(samples.safetensors.bytes)], ['config.json', null]] as const) {
      const rec = await e.airlock.app.airlock.storage.metadata.getArtifact('huggingface', purl, path);
      assert.ok(rec !== null, path);
      if (blob !== null) assert.equal(rec.blob, `sha256:${blob}`);
      assert.deepEqual([rec.sha512, rec.sha1, rec.firstSha512], [null, null, null], path);
    }
  });

  it('refuses a pickle that runs code when loaded, with the reason in the client\'s error', async () => {
    const r = await e.client({ op: 'fetch', repo: 'evil/backdoor', path: 'pytorch_model.bin' });
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.status, 403);
    assert.match(r.error, /evil\/backdoor@[0-9a-f]{12} \(pytorch_model\.bin\) is blocked by Airlock policy/);
    assert.match(r.error, /pytorch_model\.bin runs code when it is loaded/);
    assert.match(r.error, /\[model\.code_execution\]/);
    // The harmless file of the same commit is served.
    const config = await e.client({ op: 'fetch', repo: 'evil/backdoor', path: 'config.json' });
    assert.ok(config.ok && config.value !== null && config.value.size === 2);
  });

  it('quarantines a new commit, and a reviewer\'s release lets exactly that file through', async () => {
    e.hub.addRepo({ id: 'acme/fresh', createdAt: OLD });
    e.hub.commit('acme/fresh', [
      { path: samples.pytorch.path, bytes: samples.pytorch.bytes },
      { path: 'config.json', bytes: '{"fresh": true}' },
    ], { date: new Date() });
    const held = await e.client({ op: 'fetch', repo: 'acme/fresh', path: samples.pytorch.path });
    assert.ok(!held.ok);
    assert.equal(held.status, 403);
    assert.match(held.error, /is quarantined by Airlock: .*cooldown/);
    const id = quarantineIdIn(held.error);
    assert.notEqual(id, '');
    const released = await e.cli(['quarantine', 'release', id, '--reason', 'weights checked by the ML team']);
    assert.equal(released.code, 0, released.stderr);
    const now = await e.client({ op: 'fetch', repo: 'acme/fresh', path: samples.pytorch.path });
    assert.ok(now.ok && now.value !== null, now.ok ? '' : now.error);
    assert.equal(now.value.sha256, sha256(samples.pytorch.bytes));
    // The review covered the weights it was opened on; another file of the commit has a record of its own.
    const other = await e.client({ op: 'fetch', repo: 'acme/fresh', path: 'config.json' });
    assert.ok(!other.ok);
    assert.match(other.error, /acme\/fresh@[0-9a-f]{12} \(config\.json\) is quarantined by Airlock/);
    assert.notEqual(quarantineIdIn(other.error), id);
  });

  it('holds the Python code a little-used repo would run under trust_remote_code for review', async () => {
    e.hub.addRepo({ id: 'acme/custom', createdAt: OLD, downloads: 3 });
    e.hub.commit('acme/custom', [
      { path: 'config.json', bytes: '{"auto_map": {"AutoModel": "modeling_custom.CustomModel"}}' },
      { path: 'modeling_custom.py', bytes: 'import torch\nclass CustomModel(torch.nn.Module):\n    pass\n' },
    ], { date: OLD });
    const code = await e.client({ op: 'fetch', repo: 'acme/custom', path: 'modeling_custom.py' });
    assert.ok(!code.ok);
    assert.match(code.error, /modeling_custom\.py is Python code that transformers runs in your process when the repo is loaded with trust_remote_code=True \[model\.remote_code\]/);
    assert.notEqual(quarantineIdIn(code.error), '');
    const config = await e.client({ op: 'fetch', repo: 'acme/custom', path: 'config.json' });
    assert.ok(config.ok, config.ok ? '' : config.error);
  });

  it('downloads a dataset file into the client\'s cache', async () => {
    e.hub.addRepo({ type: 'dataset', id: 'acme/corpus', createdAt: OLD });
    e.hub.commit('datasets/acme/corpus', [{ path: 'data/train.csv', bytes: 'text,label\nhello,1\n' }], { date: OLD });
    const r = await e.client({ op: 'download', repo: { type: 'dataset', name: 'acme/corpus' }, path: 'data/train.csv' });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(await readFile(r.value, 'utf8'), 'text,label\nhello,1\n');
  });

  it('lists files whose names hold a % as the Hub lists them (plain text, not a URL), and serves the repo', async () => {
    // Before, each listed path was percent-decoded as if it came from a URL: `100%.txt` made the
    // whole tree refused (no file of the repo could be served) and `a%20b.txt` was read as
    // `a b.txt`. (This client puts a file path into the URL without encoding a `%`, so it cannot
    // ask for those two itself; huggingface_hub's requests for them are in hub-python-requests.)
    e.hub.addRepo({ id: 'acme/percent', createdAt: OLD });
    e.hub.commit('acme/percent', [
      { path: 'config.json', bytes: '{}' },
      { path: '100%.txt', bytes: 'all of it\n' },
      { path: 'a%20b.txt', bytes: 'not a space\n' },
      { path: 'a b.txt', bytes: 'a space\n' },
    ], { date: OLD });
    const listed = await e.client({ op: 'list', repo: 'acme/percent', recursive: true });
    assert.ok(listed.ok, listed.ok ? '' : listed.error);
    assert.deepEqual(listed.value.map((f) => f.path).sort(), ['.gitattributes', '100%.txt', 'a b.txt', 'a%20b.txt', 'config.json']);
    const spaced = await e.client({ op: 'download', repo: 'acme/percent', path: 'a b.txt' });
    assert.ok(spaced.ok, spaced.ok ? '' : spaced.error);
    assert.equal(await readFile(spaced.value, 'utf8'), 'a space\n');
  });

  it('lists every file of a big repo, page by page, from the tree Airlock verified against', async () => {
    e.hub.addRepo({ id: 'acme/many', createdAt: OLD });
    e.hub.commit('acme/many', Array.from({ length: 7 }, (_, i) => ({ path: `shard-${i}.json`, bytes: `{"i": ${i}}` })), { date: OLD });
    e.hub.pageSize = 2;
    try {
      const r = await e.client({ op: 'list', repo: 'acme/many', recursive: true });
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.value.map((f) => f.path).sort(), ['.gitattributes', ...Array.from({ length: 7 }, (_, i) => `shard-${i}.json`)].sort());
      assert.ok(r.value.every((f) => f.xetHash === undefined), 'no Xet hash reaches the client');
    } finally {
      e.hub.pageSize = 1000;
    }
  });

  it('pages a listing longer than its own page of 1,000 entries, with a Link the client follows to Airlock', async () => {
    e.hub.addRepo({ id: 'acme/sharded', createdAt: OLD });
    e.hub.commit('acme/sharded', Array.from({ length: 1005 }, (_, i) => ({ path: `shards/part-${String(i).padStart(4, '0')}.json`, bytes: `{"i": ${i}}` })), { date: OLD });
    const r = await e.client({ op: 'list', repo: 'acme/sharded', recursive: true });
    assert.ok(r.ok, r.ok ? '' : r.error);
    // 1,005 files, their folder and .gitattributes: two pages from Airlock.
    assert.equal(r.value.length, 1007);
    assert.equal(new Set(r.value.map((f) => f.path)).size, 1007);
    const first = await fetch(`${e.endpoint}/api/models/acme/sharded/tree/main?recursive=true`);
    assert.match(first.headers.get('link') ?? '', new RegExp(`^<${e.endpoint}/api/models/acme/sharded/tree/main\\?recursive=true&expand=false&cursor=1000>; rel="next"$`));
    await first.arrayBuffer();
  });

  it('says a repo that does not exist does not, and remembers who asked (hallucinated model names)', async () => {
    const r = await e.client({ op: 'fetch', repo: 'acme/llama-7b-instruct-hallucinated', path: 'config.json' });
    assert.ok(!r.ok);
    assert.equal(r.status, 404);
    assert.match(r.error, /does not exist upstream/);
    const missing = (await e.api('signals/missing?ecosystem=huggingface')) as { items: { name: string }[] };
    assert.ok(missing.items.some((m) => m.name === 'acme/llama-7b-instruct-hallucinated'));
  });
});
