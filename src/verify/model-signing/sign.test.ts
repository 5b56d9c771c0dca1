/**
 * Signatures made here (test-support.ts's signModelFiles, what the gateway's end-to-end tests sign
 * models with) verify, on every curve model_signing uses, and their manifests cover the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { checkModelSigningTrust, modelFileCoverage, modelSigningKeyHint, verifyModelSignature } from './index.ts';
import { NOW, trust, verified } from './fixture-support.ts';
import { modelStatement, signModelFiles } from './test-support.ts';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const files = [
  { path: 'config.json', bytes: Buffer.from('{"model_type":"llama"}\n') },
  { path: 'model-00001-of-00002.safetensors', bytes: Buffer.alloc(4096, 1) },
  { path: 'model-00002-of-00002.safetensors', bytes: Buffer.alloc(1000, 2) },
  { path: 'tokenizer/tokenizer.json', bytes: Buffer.from('{}') },
  { path: 'tokenizer.json', bytes: Buffer.from('{"v":1}') },
  { path: 'empty.txt', bytes: Buffer.alloc(0) },
  { path: '.gitattributes', bytes: Buffer.from('*.safetensors filter=lfs diff=lfs merge=lfs -text\n') },
  { path: 'logs/train.log', bytes: Buffer.from('loss 0.1\n') },
];

test('a fresh P-256 key-mode signature over a model verifies, and covers each of its files', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sig = signModelFiles(files, privateKey, { ignorePaths: ['logs'], modelName: 'acme/llama' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const r = verified(verifyModelSignature(sig, trust({ keys: [publicPem], certificateAuthorities: [] }), NOW));
  assert.equal(r.mode, 'key');
  assert.deepEqual(r.signer, { identity: null, issuer: null, keyHint: modelSigningKeyHint(publicKey), subject: null });
  assert.equal(r.manifest.files.size, 6);
  for (const f of files) {
    const expected = f.path === '.gitattributes' || f.path.startsWith('logs/') ? 'ignored' : 'signed';
    assert.equal(modelFileCoverage(r.manifest, f.path, sha256(f.bytes)), expected, f.path);
  }
  assert.equal(modelFileCoverage(r.manifest, 'model.sig', sha256(sig)), 'ignored');
  assert.equal(modelFileCoverage(r.manifest, 'config.json', sha256(Buffer.from('{}'))), 'mismatch');
});

test('resources are listed in model_signing\'s order (PurePosixPath: component by component)', () => {
  const st = modelStatement(files, { ignorePaths: ['logs'] }) as { predicate: { resources: { name: string }[] } };
  assert.deepEqual(
    st.predicate.resources.map((r) => r.name),
    ['config.json', 'empty.txt', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'tokenizer/tokenizer.json', 'tokenizer.json'],
  );
});

test('P-384 and P-521 keys sign with SHA-384 and SHA-512, and verify', () => {
  for (const namedCurve of ['P-384', 'P-521']) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    const r = verified(verifyModelSignature(signModelFiles(files, privateKey), trust({ keys: [publicKey] }), NOW));
    assert.equal(r.signer.keyHint, modelSigningKeyHint(publicKey));
  }
});

test('a single-file model is signed as "."', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const model = { path: 'model.gguf', bytes: Buffer.from('GGUF') };
  const r = verified(verifyModelSignature(signModelFiles([model], privateKey, { singleFile: true }), trust({ keys: [publicKey] }), NOW));
  assert.deepEqual([...r.manifest.files.keys()], ['.']);
  assert.equal(modelFileCoverage(r.manifest, 'model.gguf', sha256(model.bytes)), 'signed');
});

test('checkModelSigningTrust accepts the fixtures\' key (certtool text before the PEM block) and CA, and names a bad entry', () => {
  assert.doesNotThrow(() => checkModelSigningTrust(trust()));
  assert.throws(() => checkModelSigningTrust(trust({ keys: ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'] })), { code: 'CONFIG_INVALID', message: /model signing key 0: the public key cannot be read/ });
  assert.throws(() => checkModelSigningTrust(trust({ certificateAuthorities: ['nothing'] })), { code: 'CONFIG_INVALID', message: /certificate authority 0 holds no PEM certificate/ });
});
