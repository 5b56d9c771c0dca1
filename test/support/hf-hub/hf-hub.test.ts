/**
 * The fixture Hub is real: the real `@huggingface/hub` client (in a process of its own, no Airlock
 * in between) snapshots, downloads, lists and reads from it, following its LFS redirects to the
 * CDN; its object ids are the ones git computes; its errors reach the client as the Hub's do.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { FixtureHub, gitBlobOid, hfClient, lfsPointer, modelSamples, sha256Hex, type FixtureHubOptions, type HfClientOp, type HfClientResult, type HfClientValues } from './index.ts';

const dirs: string[] = [];
const hubs: FixtureHub[] = [];

async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'airlock-hf-fixture-'));
  dirs.push(d);
  return d;
}

async function startHub(options: FixtureHubOptions = {}): Promise<FixtureHub> {
  const hub = await new FixtureHub(options).start();
  hubs.push(hub);
  return hub;
}

async function client<O extends HfClientOp>(hub: FixtureHub, op: O, extra: { cacheDir?: string; accessToken?: string } = {}): Promise<HfClientResult<HfClientValues[O['op']]>> {
  return hfClient(op, { hubUrl: hub.url, cacheDir: extra.cacheDir ?? (await scratch()), ...(extra.accessToken === undefined ? {} : { accessToken: extra.accessToken }) });
}

function ok<T>(r: HfClientResult<T>): T {
  if (!r.ok) assert.fail(`client failed: ${r.error}\n${r.stderr}`);
  return r.value;
}

after(async () => {
  for (const h of hubs) await h.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const CONFIG = '{"architectures": ["TinyModel"], "hidden_size": 8}\n';
const WEIGHTS = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
const T0 = new Date('2024-03-01T12:00:00.000Z');
const T1 = new Date('2024-03-02T08:30:00.000Z');

/** acme/tiny: config.json, model.safetensors (LFS), onnx/model.onnx (LFS) and onnx/README.md, in one commit after the initial one. */
function tinyModel(hub: FixtureHub): string {
  hub.addRepo({ id: 'acme/tiny', createdAt: T0, library_name: 'transformers', pipeline_tag: 'text-generation', tags: ['transformers', 'safetensors'], downloads: 42, likes: 3 });
  return hub.commit(
    'acme/tiny',
    [
      { path: 'config.json', bytes: CONFIG },
      { path: 'model.safetensors', bytes: WEIGHTS },
      { path: 'onnx/model.onnx', bytes: WEIGHTS.subarray(0, 999) },
      { path: 'onnx/README.md', bytes: '# ONNX export\n' },
    ],
    { date: T1, message: 'Upload weights' },
  );
}

test('object ids are the ones git computes: blobs, LFS pointers, trees and commits', async () => {
  const hub = await startHub();
  const sha = tinyModel(hub);
  const dir = await scratch();
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Fixture Hub',
    GIT_AUTHOR_EMAIL: 'hub@fixture.invalid',
    GIT_COMMITTER_NAME: 'Fixture Hub',
    GIT_COMMITTER_EMAIL: 'hub@fixture.invalid',
  };
  const git = (args: string[], date?: Date): string =>
    execFileSync('git', args, { cwd: dir, env: date === undefined ? env : { ...env, GIT_AUTHOR_DATE: `@${date.getTime() / 1000} +0000`, GIT_COMMITTER_DATE: `@${date.getTime() / 1000} +0000` } }).toString('utf8').trim();
  git(['init', '-q', '.']);
  const put = async (path: string, bytes: Buffer): Promise<void> => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  };
  // Each file as git stores it (LFS files as their pointers), hashed by git itself.
  const initial = hub.file('acme/tiny', '.gitattributes', 'main');
  await put('.gitattributes', initial.bytes);
  assert.equal(git(['hash-object', '.gitattributes']), initial.oid);
  git(['add', '-A']);
  const first = git(['commit-tree', git(['write-tree']), '-m', 'initial commit'], T0);
  for (const path of ['config.json', 'model.safetensors', 'onnx/model.onnx', 'onnx/README.md']) {
    const f = hub.file('acme/tiny', path);
    const stored = f.lfs ? Buffer.from(lfsPointer(f.sha256, f.size)) : f.bytes;
    await put(path, stored);
    assert.equal(git(['hash-object', path]), f.oid, path);
    assert.equal(gitBlobOid(stored), f.oid, path);
    if (f.lfs) {
      assert.equal(f.sha256, sha256Hex(f.bytes));
      assert.equal(f.pointerSize, stored.length);
    }
  }
  git(['add', '-A']);
  const tree = git(['write-tree']);
  assert.equal(git(['commit-tree', tree, '-p', first, '-m', 'Upload weights'], T1), sha);
  const listed = ok(await client(hub, { op: 'list', repo: 'acme/tiny' }));
  assert.equal(listed.find((e) => e.path === 'onnx')?.oid, git(['rev-parse', `${tree}:onnx`]));
  assert.equal(hub.file('acme/tiny', 'model.safetensors').lfs, true);
  assert.equal(hub.file('acme/tiny', 'config.json').lfs, false);
});

