import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzer } from './index.ts';
import { runAnalyzer, utf8 } from '../common/testing.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/scan/keras');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

for (const name of ['sequential-config.json', 'functional-config.json']) {
  test(`Keras config with standard layers is safe and refined to keras: ${name}`, async () => {
    const bytes = fixture(name);
    assert.equal(analyzer.detect(bytes.subarray(0, 4096), bytes.length), true);
    const r = await runAnalyzer(analyzer, bytes);
    assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
    assert.equal(r.format, 'keras');
  });
}

test('other JSON is recognised but yields nothing', async () => {
  const r = await runAnalyzer(analyzer, fixture('package.json'));
  assert.equal(r.verdict, 'safe');
  assert.equal(r.format, undefined);
});

test('CVE-2024-3660: Keras 3 Lambda layer with marshalled bytecode is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2024-3660-lambda-config.json'));
  assert.equal(r.verdict, 'malicious');
  assert.equal(r.findings.filter((f) => f.rule === 'keras.lambda.bytecode').length, 1, JSON.stringify(r.findings));
});

test('CVE-2025-1550: config references to os.system and subprocess.Popen are malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2025-1550-config.json'));
  assert.equal(r.verdict, 'malicious');
  const msgs = r.findings.filter((f) => f.rule === 'keras.reference.dangerous').map((f) => f.message);
  assert.ok(msgs.some((m) => m.includes('os.system')), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.includes('subprocess')), msgs.join('\n'));
});

test('CVE-2025-1550: a UTF-16 config.json (accepted by Python json) is still analysed', async () => {
  const bytes = fixture('cve-2025-1550-utf16-config.json');
  assert.equal(analyzer.detect(bytes.subarray(0, 4096), bytes.length), true);
  assert.equal((await runAnalyzer(analyzer, bytes)).verdict, 'malicious');
});

test('CVE-2025-8747: keras.utils.get_file called through a Lambda is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2025-8747-get-file-config.json'));
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.findings.some((f) => f.rule === 'keras.reference.dangerous' && f.message.includes('get_file')));
});

test('CVE-2025-9906: enable_unsafe_deserialization and load_model(safe_mode=False) gadgets are malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2025-9906-config.json'));
  const msgs = r.findings.filter((f) => f.rule === 'keras.reference.dangerous').map((f) => f.message);
  assert.ok(msgs.some((m) => m.includes('enable_unsafe_deserialization')));
  assert.ok(msgs.some((m) => m.includes('load_model')));
});

test('CVE-2025-12058: lookup vocabulary pointing outside the model is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2025-12058-vocabulary-config.json'));
  assert.ok(r.has('keras.config.path-escape', 'malicious'), r.rules().join(', '));
});

test('custom objects are suspicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('custom-object-config.json'));
  assert.equal(r.verdict, 'suspicious');
  assert.ok(r.has('keras.reference.custom'));
  assert.ok(r.has('keras.class.registered'));
});

test('legacy (tf.keras 2) Lambda forms: bytecode list, function_type function with a module', async () => {
  const code = Buffer.from([0xe3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0x43, 0, 0, 0]).toString('base64');
  const legacy = { class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { name: 'l', function: [code, null, null], function_type: 'lambda', module: '__main__' } }] } };
  assert.ok((await runAnalyzer(analyzer, utf8(JSON.stringify(legacy)))).has('keras.lambda.bytecode', 'malicious'));
  const ref = { class_name: 'Model', config: { layers: [{ class_name: 'Lambda', config: { name: 'l', function: 'popen', function_type: 'function', module: 'os' } }] } };
  assert.ok((await runAnalyzer(analyzer, utf8(JSON.stringify(ref)))).has('keras.reference.dangerous', 'malicious'));
  const shape = { class_name: 'Lambda', config: { name: 'l', function: 'relu', function_type: 'function', module: 'keras.activations', output_shape: [code, null, null], output_shape_type: 'lambda' } };
  assert.ok((await runAnalyzer(analyzer, utf8(JSON.stringify(shape)))).has('keras.lambda.bytecode', 'malicious'));
});

