/**
 * The requests huggingface_hub (Python) sends, as protocols/huggingface.md records them for
 * 2.0.0: the Python client cannot be installed on this machine (no package index for it), so its
 * call order is replayed over HTTP. `snapshot_download`: the info at the revision, the tree at the
 * commit, then per file a HEAD (with `Accept-Encoding: identity`) and a GET; `model_info(files_metadata=True)`
 * (`blobs=true`); `get_paths_info`, whose body is a form.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { modelSamples } from '../../support/hf-hub/index.ts';
import { hfE2e, OLD, type HfE2e } from './support.ts';

const samples = modelSamples();

describe("huggingface: huggingface_hub's requests", () => {
  let e: HfE2e;
  let commit: string;
  before(async () => {
    e = await hfE2e();
    e.hub.addRepo({ id: 'acme/tiny', createdAt: OLD });
    commit = e.hub.commit('acme/tiny', [
      { path: 'config.json', bytes: '{"hidden_size": 8}' },
      { path: 'weights/model.safetensors', bytes: samples.safetensors.bytes },
    ], { date: OLD });
  });
  after(async () => e.close());

  it('snapshot_download: info, tree, then HEAD and GET of each file at the commit', async () => {
    const info = (await (await fetch(`${e.endpoint}/api/models/acme/tiny/revision/main`)).json()) as { sha: string; siblings: { rfilename: string }[] };
    assert.equal(info.sha, commit);
    assert.deepEqual(info.siblings.map((s) => s.rfilename).sort(), ['.gitattributes', 'config.json', 'weights/model.safetensors']);
    const tree = (await (await fetch(`${e.endpoint}/api/models/acme/tiny/tree/${commit}?recursive=true&expand=false`)).json()) as { type: string; path: string; xetHash?: string }[];
    assert.deepEqual(tree.map((t) => `${t.type} ${t.path}`), ['file .gitattributes', 'file config.json', 'directory weights', 'file weights/model.safetensors']);
    for (const entry of tree.filter((t) => t.type === 'file')) {
      const url = `${e.endpoint}/acme/tiny/resolve/${commit}/${entry.path}`;
      const head = await fetch(url, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
      assert.equal(head.status, 200, entry.path);
      assert.equal(head.headers.get('x-repo-commit'), commit);
      const size = Number(head.headers.get('x-linked-size') ?? head.headers.get('content-length'));
      const got = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.equal(got.length, size, entry.path);
      const expected = e.hub.file('acme/tiny', entry.path);
      assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(expected.bytes).digest('hex'));
    }
  });

  it('hf_hub_download of files whose names hold a %: the path quoted as urllib quotes it (safe "/"), each file its own bytes', async () => {
    e.hub.addRepo({ id: 'acme/percent-py', createdAt: OLD });
    const files = { '100%.txt': 'all of it\n', 'a%20b.txt': 'not a space\n', 'a b.txt': 'a space\n', 'dir/50%/x.txt': 'nested\n' };
    const at = e.hub.commit('acme/percent-py', Object.entries(files).map(([path, bytes]) => ({ path, bytes })), { date: OLD });
    // urllib.parse.quote(path): every byte but letters, digits, `_.-~` and `/` as %XX.
    const quote = (path: string): string => path.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
    for (const [path, bytes] of Object.entries(files)) {
      const url = `${e.endpoint}/acme/percent-py/resolve/${at}/${quote(path)}`;
      const head = await fetch(url, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
      assert.equal(head.status, 200, path);
      const got = await fetch(url);
      assert.equal(got.status, 200, path);
      assert.equal(await got.text(), bytes, path);
    }
  });

  it('model_info(files_metadata=True): siblings with sizes and hashes from the tree Airlock checks against', async () => {
    const info = (await (await fetch(`${e.endpoint}/api/models/acme/tiny/revision/main?blobs=true`)).json()) as { siblings: { rfilename: string; size: number; lfs?: { sha256: string } }[] };
    const weights = info.siblings.find((s) => s.rfilename === 'weights/model.safetensors');
    assert.equal(weights?.size, samples.safetensors.bytes.length);
    assert.equal(weights?.lfs?.sha256, createHash('sha256').update(samples.safetensors.bytes).digest('hex'));
  });

  it('get_paths_info: a form body, paths that exist answered, others left out', async () => {
    const res = await fetch(`${e.endpoint}/api/models/acme/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'paths=config.json&paths=weights&paths=nope.bin&expand=True',
    });
    assert.equal(res.status, 200);
    const entries = (await res.json()) as { type: string; path: string }[];
    assert.deepEqual(entries.map((x) => `${x.type} ${x.path}`), ['file config.json', 'directory weights']);
    const bad = await fetch(`${e.endpoint}/api/models/acme/tiny/paths-info/main`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"paths": 3}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /paths-info takes/);
    // Slashes around a path are not part of it, however many: read in one pass (a pattern for it
    // backtracked, and the body is any client's to write: 40,000 slashes before an x took 1.2 s).
    const slashes = await fetch(`${e.endpoint}/api/models/acme/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['//config.json/', `${'/'.repeat(500_000)}x${'/'.repeat(2)}`] }),
    });
    assert.equal(slashes.status, 200);
    assert.deepEqual(((await slashes.json()) as { path: string }[]).map((x) => x.path), ['config.json']);
    // A path asked for again, in any spelling, is answered once: the answer is no bigger than the listing.
    const again = await fetch(`${e.endpoint}/api/models/acme/tiny/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths: [...Array.from({ length: 5_000 }, () => 'config.json'), '/weights/', 'config.json/', 'weights'] }),
    });
    assert.equal(again.status, 200);
    assert.deepEqual(((await again.json()) as { path: string }[]).map((x) => x.path), ['config.json', 'weights']);
  });

  it('a revision that does not exist, and a repo that does not: the codes the client acts on', async () => {
    const rev = await fetch(`${e.endpoint}/api/models/acme/tiny/revision/v9`);
    assert.equal(rev.status, 404);
    assert.equal(rev.headers.get('x-error-code'), 'RevisionNotFound');
    const repo = await fetch(`${e.endpoint}/acme/nothing-here/resolve/main/config.json`, { method: 'HEAD' });
    assert.equal(repo.status, 404);
    assert.equal(repo.headers.get('x-error-code'), 'RepoNotFound');
    assert.match(repo.headers.get('x-error-message') ?? '', /^Airlock: .*acme\/nothing-here does not exist upstream/);
  });
});