test('snapshotDownload fetches a model with a nested folder, its LFS files through the 302 to the CDN', async () => {
  const hub = await startHub({ xetFileInfo: false });
  const sha = tinyModel(hub);
  const cacheDir = await scratch();
  const folder = ok(await client(hub, { op: 'snapshot', repo: 'acme/tiny' }, { cacheDir }));
  assert.equal(folder, join(cacheDir, 'models--acme--tiny', 'snapshots', sha));
  assert.equal(await readFile(join(cacheDir, 'models--acme--tiny', 'refs', 'main'), 'utf8'), sha);
  for (const path of ['.gitattributes', 'config.json', 'model.safetensors', 'onnx/model.onnx', 'onnx/README.md']) {
    const f = hub.file('acme/tiny', path);
    assert.ok((await lstat(join(folder, path))).isSymbolicLink(), path);
    assert.deepEqual(await readFile(join(folder, path)), f.bytes, path);
    // The cache names a blob by lfs.oid (sha256) for LFS files, by the git oid otherwise.
    assert.equal(await realpath(join(folder, path)), await realpath(join(cacheDir, 'models--acme--tiny', 'blobs', f.lfs ? f.sha256 : f.oid)));
  }
  assert.ok(!(await readlink(join(folder, 'config.json'))).startsWith('/'), 'relative symlinks');
  // What the client asked: info for `sha`, the recursive tree at the commit, per file paths-info + resolve.
  assert.equal(hub.count((r) => r.path.startsWith(`/api/models/acme/tiny/revision/main?`) && r.path.includes('expand=sha')), 1);
  assert.equal(hub.count(`/api/models/acme/tiny/tree/${sha}?recursive=true&expand=false`), 1);
  assert.equal(hub.count(`/api/models/acme/tiny/paths-info/${sha}`), 5);
  const cdnGets = hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET');
  assert.equal(cdnGets.length, 4, 'two LFS files: a Range probe and a full read each');
  assert.ok(cdnGets.every((r) => r.status === 200 || r.status === 206));
});

test('downloadFileToCacheDir fetches a dataset file by its own URL prefix', async () => {
  const hub = await startHub({ xetFileInfo: false });
  hub.addRepo({ type: 'dataset', id: 'acme/corpus', createdAt: T0, tags: ['task_categories:text-generation'] });
  const rows = Buffer.from('{"text": "a"}\n{"text": "b"}\n'.repeat(500));
  const sha = hub.commit({ type: 'dataset', name: 'acme/corpus' }, [{ path: 'data/train.jsonl', bytes: rows }, { path: 'data/train-00000.parquet', bytes: Buffer.alloc(2048, 5), lfs: true }], { date: T1 });
  const cacheDir = await scratch();
  for (const path of ['data/train.jsonl', 'data/train-00000.parquet']) {
    const pointer = ok(await client(hub, { op: 'download', repo: { type: 'dataset', name: 'acme/corpus' }, path }, { cacheDir }));
    // Without a commit revision, the snapshot folder is the file's last commit (lastCommit from paths-info).
    assert.equal(pointer, join(cacheDir, 'datasets--acme--corpus', 'snapshots', sha, path));
    assert.deepEqual(await readFile(pointer), hub.file('datasets/acme/corpus', path).bytes);
  }
  assert.equal(hub.count('/datasets/acme/corpus/resolve/main/data/train.jsonl'), 2);
  assert.equal(hub.count('/api/datasets/acme/corpus/paths-info/main'), 2);
  const info = ok(await client(hub, { op: 'info', repo: 'datasets/acme/corpus' }));
  assert.equal(info.sha, sha);
  assert.equal(info.name, 'acme/corpus');
});

