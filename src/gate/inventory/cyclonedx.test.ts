import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { makePurl, sha256Of, type Ecosystem } from '../../core/index.ts';
import type { Storage } from '../../storage/index.ts';
import { withTempStorage } from '../../storage/testing/with-storage.ts';
import { cycloneDxInventory } from './cyclonedx.ts';

type Obj = Record<string, unknown>;
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);


async function put(s: Storage, repo: string, ecosystem: Ecosystem, name: string, version: string, filename: string, storedAt: number, digests = true): Promise<void> {
  await s.metadata.putArtifact({
    repo,
    purl: makePurl(ecosystem, name, version),
    ecosystem,
    name,
    version,
    filename,
    blob: sha256Of(`${name}/${version}/${filename}`),
    size: 100,
    sha512: digests ? 'ab'.repeat(64) : null,
    sha1: digests ? 'cd'.repeat(20) : null,
    storedAt: new Date(storedAt),
  });
}

async function inventory(s: Storage, query = {}): Promise<{ text: string; doc: Obj }> {
  let text = '';
  for await (const piece of cycloneDxInventory({ artifacts: s.metadata, feeds: s.signals, clock: () => new Date('2026-11-24T12:00:00Z') }, query)) text += piece;
  return { text, doc: JSON.parse(text) as Obj };
}

const T = Date.parse('2026-11-01T00:00:00Z');

test('inventory: one component per file of a version, its repositories together; each ecosystem its CycloneDX type; schema-valid', () =>
  withTempStorage(async (s) => {
    await put(s, 'npm-proxy', 'npm', '@acme/widget', '1.2.3', 'widget-1.2.3.tgz', T + 2000);
    await put(s, 'npm-team', 'npm', '@acme/widget', '1.2.3', 'widget-1.2.3.tgz', T);
    await put(s, 'pypi', 'pypi', 'demo', '1.0', 'demo-1.0-py3-none-any.whl', T);
    await put(s, 'pypi', 'pypi', 'demo', '1.0', 'demo-1.0.tar.gz', T);
    await put(s, 'containers', 'oci', 'library/alpine', 'sha256:' + 'e'.repeat(64), 'sha256:' + 'f'.repeat(64), T, false);
    await put(s, 'hf', 'huggingface', 'acme/tiny', 'a'.repeat(40), 'model.safetensors', T, false);
    await put(s, 'hf', 'huggingface', 'datasets/acme/corpus', 'b'.repeat(40), 'train.parquet', T, false);
    const { text, doc } = await inventory(s);
    assert.equal(await validator.validate(text), null);
    const cs = doc['components'] as Obj[];
    assert.deepEqual(
      cs.map((c) => [c['type'], c['group'] ?? null, c['name'], (c['properties'] as { name: string; value: string }[]).filter((p) => p.name === 'airlock:file')[0]?.value]),
      [
        ['machine-learning-model', null, 'acme/tiny', 'model.safetensors'],
        ['data', null, 'datasets/acme/corpus', 'train.parquet'],
        ['library', '@acme', 'widget', 'widget-1.2.3.tgz'],
        ['container', null, 'library/alpine', 'sha256:' + 'f'.repeat(64)],
        ['library', null, 'demo', 'demo-1.0-py3-none-any.whl'],
        ['library', null, 'demo', 'demo-1.0.tar.gz'],
      ],
    );
    const widget = cs[2] as Obj;
    const props = widget['properties'] as { name: string; value: string }[];
    assert.deepEqual(props.filter((p) => p.name === 'airlock:repository').map((p) => p.value), ['npm-proxy', 'npm-team']);
    assert.equal(props.find((p) => p.name === 'airlock:first_stored')?.value, new Date(T).toISOString(), 'the earliest of its repositories');
    assert.deepEqual((widget['hashes'] as Obj[]).map((h) => h['alg']), ['SHA-256', 'SHA-512', 'SHA-1']);
    assert.deepEqual(((cs[0] as Obj)['hashes'] as Obj[]).map((h) => h['alg']), ['SHA-256'], 'a file verified by its sha256 alone');
    assert.equal(new Set(cs.map((c) => c['bom-ref'])).size, cs.length, 'unique references');
    assert.deepEqual(doc['vulnerabilities'], []);
  }));

test('inventory: pages of the store are read in turn; a file whose repositories span two pages is one component', () =>
  withTempStorage(async (s) => {
    for (let i = 0; i < 999; i++) await put(s, 'npm', 'npm', 'aaa', `1.0.${String(i).padStart(4, '0')}`, 'aaa.tgz', T);
    await put(s, 'npm-a', 'npm', 'bbb', '1.0.0', 'bbb.tgz', T);
    await put(s, 'npm-b', 'npm', 'bbb', '1.0.0', 'bbb.tgz', T);
    await put(s, 'npm', 'npm', 'ccc', '1.0.0', 'ccc.tgz', T);
    const cs = (await inventory(s)).doc['components'] as Obj[];
    assert.equal(cs.length, 1001);
    const bbb = cs.find((c) => c['name'] === 'bbb') as Obj;
    assert.deepEqual((bbb['properties'] as { name: string; value: string }[]).filter((p) => p.name === 'airlock:repository').map((p) => p.value), ['npm-a', 'npm-b']);
    assert.deepEqual(((await inventory(s, { repo: 'npm-b' })).doc['components'] as Obj[]).map((c) => c['name']), ['bbb']);
  }));
