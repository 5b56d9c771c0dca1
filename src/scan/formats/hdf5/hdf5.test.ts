import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzer } from './index.ts';
import { runAnalyzer } from '../common/testing.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/scan/hdf5');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

for (const name of ['tf-keras2-model.h5', 'keras-model-str-attrs.h5', 'keras-model-latest-dense.h5']) {
  test(`legacy Keras HDF5 model with standard layers is safe (keras): ${name}`, async () => {
    const bytes = fixture(name);
    assert.equal(analyzer.detect(bytes.subarray(0, 64), bytes.length), true);
    const r = await runAnalyzer(analyzer, bytes);
    assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
    assert.equal(r.format, 'keras');
  });
}

test('h5py weights file without a model config is safe', async () => {
  const r = await runAnalyzer(analyzer, fixture('keras3-weights.h5'));
  assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
  assert.equal(r.format, undefined);
});

test('CVE-2025-9905: legacy HDF5 Lambda layer bytecode (safe_mode ignored) is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2025-9905-lambda.h5'));
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.has('keras.lambda.bytecode', 'malicious'));
});

test('CVE-2024-3660: Lambda bytecode in a libver=latest file (object header v2) is malicious', async () => {
  assert.ok((await runAnalyzer(analyzer, fixture('cve-2024-3660-lambda-latest-dense.h5'))).has('keras.lambda.bytecode', 'malicious'));
});

test('Lambda calling os.system by reference is malicious', async () => {
  assert.ok((await runAnalyzer(analyzer, fixture('lambda-os-system-reference.h5'))).has('keras.reference.dangerous', 'malicious'));
});

for (const name of ['dense-attributes-vlen-config.h5', 'dense-attributes-huge-config.h5']) {
  test(`dense attribute storage (fractal heap, managed and huge objects) is read: ${name}`, async () => {
    const r = await runAnalyzer(analyzer, fixture(name));
    assert.ok(r.has('keras.lambda.bytecode', 'malicious'), JSON.stringify(r.findings));
  });
}

test('dense attribute storage past the direct blocks: objects in nested indirect blocks are read', async () => {
  // 140 attributes of ~4 KB, then the config: it lies beyond the root's direct rows (512 KB).
  const r = await runAnalyzer(analyzer, fixture('dense-attributes-nested-indirect.h5'));
  assert.ok(r.has('keras.reference.dangerous', 'malicious'), JSON.stringify(r.findings));
  assert.deepEqual(
    r.findings.filter((f) => f.class !== 'malicious'),
    [],
    'every attribute, through direct and nested indirect blocks, is read without error',
  );
});

test('dense link storage: configs in every group are reached', async () => {
  const r = await runAnalyzer(analyzer, fixture('dense-links-nested-config.h5'));
  assert.ok(r.has('keras.reference.dangerous', 'malicious'), JSON.stringify(r.findings));
});

test('pickled attributes (PyTables/pandas style) are handed over as nested content', async () => {
  const r = await runAnalyzer(analyzer, fixture('pickled-attribute.h5'));
  const members = r.nested.map((n) => n.member).sort();
  assert.deepEqual(members, ['df@benign_pickle', 'df@non_index_axes']);
  assert.ok(r.nested.every((n) => n.bytes[0] === 0x80));
});

test('external links are reported as info', async () => {
  const r = await runAnalyzer(analyzer, fixture('external-link.h5'));
  assert.equal(r.verdict, 'safe');
  assert.ok(r.has('hdf5.external-link', 'info'));
});

test('truncated and corrupted files are invalid, not safe', async () => {
  const bytes = fixture('tf-keras2-model.h5');
  const r = await runAnalyzer(analyzer, bytes.subarray(0, 900));
  assert.equal(r.verdict, 'invalid', JSON.stringify(r.findings));
  const bad = bytes.slice();
  bad[8] = 7; // superblock version
  assert.ok((await runAnalyzer(analyzer, bad)).has('hdf5.superblock.version', 'invalid'));
});

test('PyTables/pandas object arrays: every pickled element is handed over as nested content', async () => {
  for (const [name, count] of [['pytables-objects-benign.h5', 2], ['pytables-objects-malicious.h5', 2], ['vlen-objects-contiguous-malicious.h5', 1]] as const) {
    const r = await runAnalyzer(analyzer, fixture(name));
    assert.equal(r.nested.length, count, `${name}: ${JSON.stringify(r.findings)}`);
    assert.ok(r.nested.every((n) => n.bytes[0] === 0x80 && n.member.startsWith('frame/block0_values[')), name);
  }
  const evil = await runAnalyzer(analyzer, fixture('pytables-objects-malicious.h5'));
  assert.ok(new TextDecoder('latin1').decode(evil.nested[1]?.bytes).includes('system'));
});

test('compressed object arrays are unscannable, not skipped', async () => {
  const r = await runAnalyzer(analyzer, fixture('vlen-objects-compressed.h5'));
  assert.ok(r.has('hdf5.dataset.objects-unreadable', 'unscannable'), JSON.stringify(r.findings));
});