test('tree pagination: listFiles follows the absolute Link until the last page', async () => {
  const hub = await startHub({ pageSize: 2 });
  tinyModel(hub);
  const all = ok(await client(hub, { op: 'list', repo: 'acme/tiny', recursive: true }));
  assert.deepEqual(
    all.map((e) => `${e.type}:${e.path}`),
    ['file:.gitattributes', 'file:config.json', 'file:model.safetensors', 'directory:onnx', 'file:onnx/README.md', 'file:onnx/model.onnx'],
  );
  assert.equal(hub.count('/api/models/acme/tiny/tree/main?'), 3);
  const lfs = all.find((e) => e.path === 'model.safetensors');
  assert.deepEqual(lfs?.lfs, { oid: sha256Hex(WEIGHTS), size: WEIGHTS.length, pointerSize: lfsPointer(sha256Hex(WEIGHTS), WEIGHTS.length).length });
  assert.match(lfs?.xetHash ?? '', /^[0-9a-f]{64}$/);
  assert.equal(lfs?.size, WEIGHTS.length);
  const top = ok(await client(hub, { op: 'list', repo: 'acme/tiny' }));
  assert.deepEqual(top.map((e) => e.path), ['.gitattributes', 'config.json', 'model.safetensors', 'onnx']);
  const sub = ok(await client(hub, { op: 'list', repo: 'acme/tiny', path: 'onnx', expand: true }));
  assert.deepEqual(sub.map((e) => e.path), ['onnx/README.md', 'onnx/model.onnx']);
  assert.equal(sub[0]?.lastCommit?.title, 'Upload weights');
  const res = await fetch(`${hub.url}/api/models/acme/tiny/tree/main?recursive=true`);
  assert.match(res.headers.get('link') ?? '', new RegExp(`^<${hub.url}/api/models/acme/tiny/tree/main\\?recursive=true&cursor=[^>]+>; rel="next"$`));
});

test('missing files, revisions and repositories answer as the Hub does, and the client reports them so', async () => {
  const hub = await startHub({ xetFileInfo: false });
  const sha = tinyModel(hub);
  assert.equal(ok(await client(hub, { op: 'fetch', repo: 'acme/tiny', path: 'nope.bin' })), null);
  assert.equal(ok(await client(hub, { op: 'fileInfo', repo: 'acme/tiny', path: 'nope.bin' })), null);
  const entry = await fetch(`${hub.url}/acme/tiny/resolve/main/nope.bin`, { method: 'HEAD' });
  assert.equal(entry.status, 404);
  assert.equal(entry.headers.get('x-error-code'), 'EntryNotFound');
  assert.equal(entry.headers.get('x-repo-commit'), sha);
  const download = await client(hub, { op: 'download', repo: 'acme/tiny', path: 'nope.bin' });
  assert.ok(!download.ok && download.error.includes('cannot get path info for nope.bin'));

  const repo = await client(hub, { op: 'info', repo: 'acme/missing' });
  assert.ok(!repo.ok);
  assert.equal(repo.status, 404);
  assert.match(repo.error, /^Repository not found\. URL: /);
  const head = await fetch(`${hub.url}/acme/missing/resolve/main/config.json`, { method: 'HEAD' });
  assert.equal(head.headers.get('x-error-code'), 'RepoNotFound');
  assert.equal(head.headers.get('x-error-message'), 'Repository not found');

  const rev = await client(hub, { op: 'list', repo: 'acme/tiny', revision: 'v9' });
  assert.ok(!rev.ok && rev.status === 404 && rev.error.startsWith('Invalid rev id: v9'));
  const revHead = await fetch(`${hub.url}/acme/tiny/resolve/v9/config.json`, { method: 'HEAD' });
  assert.equal(revHead.headers.get('x-error-code'), 'RevisionNotFound');

  hub.removeRepo('acme/tiny');
  const gone = await client(hub, { op: 'pathsInfo', repo: 'acme/tiny', paths: ['config.json'] });
  assert.ok(!gone.ok && gone.error.startsWith('Repository not found'));
});

