/**
 * The real `@huggingface/hub` client downloading from Airlock over HTTPS (`server.tls`), trusting
 * the private authority that issued Airlock's certificate through NODE_EXTRA_CA_CERTS in its own
 * process: a snapshot byte for byte, the file URLs Airlock gives at https://, and refused
 * without the authority.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hfClient, modelSamples } from '../../support/hf-hub/index.ts';
import { hasOpenssl, servingTlsFor } from '../../support/tls-cert.ts';
import { hfE2e, OLD } from './support.ts';

const samples = modelSamples();
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('@huggingface/hub downloads a model through Airlock over HTTPS with NODE_EXTRA_CA_CERTS, and is refused without the authority', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async (t) => {
  const { dir, ca, tls } = await servingTlsFor(t);
  const e = await hfE2e({ top: { server: { tls } } });
  t.after(() => e.close());
  e.hub.addRepo({ id: 'acme/tiny', createdAt: OLD, downloads: 1200, library_name: 'transformers' });
  e.hub.commit('acme/tiny', [
    { path: 'config.json', bytes: '{"model_type": "bert", "hidden_size": 8}\n' },
    { path: samples.safetensors.path, bytes: samples.safetensors.bytes },
  ], { date: OLD });
  assert.match(e.endpoint, /^https:\/\/127\.0\.0\.1:\d+\/huggingface$/);

  const trusting = { hubUrl: e.endpoint, env: { NODE_EXTRA_CA_CERTS: ca.cert } };
  const snapshot = await hfClient({ op: 'snapshot', repo: 'acme/tiny' }, { ...trusting, cacheDir: join(dir, 'cache') });
  assert.ok(snapshot.ok, snapshot.ok ? '' : `${snapshot.error} ${snapshot.cause ?? ''}`);
  assert.equal(sha256(await readFile(join(snapshot.value, samples.safetensors.path))), sha256(samples.safetensors.bytes));
  const info = await hfClient({ op: 'fileInfo', repo: 'acme/tiny', path: samples.safetensors.path }, trusting);
  assert.ok(info.ok, info.ok ? '' : info.error);
  assert.equal(info.value?.url, `${e.endpoint}/acme/tiny/resolve/main/${samples.safetensors.path}`);

  // The machine's own extra authorities, if it has any, do not include this one.
  const refused = await hfClient({ op: 'fetch', repo: 'acme/tiny', path: 'config.json' }, { hubUrl: e.endpoint, env: { NODE_EXTRA_CA_CERTS: '' } });
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : `${refused.error} ${refused.cause ?? ''}`, /unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
});
