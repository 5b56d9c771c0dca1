/**
 * `airlock check huggingface` agrees with the real `@huggingface/hub` client: a safetensors
 * model the check allows downloads; a pickle checkpoint is reported as the file still to be
 * scanned, the real download is refused by that scan, and the check then (the file held) gives
 * the same verdict and rule; a young commit is quarantined by the cooldown, and the Python code
 * of a little-used repo per file, as the real downloads are; weights replaced after signing are
 * refused from the tree's sha256 alone; an unknown repo and an unknown revision have the
 * not-found statuses. No file but a commit's model.sig is fetched by a check, and nothing is
 * recorded: no decision, no quarantine record, no audit event (an unknown repo goes to the
 * missing-name ledger, as a client's request does).
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePurl } from '../../../src/core/index.ts';
import { signModelFiles } from '../../../src/verify/model-signing/test-support.ts';
import { modelSamples } from '../../support/hf-hub/index.ts';
import { addTinyModel, hfE2e, OLD, quarantineIdIn, type HfE2e } from './support.ts';

const samples = modelSamples();

interface Reason {
  readonly message: string;
  readonly rule?: string;
}

interface Part {
  readonly label: string;
  readonly verdict: string;
  readonly decidedBy: string[];
  readonly reasons: Reason[];
  readonly warnings: Reason[];
  readonly notJudged: string | null;
  readonly quarantineId: string | null;
}

interface Checked {
  readonly status: string;
  readonly name: string;
  readonly requested: string | null;
  readonly version: string | null;
  readonly purl: string | null;
  readonly verdict: string | null;
  readonly decidedBy: string[];
  readonly reasons: Reason[];
  readonly warnings: Reason[];
  readonly quarantineId: string | null;
  readonly message: string | null;
  readonly phase: string;
  readonly notJudged: string | null;
  readonly facts: { hub?: { type: string; id: string }; files?: { pickle_based: string[]; safetensors: number; signed: boolean } } | null;
  readonly parts: Part[] | null;
}

/** What a check must not change: decisions, quarantine records, the audit trail. */
async function ledger(e: HfE2e): Promise<{ decisions: number; quarantines: number; audit: number }> {
  const decisions = ((await e.api('decisions?limit=500')) as { items: unknown[] }).items.length;
  const quarantines = ((await e.api('quarantine?limit=500')) as { items: unknown[] }).items.length;
  const audit = ((await e.api('audit?limit=1000')) as { items: unknown[] }).items.length;
  return { decisions, quarantines, audit };
}

/** Requests for a file's bytes (the Hub's resolve route, or the CDN), but a model.sig. */
function fileFetches(e: HfE2e): number {
  return e.hub.count((q) => q.origin === 'cdn' || (q.path.includes('/resolve/') && !q.path.split('?')[0]?.endsWith('/model.sig')));
}

/**
 * `airlock check huggingface ARGS --format json`: the results, and that it recorded nothing and
 * fetched no file's bytes.
 */
async function check(e: HfE2e, ...args: string[]): Promise<{ code: number | null; results: Checked[]; stderr: string }> {
  const before = await ledger(e);
  const fetched = fileFetches(e);
  const r = await e.cli(['check', 'huggingface', ...args, '--format', 'json']);
  const parsed = r.stdout.trim() === '' ? [] : (JSON.parse(r.stdout) as Checked | Checked[]);
  assert.deepEqual(await ledger(e), before, 'the check recorded no decision, quarantine record or audit event');
  assert.equal(fileFetches(e), fetched, 'the check fetched no file');
  return { code: r.code, results: Array.isArray(parsed) ? parsed : [parsed], stderr: r.stderr };
}

const one = async (e: HfE2e, ...args: string[]): Promise<Checked & { code: number | null }> => {
  const r = await check(e, ...args);
  assert.equal(r.results.length, 1, r.stderr);
  return { ...(r.results[0] as Checked), code: r.code };
};

const part = (c: Checked, path: string): Part => {
  const p = c.parts?.find((x) => x.label === path);
  assert.ok(p !== undefined, `no part for ${path}: ${JSON.stringify(c.parts?.map((x) => x.label))}`);
  return p;
};

