import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzer } from './index.ts';
import { runAnalyzer } from '../common/testing.ts';

const FIXTURES = join(import.meta.dirname, '../../../../test/fixtures/scan/gguf');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

for (const name of readdirSync(FIXTURES).filter((f) => f.startsWith('chat-')).sort()) {
  test(`GGUF with a real chat template is safe: ${name}`, async () => {
    const bytes = fixture(name);
    assert.equal(analyzer.detect(bytes.subarray(0, 64), bytes.length), true);
    const r = await runAnalyzer(analyzer, bytes);
    assert.equal(r.verdict, 'safe', JSON.stringify(r.findings));
  });
}

test('GGUF without template, v1 and big-endian files parse and are safe', async () => {
  for (const name of ['no-template.gguf', 'v1.gguf', 'big-endian.gguf']) {
    const r = await runAnalyzer(analyzer, fixture(name));
    assert.equal(r.verdict, 'safe', `${name}: ${JSON.stringify(r.findings)}`);
  }
});

test('CVE-2024-34359: chat template sandbox escape in GGUF metadata is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('cve-2024-34359.gguf'));
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.has('gguf.chat-template.python-internals', 'malicious'));
  const f = r.findings.find((x) => x.rule === 'gguf.chat-template.python-internals');
  assert.equal(f?.evidence['field'], 'tokenizer.chat_template');
});

test('CVE-2024-34359: obfuscated template (concatenation, hex escapes, adjacent literals) is malicious', async () => {
  const r = await runAnalyzer(analyzer, fixture('obfuscated-template.gguf'));
  assert.equal(r.verdict, 'malicious');
  const details = r.findings.map((f) => f.evidence['detail']);
  assert.ok(details.includes('__class__') && details.includes('__base__') && details.includes('__subclasses__'), JSON.stringify(details));
});

test('CVE-2024-34359: named chat template variants are analysed too', async () => {
  const r = await runAnalyzer(analyzer, fixture('named-template-malicious.gguf'));
  assert.equal(r.verdict, 'malicious');
  assert.equal(r.findings.find((f) => f.class === 'malicious')?.evidence['field'], 'tokenizer.chat_template.tool_use');
});

test('structural errors are invalid with a precise rule', async () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['duplicate-key.gguf', 'gguf.key.duplicate'],
    ['bad-tensor-offset.gguf', 'gguf.tensor.offset'],
    ['truncated.gguf', 'gguf.length'],
  ];
  for (const [name, rule] of cases) {
    const r = await runAnalyzer(analyzer, fixture(name));
    assert.equal(r.verdict, 'invalid', name);
    assert.ok(r.has(rule, 'invalid'), `${name}: ${r.rules().join(', ')}`);
  }
});

test('hostile counts are bounded by the file size, not trusted', async () => {
  const bytes = fixture('no-template.gguf').slice();
  new DataView(bytes.buffer).setBigUint64(16, 0xffffffffffffn, true); // kv count
  const r = await runAnalyzer(analyzer, bytes);
  assert.ok(r.has('gguf.length', 'invalid'), r.rules().join(', '));
});

test('unknown version is invalid; metadata over the budget is unscannable', async () => {
  const bytes = fixture('no-template.gguf').slice();
  bytes[4] = 9;
  assert.ok((await runAnalyzer(analyzer, bytes)).has('gguf.version', 'invalid'));
  const r = await runAnalyzer(analyzer, fixture('chat-llama31-tools.gguf'), { limits: { maxHeaderBytes: 512 } });
  assert.ok(r.has('gguf.limit.metadata', 'unscannable'), r.rules().join(', '));
});

test('tensor data beyond the end of the file is invalid (reads only metadata)', async () => {
  const bytes = fixture('no-template.gguf');
  const r = await runAnalyzer(analyzer, bytes.subarray(0, bytes.length - 64));
  assert.ok(r.has('gguf.tensor.bounds', 'invalid'), r.rules().join(', '));
});
