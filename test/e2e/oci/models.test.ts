/**
 * AI models stored as OCI artifacts (as oras pushes a file: one layer titled with its name) go
 * through the model scanner before a byte of them is served, like a Hugging Face file: a pickle
 * that runs code on load is refused, a clean safetensors file served, with the real skopeo.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildArtifact, hasRegistryTools, pushObject, sha256Digest, SKIP_NO_REGISTRY_TOOLS, type BuiltObject } from '../../support/oci/index.ts';
import { modelSamples } from '../../support/hf-hub/index.ts';
import { ociE2e, type OciE2e } from './support.ts';

const skip = hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;

/** What `oras push <ref> <file>` pushes: an artifact whose one layer is the file, titled with its name. */
function orasArtifact(file: string, bytes: Buffer): BuiltObject {
  return buildArtifact({ artifactType: 'application/vnd.unknown.artifact.v1', layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', bytes, annotations: { 'org.opencontainers.image.title': file } }] });
}

describe('models as OCI artifacts', { skip }, () => {
  let e: OciE2e;
  const samples = modelSamples();
  const evil = orasArtifact('pytorch_model.bin', samples.maliciousPickle.bytes);
  const clean = orasArtifact('model.safetensors', samples.safetensors.bytes);
  before(async () => {
    e = await ociE2e();
    await pushObject(e.registry.directUrl, 'models/evil', 'v1', evil);
    await pushObject(e.registry.directUrl, 'models/clean', 'v1', clean);
  });
  after(async () => {
    await e?.close();
  });

  test('a pickle that runs code on load is refused before a byte of it is served, and skopeo says why', async () => {
    const r = await e.pull('models/evil:v1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied: Airlock: models\/evil@sha256:[0-9a-f]{12} \(pytorch_model\.bin\) is blocked by Airlock policy: .*pytorch_model\.bin runs code when it is loaded.*\[model\.code_execution\]/);
    // Judged as a Hugging Face file is: the file, how it was verified, what the scanner found.
    const purl = `pkg:oci/models/evil@${encodeURIComponent(evil.manifestDigest)}`;
    const decisions = (await e.api(`decisions?purl=${encodeURIComponent(purl)}`)) as { items: { phase: string; verdict: string; facts: { model_file?: { path: string; verified_by: string; pickle_based: boolean }; model_scan?: { verdict: string } } }[] };
    const layer = decisions.items.find((d) => d.phase === 'artifact' && d.facts.model_scan !== undefined);
    assert.equal(layer?.verdict, 'block');
    assert.deepEqual([layer?.facts.model_file?.path, layer?.facts.model_file?.verified_by, layer?.facts.model_file?.pickle_based, layer?.facts.model_scan?.verdict], ['pytorch_model.bin', 'sha256', true, 'malicious']);
  });

  test('a clean safetensors model is served, its bytes as pushed', async () => {
    const r = await e.pull('models/clean:v1');
    assert.equal(r.code, 0, r.stderr);
    const layer = await readFile(join(r.dir, 'blobs', 'sha256', sha256Digest(samples.safetensors.bytes).slice('sha256:'.length)));
    assert.deepEqual(layer, samples.safetensors.bytes);
  });
});