describe('airlock check huggingface, against the real @huggingface/hub client', () => {
  let e: HfE2e;
  before(async () => {
    e = await hfE2e();
    addTinyModel(e.hub, samples.safetensors);
    e.hub.tag('acme/tiny', 'v1');
    e.hub.addRepo({ id: 'evil/backdoor', createdAt: OLD, downloads: 50 });
    e.hub.commit('evil/backdoor', [
      { path: 'config.json', bytes: '{}' },
      { path: 'pytorch_model.bin', bytes: samples.maliciousPickle.bytes },
    ], { date: OLD });
    e.hub.addRepo({ id: 'acme/fresh', createdAt: OLD });
    e.hub.commit('acme/fresh', [
      { path: samples.pytorch.path, bytes: samples.pytorch.bytes },
      { path: 'config.json', bytes: '{"fresh": true}' },
    ], { date: new Date() });
    e.hub.addRepo({ id: 'acme/custom', createdAt: OLD, downloads: 3 });
    e.hub.commit('acme/custom', [
      { path: 'config.json', bytes: '{"auto_map": {"AutoModel": "modeling_custom.CustomModel"}}' },
      { path: 'modeling_custom.py', bytes: 'import torch\nclass CustomModel(torch.nn.Module):\n    pass\n' },
    ], { date: OLD });
    e.hub.addRepo({ type: 'dataset', id: 'acme/corpus', createdAt: OLD });
    e.hub.commit('datasets/acme/corpus', [{ path: 'data/train.csv', bytes: 'text,label\nhello,1\n' }], { date: OLD });
  });
  after(async () => e?.close());

  it('a safetensors model: allowed, each file said to be scanned when downloaded; the real client downloads it; once held, its files are scanned by the check', async () => {
    const c = await one(e, 'acme/tiny');
    assert.equal(c.code, 0, JSON.stringify(c));
    assert.equal(c.status, 'judged');
    assert.equal(c.verdict, 'allow');
    assert.equal(c.requested, null);
    assert.equal(c.version, e.hub.sha('acme/tiny'));
    assert.equal(c.purl, makePurl('huggingface', 'acme/tiny', e.hub.sha('acme/tiny')));
    assert.equal(c.phase, 'metadata');
    assert.equal(c.facts?.files?.safetensors, 1);
    assert.deepEqual(c.facts?.files?.pickle_based, []);
    assert.deepEqual(c.parts?.map((p) => [p.label, p.verdict, p.notJudged !== null]), [
      ['.gitattributes', 'allow', true],
      ['config.json', 'allow', true],
      ['model.safetensors', 'allow', true],
      ['onnx/README.md', 'allow', true],
    ]);
    assert.match(c.notJudged ?? '', /4 files Airlock does not hold yet are scanned when downloaded.*model files: model\.safetensors/);

    const r = await e.client({ op: 'snapshot', repo: 'acme/tiny' });
    assert.ok(r.ok, r.ok ? '' : r.error);

    const held = await one(e, 'acme/tiny');
    assert.equal(held.verdict, 'allow');
    assert.deepEqual(held.parts?.map((p) => [p.label, p.verdict, p.notJudged]), [
      ['.gitattributes', 'allow', null],
      ['config.json', 'allow', null],
      ['model.safetensors', 'allow', null],
      ['onnx/README.md', 'allow', null],
    ]);
    assert.equal(held.notJudged, null, 'every file is held and was scanned by the check');
    const text = await e.cli(['check', 'huggingface', 'acme/tiny@v1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^acme\/tiny@[0-9a-f]{40} \(pkg:huggingface\/acme\/tiny@[0-9a-f]{40}\): ALLOW$/m);
    assert.match(text.stdout, /^ {2}revision v1 is commit [0-9a-f]{40}$/m);
    assert.match(text.stdout, /^ {4}model\.safetensors: ALLOW$/m);
    assert.match(text.stdout, /\(metadata phase; each file judged as its download is, scanned from what Airlock holds\)/);
  });

  it('a pickle checkpoint that runs code: the check names the file still to be scanned; the real download is refused by that scan; then the check, the file held, says the same', async () => {
    const c = await one(e, 'evil/backdoor');
    assert.equal(c.status, 'judged');
    assert.deepEqual(c.facts?.files?.pickle_based, ['pytorch_model.bin']);
    const weights = part(c, 'pytorch_model.bin');
    assert.match(weights.notJudged ?? '', /scanned when it is downloaded/);
    assert.match(c.notJudged ?? '', /pickle-based, where the scan looks for code that runs when they are loaded: pytorch_model\.bin/);
    // Unscanned, the policy's verdict is the one a clean pickle gets (model_pickle: warn by default).
    assert.equal(weights.verdict, 'allow');
    assert.ok(weights.warnings.some((w) => w.rule === 'model.pickle'), JSON.stringify(weights.warnings));
    assert.equal(c.verdict, 'allow');
    assert.ok(c.warnings.some((w) => w.rule === 'model.pickle'));

    // The real client: the config, allowed and already not waiting on anything, is served; the weights are refused by their scan.
    assert.equal(part(c, 'config.json').verdict, 'allow');
    const config = await e.client({ op: 'fetch', repo: 'evil/backdoor', path: 'config.json' });
    assert.ok(config.ok, config.ok ? '' : config.error);
    const refused = await e.client({ op: 'fetch', repo: 'evil/backdoor', path: 'pytorch_model.bin' });
    assert.ok(!refused.ok);
    assert.equal(refused.status, 403);
    const rule = /\[(model\.[a-z_]+)\]/.exec(refused.error)?.[1];
    assert.equal(rule, 'model.code_execution', refused.error);

    // Airlock holds the weights now: the check scans them and gives the download's verdict and rule.
    const again = await one(e, 'evil/backdoor');
    assert.equal(again.code, 1);
    assert.equal(again.verdict, 'block');
    assert.deepEqual(again.decidedBy, [rule]);
    const scanned = part(again, 'pytorch_model.bin');
    assert.equal(scanned.notJudged, null);
    assert.equal(scanned.verdict, 'block');
    assert.match(scanned.reasons[0]?.message ?? '', /pytorch_model\.bin runs code when it is loaded/);
    assert.equal(part(again, 'config.json').verdict, 'allow');

    const text = await e.cli(['check', 'huggingface', 'evil/backdoor']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^evil\/backdoor@[0-9a-f]{40} \(pkg:huggingface\/evil\/backdoor@[0-9a-f]{40}\): BLOCK — decided by model\.code_execution$/m);
    assert.match(text.stdout, /^ {2}the default branch is commit [0-9a-f]{40}$/m);
    assert.match(text.stdout, /^ {4}pytorch_model\.bin: BLOCK — decided by model\.code_execution$/m);
    assert.match(text.stdout, /^ {4}config\.json: ALLOW$/m);
  });

  it('a young commit: quarantined by the cooldown, no record opened; the real client is held too; a release passes the file it was opened on, in the check as in the download', async () => {
    const c = await one(e, 'acme/fresh');
    assert.equal(c.code, 1);
    assert.equal(c.verdict, 'quarantine');
    assert.deepEqual(c.decidedBy, ['cooldown']);
    assert.equal(c.quarantineId, null);
    assert.equal(c.reasons.length, 1, 'the cooldown of each file is said once');
    for (const p of c.parts ?? []) assert.deepEqual([p.label, p.verdict, p.decidedBy], [p.label, 'quarantine', ['cooldown']]);
    const held = await e.client({ op: 'fetch', repo: 'acme/fresh', path: samples.pytorch.path });
    assert.ok(!held.ok);
    assert.equal(held.status, 403);
    assert.match(held.error, /is quarantined by Airlock: .*\[cooldown\]/);
    const id = quarantineIdIn(held.error);
    assert.equal(part(await one(e, 'acme/fresh'), samples.pytorch.path).quarantineId, id, 'the record the download opened is named');

    const released = await e.cli(['quarantine', 'release', id, '--reason', 'weights checked by the ML team']);
    assert.equal(released.code, 0, released.stderr);
    const after = await one(e, 'acme/fresh');
    assert.equal(after.verdict, 'quarantine');
    const weights = part(after, samples.pytorch.path);
    assert.deepEqual([weights.verdict, weights.notJudged], ['allow', null]);
    // The config, not held yet (kept in git: its sha256 is unknown), is not the bytes released.
    const other = part(after, 'config.json');
    assert.equal(other.verdict, 'quarantine');
    assert.deepEqual(other.decidedBy, ['cooldown', 'airlock.release_other_content']);
    const served = await e.client({ op: 'fetch', repo: 'acme/fresh', path: samples.pytorch.path });
    assert.ok(served.ok, served.ok ? '' : served.error);
    const config = await e.client({ op: 'fetch', repo: 'acme/fresh', path: 'config.json' });
    assert.ok(!config.ok);
    assert.match(config.error, /acme\/fresh@[0-9a-f]{12} \(config\.json\) is quarantined by Airlock/);
  });

  it('Python code a little-used repo runs under trust_remote_code: that file held, the others allowed, as the real client finds file by file', async () => {
    const c = await one(e, 'acme/custom');
    assert.equal(c.code, 1);
    assert.equal(c.verdict, 'quarantine');
    assert.deepEqual(c.decidedBy, ['model.remote_code']);
    assert.deepEqual(c.parts?.map((p) => [p.label, p.verdict]), [
      ['.gitattributes', 'allow'],
      ['config.json', 'allow'],
      ['modeling_custom.py', 'quarantine'],
    ]);
    for (const p of c.parts ?? []) {
      const r = await e.client({ op: 'fetch', repo: 'acme/custom', path: p.label });
      assert.equal(r.ok, p.verdict === 'allow', `${p.label}: ${r.ok ? 'served' : r.error}`);
      if (!r.ok) assert.match(r.error, /\[model\.remote_code\]/);
    }
  });

  it('an unknown repo is package-not-found (and in the missing-name ledger), an unknown revision or commit version-not-found, as the real client finds', async () => {
    const r = await check(e, 'acme/never-was-7b', 'acme/tiny@nope', `acme/tiny@${'ab'.repeat(20)}`, 'acme/tiny');
    assert.equal(r.code, 1);
    assert.deepEqual(r.results.map((x) => [x.status, x.verdict]), [
      ['package-not-found', null],
      ['version-not-found', null],
      ['version-not-found', null],
      ['judged', 'allow'],
    ]);
    assert.match(r.results[0]?.message ?? '', /acme\/never-was-7b does not exist upstream/);
    assert.match(r.results[1]?.message ?? '', /acme\/tiny has no revision nope/);
    const missing = (await e.api('signals/missing?ecosystem=huggingface')) as { items: { name: string }[] };
    assert.ok(missing.items.some((m) => m.name === 'acme/never-was-7b'));
    assert.ok(!missing.items.some((m) => m.name === 'acme/tiny'), 'a missing revision is no missing name');
    const repo = await e.client({ op: 'fetch', repo: 'acme/never-was-7b', path: 'config.json' });
    assert.ok(!repo.ok);
    assert.equal(repo.status, 404);
    const revision = await e.client({ op: 'fetch', repo: 'acme/tiny', revision: 'nope', path: 'config.json' });
    assert.ok(!revision.ok);
    assert.equal(revision.status, 404);
  });

  it('a tag, a commit, a dataset; and purls at the API, where the version is the revision', async () => {
    const sha = e.hub.sha('acme/tiny');
    const tag = await one(e, 'acme/tiny@v1');
    assert.deepEqual([tag.requested, tag.version, tag.verdict], ['v1', sha, 'allow']);
    const commit = await one(e, `acme/tiny@${sha}`);
    assert.deepEqual([commit.requested, commit.version], [sha, sha]);

    const dataset = await one(e, 'acme/corpus', '--type', 'dataset');
    assert.equal(dataset.name, 'datasets/acme/corpus');
    assert.equal(dataset.verdict, 'allow');
    assert.equal(dataset.facts?.hub?.type, 'dataset');
    assert.equal(dataset.purl, makePurl('huggingface', 'datasets/acme/corpus', e.hub.sha('datasets/acme/corpus')));
    assert.deepEqual(dataset.parts?.map((p) => p.label), ['.gitattributes', 'data/train.csv']);
    const got = await e.client({ op: 'download', repo: { type: 'dataset', name: 'acme/corpus' }, path: 'data/train.csv' });
    assert.ok(got.ok, got.ok ? '' : got.error);

    const byApi = (await e.api(`check?purl=${encodeURIComponent('pkg:huggingface/datasets/acme/corpus@main')}`)) as Checked;
    assert.deepEqual([byApi.status, byApi.version, byApi.verdict], ['judged', e.hub.sha('datasets/acme/corpus'), 'allow']);
    const res = await fetch(`${e.airlock.url}/-/api/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.airlock.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ repo: 'huggingface', packages: [`pkg:huggingface/acme/tiny@${sha}`, 'pkg:huggingface/acme/custom', 'pkg:huggingface/acme/tiny@nope'] }),
    });
    assert.equal(res.status, 200);
    const many = (await res.json()) as { summary: Record<string, number>; results: Checked[] };
    assert.deepEqual(many.results.map((x) => [x.status, x.verdict]), [
      ['judged', 'allow'],
      ['judged', 'quarantine'],
      ['version-not-found', null],
    ]);
    assert.deepEqual([many.summary['allow'], many.summary['quarantine'], many.summary['notFound']], [1, 1, 1]);
  });

  it('a repo that is not ORG/NAME is a usage error', async () => {
    const r = await e.cli(['check', 'huggingface', 'a/b/c']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ORG\/NAME/);
  });
});

describe('airlock check huggingface: model signatures, from the tree and the model.sig alone', () => {
  let e: HfE2e;
  let key: KeyObject;
  let dir: string;
  const config = '{"hidden_size": 8}';
  before(async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    key = pair.privateKey;
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const hint = createHash('sha256').update(pem).digest('hex');
    dir = await mkdtemp(join(tmpdir(), 'airlock-check-key-'));
    const keyFile = join(dir, 'acme-models.pub.pem');
    await writeFile(keyFile, pem);
    e = await hfE2e({ config: { modelSigning: { keys: [keyFile] } }, top: { policy: { data: { airlock: { settings: { model_signers: [{ repos: ['acme-signed/*'], key_hint: hint }] } } } } } });
  });
  after(async () => {
    await e?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  function signed(files: { path: string; bytes: Uint8Array | string }[]) {
    const sig = signModelFiles(files.map((f) => ({ path: f.path, bytes: typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes })), key);
    return [...files, { path: 'model.sig', bytes: sig }];
  }

  it('weights replaced after signing are refused and a file added after it held, from their sha256 in the tree, as the real client finds', async () => {
    e.hub.addRepo({ id: 'acme/swapped', createdAt: OLD, initialCommit: false });
    e.hub.commit('acme/swapped', signed([{ path: 'config.json', bytes: config }, { path: 'model.safetensors', bytes: samples.safetensors.bytes }]), { date: OLD });
    const other = Buffer.from(samples.safetensors.bytes);
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 0xff;
    e.hub.commit('acme/swapped', [{ path: 'model.safetensors', bytes: other }, { path: 'notes.txt', bytes: 'hello' }], { date: OLD });
    const c = await one(e, 'acme/swapped');
    assert.equal(c.verdict, 'block');
    assert.equal(c.facts?.files?.signed, true);
    assert.deepEqual(c.decidedBy, ['model.signature_mismatch']);
    assert.deepEqual(c.parts?.map((p) => [p.label, p.verdict, p.decidedBy.join()]), [
      ['config.json', 'allow', ''],
      ['model.safetensors', 'block', 'model.signature_mismatch'],
      ['model.sig', 'allow', ''],
      ['notes.txt', 'quarantine', 'model.signature_unsigned'],
    ]);
    for (const p of c.parts ?? []) {
      const r = await e.client({ op: 'fetch', repo: 'acme/swapped', path: p.label });
      assert.equal(r.ok, p.verdict === 'allow', `${p.label}: ${r.ok ? 'served' : r.error}`);
      if (!r.ok) assert.match(r.error, new RegExp(`\\[${p.decidedBy[0]?.replace('.', '\\.') ?? ''}\\]`));
    }
  });

  it('a repo model_signers requires to be signed, without a model.sig: blocked at the commit, no file judged, as the real client is refused its info', async () => {
    e.hub.addRepo({ id: 'acme-signed/unsigned', createdAt: OLD });
    e.hub.commit('acme-signed/unsigned', [{ path: 'config.json', bytes: config }], { date: OLD });
    const c = await one(e, 'acme-signed/unsigned');
    assert.equal(c.verdict, 'block');
    assert.deepEqual(c.decidedBy, ['model.signature_required']);
    assert.equal(c.parts, null);
    assert.equal(c.notJudged, null);
    assert.match((await e.cli(['check', 'huggingface', 'acme-signed/unsigned'])).stdout, /\(metadata phase; no file of a blocked commit is served\)/);
    const info = await e.client({ op: 'info', repo: 'acme-signed/unsigned' });
    assert.ok(!info.ok);
    assert.match(info.error, /\[model\.signature_required\]/);
  });
});