test('fetch reads files byte for byte, regular and LFS, at branches, tags, commits and refs/pr', async () => {
  const hub = await startHub({ xetFileInfo: false });
  const first = tinyModel(hub);
  hub.tag('acme/tiny', 'v1');
  const second = hub.commit('acme/tiny', [{ path: 'config.json', bytes: '{"hidden_size": 16}\n' }], { remove: ['onnx'] });
  hub.commit('acme/tiny', [{ path: 'config.json', bytes: '{"pr": true}\n' }], { branch: 'refs/pr/1', message: 'PR' });
  const read = async (path: string, revision?: string): Promise<Buffer | null> => {
    const v = ok(await client(hub, { op: 'fetch', repo: 'acme/tiny', path, base64: true, ...(revision === undefined ? {} : { revision }) }));
    if (v === null) return null;
    assert.equal(v.sha256, sha256Hex(Buffer.from(v.base64 ?? '', 'base64')));
    return Buffer.from(v.base64 ?? '', 'base64');
  };
  assert.deepEqual(await read('model.safetensors'), WEIGHTS);
  assert.equal((await read('config.json'))?.toString(), '{"hidden_size": 16}\n');
  assert.equal((await read('config.json', 'v1'))?.toString(), CONFIG);
  assert.equal((await read('config.json', first))?.toString(), CONFIG);
  assert.equal((await read('config.json', 'refs/pr/1'))?.toString(), '{"pr": true}\n');
  assert.equal(hub.count('/acme/tiny/resolve/refs%2Fpr%2F1/config.json'), 2);
  assert.equal(await read('onnx/README.md'), null, 'removed on main');
  assert.deepEqual(await read('onnx/model.onnx', 'v1'), WEIGHTS.subarray(0, 999));
  const info = ok(await client(hub, { op: 'info', repo: 'acme/tiny', additionalFields: ['sha', 'createdAt', 'library_name'] }));
  assert.equal(info.sha, second);
  assert.equal(info['library_name'], 'transformers');
  assert.equal(info['createdAt'], T0.toISOString());
  assert.equal(info['task'], 'text-generation');
  // An unchanged file keeps the commit that last changed it.
  const [weights] = ok(await client(hub, { op: 'pathsInfo', repo: 'acme/tiny', paths: ['model.safetensors'], expand: true }));
  assert.equal(weights?.lastCommit?.id, first);
});

