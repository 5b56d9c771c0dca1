/**
 * OpenSSF model signing through Airlock, with the real `@huggingface/hub` client: a commit's
 * model.sig is checked against the keys the repository trusts, and each file served against the
 * manifest it signs. Weights replaced after signing, files added after it and a broken signature
 * are refused or held; `model_signers` makes a signature by a named signer required.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../../../src/verify/model-signing/fixture-support.ts';
import { signModelFiles } from '../../../src/verify/model-signing/test-support.ts';
import { modelSamples } from '../../support/hf-hub/index.ts';
import { hfE2e, OLD, quarantineIdIn, type HfE2e } from './support.ts';

const samples = modelSamples();

describe('huggingface: model signatures (model.sig)', () => {
  let e: HfE2e;
  let key: KeyObject;
  let hint: string;
  let dir: string;
  const config = '{"hidden_size": 8}';
  before(async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    key = pair.privateKey;
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    hint = createHash('sha256').update(pem).digest('hex');
    // The policy requires acme-signed/* to be signed with this key.
    dir = await mkdtemp(join(tmpdir(), 'airlock-model-key-'));
    const keyFile = join(dir, 'acme-models.pub.pem');
    await writeFile(keyFile, pem);
    e = await hfE2e({
      config: { modelSigning: { keys: [keyFile] } },
      top: {
        policy: {
          data: {
            airlock: {
              settings: {
                model_signers: [
                  { repos: ['acme-signed/*'], key_hint: hint },
                  { repos: ['ibm/*'], identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
                  { repos: ['ibm-other/*'], identity: 'release@ibm-other.example', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
                ],
              },
            },
          },
        },
      },
    });
  });
  after(async () => {
    await e.close();
    await rm(dir, { recursive: true, force: true });
  });

  function signed(files: { path: string; bytes: Uint8Array | string }[]) {
    const sig = signModelFiles(files.map((f) => ({ path: f.path, bytes: typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes })), key);
    return [...files, { path: 'model.sig', bytes: sig }];
  }

  it('serves a signed model whose files are the ones signed', async () => {
    e.hub.addRepo({ id: 'acme/signed', createdAt: OLD, initialCommit: false });
    e.hub.commit('acme/signed', signed([{ path: 'config.json', bytes: config }, { path: samples.safetensors.path, bytes: samples.safetensors.bytes }]), { date: OLD });
    const r = await e.client({ op: 'snapshot', repo: 'acme/signed' });
    assert.ok(r.ok, r.ok ? '' : r.error);
  });

  it('refuses weights replaced after signing, and holds a file added after it', async () => {
    e.hub.addRepo({ id: 'acme/swapped', createdAt: OLD, initialCommit: false });
    e.hub.commit('acme/swapped', signed([{ path: 'config.json', bytes: config }, { path: 'model.safetensors', bytes: samples.safetensors.bytes }]), { date: OLD });
    // Someone pushes other weights and a new file, and keeps the old model.sig.
    const other = Buffer.from(samples.safetensors.bytes);
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 0xff;
    e.hub.commit('acme/swapped', [{ path: 'model.safetensors', bytes: other }, { path: 'notes.txt', bytes: 'hello' }], { date: OLD });
    const weights = await e.client({ op: 'fetch', repo: 'acme/swapped', path: 'model.safetensors' });
    assert.ok(!weights.ok);
    assert.equal(weights.status, 403);
    assert.match(weights.error, /model\.safetensors is not the file the key [0-9a-f]{64} signed: its bytes differ from the signed manifest \(model\.sig\) \[model\.signature_mismatch\]/);
    const notes = await e.client({ op: 'fetch', repo: 'acme/swapped', path: 'notes.txt' });
    assert.ok(!notes.ok);
    assert.match(notes.error, /notes\.txt is not covered by the model signature .* a file added after signing \[model\.signature_unsigned\]/);
    assert.notEqual(quarantineIdIn(notes.error), '');
    // The file the signature covers, unchanged, is still served.
    const cfg = await e.client({ op: 'fetch', repo: 'acme/swapped', path: 'config.json' });
    assert.ok(cfg.ok, cfg.ok ? '' : cfg.error);
  });

  it('refuses every file of a commit whose signature does not check out', async () => {
    e.hub.addRepo({ id: 'acme/broken-sig', createdAt: OLD, initialCommit: false });
    const files = signed([{ path: 'config.json', bytes: config }]);
    const bundle = JSON.parse(Buffer.from(files[1]!.bytes as Uint8Array).toString('utf8')) as { dsseEnvelope: { payload: string } };
    const payload = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { predicate: { resources: { digest: string }[] } };
    payload.predicate.resources[0]!.digest = '0'.repeat(64);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    e.hub.commit('acme/broken-sig', [files[0]!, { path: 'model.sig', bytes: JSON.stringify(bundle) }], { date: OLD });
    const r = await e.client({ op: 'fetch', repo: 'acme/broken-sig', path: 'config.json' });
    assert.ok(!r.ok);
    assert.match(r.error, /its model signature \(model\.sig\) does not check out: .*\[model\.signature_invalid\]/);
  });

  it('verifies a real keyless (Sigstore public-good) model signature and its signer', async () => {
    // sigstore/model-transparency's v1.1.0 keyless vector: signed by stefanb@us.ibm.com, `ignore-me` left out
    // (and empty: the client's `bytes=0-0` probe of an empty file is answered too).
    const files = ['signme-1', 'signme-2', 'ignore-me', 'model.sig'].map((f) => ({ path: f, bytes: fixture('v1.1.0-sigstore', f) }));
    for (const id of ['ibm/signed-model', 'ibm-other/signed-model']) {
      e.hub.addRepo({ id, createdAt: OLD, initialCommit: false });
      e.hub.commit(id, files, { date: OLD });
    }
    const theirs = await e.client({ op: 'snapshot', repo: 'ibm/signed-model' });
    assert.ok(theirs.ok, theirs.ok ? '' : theirs.error);
    // The same signature where the policy wants another signer.
    const other = await e.client({ op: 'fetch', repo: 'ibm-other/signed-model', path: 'signme-1' });
    assert.ok(!other.ok);
    assert.match(other.error, /must be signed by release@ibm-other\.example \(model_signers\), but it is signed by stefanb@us\.ibm\.com \[model\.signature_required\]/);
  });

  it('requires the signer model_signers names: an unsigned repo is refused at its info, a signed one served', async () => {
    e.hub.addRepo({ id: 'acme-signed/unsigned', createdAt: OLD });
    e.hub.commit('acme-signed/unsigned', [{ path: 'config.json', bytes: config }], { date: OLD });
    const info = await e.client({ op: 'info', repo: 'acme-signed/unsigned' });
    assert.ok(!info.ok);
    assert.equal(info.status, 403);
    assert.match(info.error, /acme-signed\/unsigned@[0-9a-f]{12} must be signed by the key [0-9a-f]{64} \(model_signers\), but it has no model signature \(model\.sig\) \[model\.signature_required\]/);
    e.hub.addRepo({ id: 'acme-signed/model', createdAt: OLD, initialCommit: false });
    e.hub.commit('acme-signed/model', signed([{ path: 'config.json', bytes: config }]), { date: OLD });
    const ok = await e.client({ op: 'snapshot', repo: 'acme-signed/model' });
    assert.ok(ok.ok, ok.ok ? '' : ok.error);
  });
});
