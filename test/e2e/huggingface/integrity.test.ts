/**
 * What the Hub's clients do not check, Airlock does: bytes that do not match the tree's sha256 or
 * git object id are refused and never kept; a file is fetched once however many clients ask; a
 * kept commit is served while the Hub is down; and the headers huggingface_hub reads on a HEAD
 * (X-Repo-Commit, X-Linked-Etag, X-Error-Code and X-Error-Message) are there.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { modelSamples } from '../../support/hf-hub/index.ts';
import { hfE2e, OLD, type HfE2e } from './support.ts';

const samples = modelSamples();
const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

describe('huggingface: integrity, single flight, outages and the HEAD dialect', () => {
  let e: HfE2e;
  let commit: string;
  before(async () => {
    e = await hfE2e({ config: { metadataMaxAge: '0s' } });
    e.hub.addRepo({ id: 'acme/tiny', createdAt: OLD });
    commit = e.hub.commit('acme/tiny', [
      { path: 'config.json', bytes: '{"hidden_size": 8}' },
      { path: samples.safetensors.path, bytes: samples.safetensors.bytes },
      { path: 'tokenizer.json', bytes: '{"version": "1.0"}' },
    ], { date: OLD });
  });
  after(async () => e.close());

  it('refuses an LFS file whose bytes do not match its sha256, keeps nothing, and serves the right bytes later', async () => {
    e.hub.tamper('acme/tiny', samples.safetensors.path);
    const bad = await e.client({ op: 'fetch', repo: 'acme/tiny', path: samples.safetensors.path });
    assert.ok(!bad.ok);
    assert.equal(bad.status, 502);
    assert.match(bad.error, /do not match the sha256 and size the repo's tree gives.*nothing was stored/);
    e.hub.tamper('acme/tiny', samples.safetensors.path, null);
    const good = await e.client({ op: 'fetch', repo: 'acme/tiny', path: samples.safetensors.path });
    assert.ok(good.ok && good.value !== null, good.ok ? '' : good.error);
    assert.equal(good.value.sha256, sha256(samples.safetensors.bytes));
  });

  it('refuses a regular file whose bytes do not hash to its git object id', async () => {
    e.hub.tamper('acme/tiny', 'tokenizer.json');
    const bad = await e.client({ op: 'fetch', repo: 'acme/tiny', path: 'tokenizer.json' });
    assert.ok(!bad.ok);
    assert.match(bad.error, /do not match the git object id and size/);
    e.hub.tamper('acme/tiny', 'tokenizer.json', null);
    const good = await e.client({ op: 'fetch', repo: 'acme/tiny', path: 'tokenizer.json' });
    assert.ok(good.ok && good.value !== null);
    assert.equal(good.value.sha256, sha256('{"version": "1.0"}'));
  });

  it('refuses a file the tree gives another size than the upstream sends', async () => {
    e.hub.addRepo({ id: 'acme/liar', createdAt: OLD });
    e.hub.commit('acme/liar', [{ path: 'weights.safetensors', bytes: samples.safetensors.bytes }], { date: OLD });
    e.hub.lieAboutSize('acme/liar', 'weights.safetensors', samples.safetensors.bytes.length - 1);
    const r = await e.client({ op: 'fetch', repo: 'acme/liar', path: 'weights.safetensors' });
    assert.ok(!r.ok);
    assert.match(r.error, /refused, nothing was stored/);
  });

  it('fetches a file once from the upstream for clients asking at the same moment', async () => {
    e.hub.addRepo({ id: 'acme/popular', createdAt: OLD });
    e.hub.commit('acme/popular', [{ path: 'model.safetensors', bytes: samples.safetensors.bytes }], { date: OLD });
    e.hub.cdnDelayMs = 300;
    try {
      const before = e.hub.count((q) => q.origin === 'cdn' && q.method === 'GET');
      const all = await Promise.all([1, 2, 3].map(() => e.client({ op: 'fetch', repo: 'acme/popular', path: 'model.safetensors' })));
      for (const r of all) assert.ok(r.ok && r.value?.sha256 === sha256(samples.safetensors.bytes), r.ok ? '' : r.error);
      assert.equal(e.hub.count((q) => q.origin === 'cdn' && q.method === 'GET') - before, 1);
    } finally {
      e.hub.cdnDelayMs = 0;
    }
  });

  it('answers a HEAD as huggingface_hub needs it: the commit, the linked etag and size, no body, no Xet', async () => {
    const res = await fetch(`${e.endpoint}/acme/tiny/resolve/main/${samples.safetensors.path}`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-repo-commit'), commit);
    assert.equal(res.headers.get('x-linked-etag'), `"${sha256(samples.safetensors.bytes)}"`);
    assert.equal(res.headers.get('x-linked-size'), String(samples.safetensors.bytes.length));
    assert.equal(res.headers.get('content-length'), String(samples.safetensors.bytes.length));
    assert.equal(res.headers.get('x-xet-hash'), null);
    assert.equal(res.headers.get('location'), null);
    const regular = await fetch(`${e.endpoint}/acme/tiny/resolve/${commit}/config.json`, { method: 'HEAD' });
    assert.equal(regular.headers.get('etag'), `"${e.hub.file('acme/tiny', 'config.json').oid}"`);
    assert.equal(regular.headers.get('x-linked-etag'), null);
  });

  it('marks a missing file EntryNotFound with the commit, and a refusal GatedRepo with the message, on a HEAD too', async () => {
    const missing = await fetch(`${e.endpoint}/acme/tiny/resolve/main/generation_config.json`, { method: 'HEAD' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-error-code'), 'EntryNotFound');
    assert.equal(missing.headers.get('x-repo-commit'), commit);
    e.hub.addRepo({ id: 'evil/backdoor', createdAt: OLD });
    e.hub.commit('evil/backdoor', [{ path: 'pytorch_model.bin', bytes: samples.maliciousPickle.bytes }], { date: OLD });
    const get = await fetch(`${e.endpoint}/evil/backdoor/resolve/main/pytorch_model.bin`);
    assert.equal(get.status, 403);
    assert.equal(get.headers.get('x-error-code'), 'GatedRepo');
    assert.match(get.headers.get('x-error-message') ?? '', /^Airlock: evil\/backdoor@[0-9a-f]{12} \(pytorch_model\.bin\) is blocked by Airlock policy: .*runs code when it is loaded/);
    assert.match(((await get.json()) as { error: string }).error, /\[model\.code_execution\]/);
    // Once judged, a HEAD answers the refusal without a body.
    const head = await fetch(`${e.endpoint}/evil/backdoor/resolve/main/pytorch_model.bin`, { method: 'HEAD' });
    assert.equal(head.status, 403);
    assert.equal(head.headers.get('x-error-code'), 'GatedRepo');
  });

  it('serves a benign pickle-based checkpoint with the policy\'s warning where huggingface_hub logs it', async () => {
    e.hub.addRepo({ id: 'acme/classic', createdAt: OLD });
    e.hub.commit('acme/classic', [
      { path: samples.pytorch.path, bytes: samples.pytorch.bytes },
      { path: samples.safetensors.path, bytes: samples.safetensors.bytes },
    ], { date: OLD });
    const res = await fetch(`${e.endpoint}/acme/classic/resolve/main/${samples.pytorch.path}`);
    assert.equal(res.status, 200);
    assert.equal(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex'), sha256(samples.pytorch.bytes));
    assert.match(res.headers.get('x-hf-warning') ?? '', /^Airlock; acme\/classic@[0-9a-f]{12}: pytorch_model\.bin is pickle-based .*prefer model\.safetensors/);
    const safe = await fetch(`${e.endpoint}/acme/classic/resolve/main/${samples.safetensors.path}`);
    assert.equal(safe.headers.get('x-hf-warning'), null);
    await safe.arrayBuffer();
  });

  it('refuses a tree the upstream cannot list, naming the problem', async () => {
    e.hub.addRepo({ id: 'acme/broken', createdAt: OLD });
    e.hub.commit('acme/broken', [{ path: 'config.json', bytes: '{}' }], { date: OLD });
    e.hub.breakTree(0);
    try {
      const r = await e.client({ op: 'fetch', repo: 'acme/broken', path: 'config.json' });
      assert.ok(!r.ok);
      assert.equal(r.status, 502);
      assert.match(r.error, /the upstream's tree of acme\/broken at [0-9a-f]{40} is not JSON/);
    } finally {
      e.hub.breakTree(false);
    }
    const fixed = await e.client({ op: 'fetch', repo: 'acme/broken', path: 'config.json' });
    assert.ok(fixed.ok && fixed.value?.size === 2, fixed.ok ? '' : fixed.error);
  });

  it('serves ranges, as @huggingface/hub reads them', async () => {
    const res = await fetch(`${e.endpoint}/acme/tiny/resolve/main/config.json`, { headers: { range: 'bytes=2-7' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), 'bytes 2-7/18');
    assert.equal(await res.text(), 'hidden');
    const whole = await fetch(`${e.endpoint}/acme/tiny/resolve/main/config.json`, { headers: { range: 'bytes=18-' } });
    assert.equal(whole.status, 416);
    assert.equal(whole.headers.get('content-range'), 'bytes */18');
  });

  it('follows a branch to its new commit once the old one is past metadataMaxAge', async () => {
    e.hub.addRepo({ id: 'acme/moving', createdAt: OLD });
    const first = e.hub.commit('acme/moving', [{ path: 'config.json', bytes: '{"v": 1}' }], { date: OLD });
    const one = await fetch(`${e.endpoint}/acme/moving/resolve/main/config.json`);
    assert.equal(one.headers.get('x-repo-commit'), first);
    assert.equal(await one.text(), '{"v": 1}');
    const second = e.hub.commit('acme/moving', [{ path: 'config.json', bytes: '{"v": 2}' }], { date: OLD });
    const two = await fetch(`${e.endpoint}/acme/moving/resolve/main/config.json`);
    assert.equal(two.headers.get('x-repo-commit'), second);
    assert.equal(await two.text(), '{"v": 2}');
    // The first commit stays what it was.
    assert.equal(await (await fetch(`${e.endpoint}/acme/moving/resolve/${first}/config.json`)).text(), '{"v": 1}');
  });

  it('serves a kept commit while the Hub is down: by its commit, and by its branch within stale-if-error', async () => {
    const first = await e.client({ op: 'fetch', repo: 'acme/tiny', path: 'config.json' });
    assert.ok(first.ok);
    e.hub.down('refuse');
    try {
      const byCommit = await e.client({ op: 'fetch', repo: 'acme/tiny', path: 'config.json', revision: commit });
      assert.ok(byCommit.ok && byCommit.value?.size === 18, byCommit.ok ? '' : byCommit.error);
      const byBranch = await e.client({ op: 'fetch', repo: 'acme/tiny', path: 'config.json' });
      assert.ok(byBranch.ok && byBranch.value?.size === 18, byBranch.ok ? '' : byBranch.error);
    } finally {
      e.hub.down(false);
    }
  });
});