test('resolve and CDN headers, ranges, info JSON with blobs and expand, form-encoded paths-info', async () => {
  const hub = await startHub({ xetFileInfo: false });
  const sha = tinyModel(hub);
  const weights = hub.file('acme/tiny', 'model.safetensors');
  const redirect = await fetch(`${hub.url}/acme/tiny/resolve/main/model.safetensors`, { method: 'HEAD', redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('x-repo-commit'), sha);
  assert.equal(redirect.headers.get('x-linked-etag'), `"${weights.sha256}"`);
  assert.equal(redirect.headers.get('x-linked-size'), String(WEIGHTS.length));
  assert.equal(redirect.headers.get('x-xet-hash'), weights.xetHash);
  assert.match(redirect.headers.get('link') ?? '', /\/api\/models\/acme\/tiny\/xet-read-token\/[0-9a-f]{40}>; rel="xet-auth"/);
  const location = redirect.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${hub.cdnUrl}/repos/`));
  const part = await fetch(location, { headers: { range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 10-19/${WEIGHTS.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), WEIGHTS.subarray(10, 20));
  const forged = await fetch(location.replace(/Signature=[0-9a-f]+/, 'Signature=00'));
  assert.equal(forged.status, 403);
  await forged.body?.cancel();

  const config = await fetch(`${hub.url}/acme/tiny/resolve/${sha}/config.json`, { headers: { range: 'bytes=-5' } });
  assert.equal(config.status, 206);
  assert.equal(config.headers.get('etag'), `"${gitBlobOid(Buffer.from(CONFIG))}"`);
  assert.equal(await config.text(), CONFIG.slice(-5));
  const beyond = await fetch(`${hub.url}/acme/tiny/resolve/main/config.json`, { headers: { range: `bytes=${CONFIG.length}-` } });
  assert.equal(beyond.status, 416);

  const blobs = (await (await fetch(`${hub.url}/api/models/acme/tiny?blobs=true`)).json()) as { siblings: Array<Record<string, unknown>>; modelId: string; sha: string };
  assert.equal(blobs.modelId, 'acme/tiny');
  assert.deepEqual(blobs.siblings.find((s) => s['rfilename'] === 'model.safetensors'), { rfilename: 'model.safetensors', size: WEIGHTS.length, blobId: weights.oid, lfs: { sha256: weights.sha256, size: WEIGHTS.length, pointerSize: weights.pointerSize } });
  const expanded = (await (await fetch(`${hub.url}/api/models/acme/tiny/revision/main?expand=sha&expand=likes&expand=nonsense`)).json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(expanded), ['_id', 'id', 'sha', 'likes']);

  const form = await fetch(`${hub.url}/api/models/acme/tiny/paths-info/main`, { method: 'POST', body: new URLSearchParams([['paths', 'config.json'], ['paths', 'onnx'], ['paths', 'nope'], ['expand', 'True']]) });
  const entries = (await form.json()) as Array<{ path: string; type: string; lastCommit?: { id: string } }>;
  assert.deepEqual(entries.map((e) => `${e.type}:${e.path}:${e.lastCommit?.id}`), [`file:config.json:${sha}`, `directory:onnx:${sha}`]);
  const huge = await fetch(`${hub.url}/api/models/acme/tiny/paths-info/main`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paths: ['x'.repeat(1024 * 1024)] }) }).catch(() => null);
  assert.ok(huge === null || huge.status === 413);
});

test('by default a Xet-backed file answers the JS client with Xet file info, which a gateway must not pass on', async () => {
  const hub = await startHub();
  tinyModel(hub);
  const info = ok(await client(hub, { op: 'fileInfo', repo: 'acme/tiny', path: 'model.safetensors' }));
  assert.equal(info?.xet?.hash, hub.file('acme/tiny', 'model.safetensors').xetHash);
  const read = await client(hub, { op: 'fetch', repo: 'acme/tiny', path: 'model.safetensors' });
  assert.ok(!read.ok);
  assert.ok(hub.count('/xet-read-token/') > 0);
  assert.equal(ok(await client(hub, { op: 'fetch', repo: 'acme/tiny', path: 'config.json' }))?.size, CONFIG.length, 'regular files are not Xet');
});

test('hostile switches: tampered bytes (the client keeps them: it checks sizes only), size lies, a non-JSON tree, an outage', async () => {
  const hub = await startHub({ xetFileInfo: false });
  tinyModel(hub);
  hub.tamper('acme/tiny', 'model.safetensors');
  const tampered = ok(await client(hub, { op: 'fetch', repo: 'acme/tiny', path: 'model.safetensors' }));
  assert.equal(tampered?.size, WEIGHTS.length);
  assert.notEqual(tampered?.sha256, sha256Hex(WEIGHTS));
  const cacheDir = await scratch();
  const pointer = ok(await client(hub, { op: 'download', repo: 'acme/tiny', path: 'model.safetensors' }, { cacheDir }));
  assert.equal(await realpath(pointer), await realpath(join(cacheDir, 'models--acme--tiny', 'blobs', sha256Hex(WEIGHTS))), 'stored under the hash it does not have');
  assert.notDeepEqual(await readFile(pointer), WEIGHTS);
  hub.tamper('acme/tiny', 'model.safetensors', null);
  hub.tamper('acme/tiny', 'config.json', Buffer.from('{"evil": 1}\n'));
  assert.equal(ok(await client(hub, { op: 'fetch', repo: 'acme/tiny', path: 'config.json' }))?.sha256, sha256Hex('{"evil": 1}\n'));

  hub.lieAboutSize('acme/tiny', 'model.safetensors', 12);
  const [lie] = ok(await client(hub, { op: 'pathsInfo', repo: 'acme/tiny', paths: ['model.safetensors'] }));
  assert.equal(lie?.size, 12);
  assert.equal(lie?.lfs?.size, 12);
  hub.lieAboutSize('acme/tiny', 'model.safetensors', null);

  hub.pageSize = 2;
  hub.breakTree(1);
  const broken = await client(hub, { op: 'list', repo: 'acme/tiny', recursive: true });
  assert.ok(!broken.ok, 'the second page is HTML');
  hub.breakTree(false);

  hub.down();
  const down = await client(hub, { op: 'info', repo: 'acme/tiny' });
  assert.ok(!down.ok && down.status === 503);
  hub.down('refuse');
  const refused = await client(hub, { op: 'info', repo: 'acme/tiny' });
  assert.ok(!refused.ok && refused.error === 'fetch failed');
  hub.down(false);
  assert.ok(ok(await client(hub, { op: 'info', repo: 'acme/tiny' })).sha !== undefined);
});

test('tokens: private repositories need one, gated ones for files; unknown tokens are refused', async () => {
  const token = 'hf_fixturetoken0123456789';
  const hub = await startHub({ tokens: [token], xetFileInfo: false });
  hub.addRepo({ id: 'acme/secret', private: true });
  hub.addRepo({ id: 'acme/gated', gated: 'manual' });
  hub.commit('acme/gated', [{ path: 'config.json', bytes: CONFIG }]);
  const hidden = await client(hub, { op: 'info', repo: 'acme/secret' });
  assert.ok(!hidden.ok && hidden.status === 401 && hidden.error.startsWith('Repository not found'));
  assert.equal(ok(await client(hub, { op: 'info', repo: 'acme/secret' }, { accessToken: token })).name, 'acme/secret');
  assert.equal(ok(await client(hub, { op: 'info', repo: 'acme/gated' })).gated, 'manual');
  const gated = await client(hub, { op: 'fetch', repo: 'acme/gated', path: 'config.json' });
  assert.ok(!gated.ok && gated.status === 401 && gated.error.includes('is restricted'));
  assert.equal(ok(await client(hub, { op: 'fetch', repo: 'acme/gated', path: 'config.json' }, { accessToken: token }))?.size, CONFIG.length);
  const wrong = await client(hub, { op: 'info', repo: 'acme/gated' }, { accessToken: 'hf_wrong' });
  assert.ok(!wrong.ok && wrong.status === 401 && wrong.error.startsWith('Invalid credentials'));
  assert.ok(hub.requests.some((r) => r.headers.authorization === `Bearer ${token}`), 'the log keeps the headers');
});

test('a legacy one-segment model id, CDN delays and request counting', async () => {
  const hub = await startHub({ xetFileInfo: false, cdnDelayMs: 150 });
  hub.addRepo({ id: 'gpt2' });
  hub.commit('gpt2', [{ path: 'pytorch_model.bin', bytes: WEIGHTS }]);
  const started = Date.now();
  const reads = await Promise.all([1, 2, 3].map(async () => ok(await client(hub, { op: 'fetch', repo: 'gpt2', path: 'pytorch_model.bin' }))));
  assert.ok(reads.every((r) => r?.sha256 === sha256Hex(WEIGHTS)));
  assert.ok(Date.now() - started >= 300, 'two delayed CDN answers per read');
  assert.equal(hub.count((r) => r.origin === 'cdn' && r.method === 'GET' && r.headers.range === undefined), 3);
  assert.equal(hub.count('/gpt2/resolve/main/pytorch_model.bin'), 6);
});

test('model samples: a benign safetensors, a benign PyTorch zip checkpoint, a malicious pickle .bin', () => {
  const s = modelSamples();
  assert.equal(s.safetensors.verdict, 'safe');
  assert.equal(s.pytorch.verdict, 'safe');
  assert.equal(s.maliciousPickle.verdict, 'malicious');
  assert.equal(s.maliciousPickle.path, 'pytorch_model.bin');
  assert.ok(s.maliciousPickle.bytes.includes(Buffer.from('system')));
  assert.equal(createHash('sha256').update(s.safetensors.bytes).digest('hex').length, 64);
});