test('TFOpLambda: tf.io calls are malicious, math is fine', async () => {
  const cfg = (fn: string) => utf8(JSON.stringify({ class_name: 'Functional', config: { layers: [{ class_name: 'TFOpLambda', config: { name: 'op', function: fn } }] } }));
  assert.equal((await runAnalyzer(analyzer, cfg('math.add'))).verdict, 'safe');
  assert.equal((await runAnalyzer(analyzer, cfg('io.write_file'))).verdict, 'malicious');
  assert.equal((await runAnalyzer(analyzer, cfg('raw_ops.PyFunc'))).verdict, 'malicious');
});

test('bytecode hidden under an unrelated key is still found', async () => {
  const code = Buffer.from([0x63, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0x43, 0, 0, 0]).toString('base64');
  const r = await runAnalyzer(analyzer, utf8(JSON.stringify({ class_name: 'Dense', config: { name: 'd', extra: { blob: code } } })));
  assert.ok(r.has('keras.lambda.bytecode', 'malicious'));
});

test('duplicate keys in a Keras config are suspicious (parser differential)', async () => {
  const r = await runAnalyzer(analyzer, utf8('{"class_name": "Dense", "config": {"name": "a"}, "class_name": "Dense"}'));
  assert.ok(r.has('keras.config.duplicate-key', 'suspicious'));
});

test('tokenizer_config chat templates: real template safe, CVE-2024-34359 payload malicious', async () => {
  assert.equal((await runAnalyzer(analyzer, fixture('tokenizer_config-benign.json'))).verdict, 'safe');
  const r = await runAnalyzer(analyzer, fixture('tokenizer_config-malicious.json'));
  assert.equal(r.verdict, 'malicious');
  assert.equal(r.findings.find((f) => f.class === 'malicious')?.evidence['field'], 'chat_template[tool_use]');
});

test('malformed JSON is invalid; binary is not detected', async () => {
  assert.ok((await runAnalyzer(analyzer, utf8('{"class_name": "Dense", '))).verdict === 'invalid');
  assert.equal(analyzer.detect(new Uint8Array([0x7b, 0x00, 0x01, 0x02, 0x03]), 5), false);
  assert.equal(analyzer.detect(utf8('[1, 2, 3]'), 9), false);
});

test('a Keras function used as a class (getattr on the module) is judged as a function', async () => {
  const cfg = { module: 'keras.utils', class_name: 'get_file', config: { origin: 'x' } };
  assert.ok((await runAnalyzer(analyzer, utf8(JSON.stringify(cfg)))).has('keras.reference.dangerous', 'malicious'));
});

test('builtins module: Keras names are fine, Python builtins are malicious', async () => {
  const fn = (name: string) => utf8(JSON.stringify({ module: 'keras.layers', class_name: 'Activation', config: { name: 'a', activation: { module: 'builtins', class_name: 'function', config: name, registered_name: 'function' } } }));
  assert.equal((await runAnalyzer(analyzer, fn('relu'))).verdict, 'safe');
  for (const name of ['exec', 'eval', '__import__', 'open', 'getattr']) assert.equal((await runAnalyzer(analyzer, fn(name))).verdict, 'malicious', name);
});

test('Keras-family packages (keras_hub) are not custom objects; absolute paths in non-loaded fields are suspicious only', async () => {
  const hub = { module: 'keras_hub.src.models.gemma.gemma_backbone', class_name: 'GemmaBackbone', config: { name: 'gemma_backbone', vocabulary_size: 256000 }, registered_name: 'keras_hub>GemmaBackbone' };
  assert.equal((await runAnalyzer(analyzer, utf8(JSON.stringify(hub)))).verdict, 'safe');
  const cb = { module: 'keras.callbacks', class_name: 'ModelCheckpoint', config: { filepath: '/tmp/ckpt.keras' } };
  const r = await runAnalyzer(analyzer, utf8(JSON.stringify(cb)));
  assert.equal(r.verdict, 'suspicious');
  const tok = { name_or_path: '/home/u/model', vocab_file: '/home/u/.cache/vocab.txt', chat_template: '{{ bos_token }}' };
  assert.equal((await runAnalyzer(analyzer, utf8(JSON.stringify(tok)))).verdict, 'safe');
});
