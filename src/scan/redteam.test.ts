/**
 * The red-team corpus (test/fixtures/scan/redteam/, written by
 * scripts/fixtures/generate_redteam_fixtures.py): public techniques rebuilt with harmless
 * payloads, each family attacking a different layer (names, indirection, opcodes, nested
 * loaders, usage, containers, formats), and real library outputs that must stay safe. Every
 * sample must reach the verdict its generator recorded; then one named regression test per
 * technique family, after its CVE or advisory when it has one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanFile } from './api.ts';
import type { FileScanResult } from './types.ts';
import { expectations, FIXTURES } from './test-support/fixtures.ts';

const ROOT = 'redteam';
const folders = readdirSync(join(FIXTURES, ROOT), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function summary(r: FileScanResult): string {
  return r.findings.map((f) => `${f.class} ${f.rule} ${f.message}`).join('\n  ');
}

for (const folder of folders) {
  describe(`fixtures/redteam/${folder}`, () => {
    for (const [name, exp] of expectations(join(ROOT, folder))) {
      test(`${name}: ${exp.verdict} (${exp.note})`, async () => {
        const r = await scanFile(join(FIXTURES, ROOT, folder, name));
        assert.equal(r.verdict, exp.verdict, `verdict for ${name}; findings:\n  ${summary(r)}`);
        for (const rule of exp.rules) assert.ok(r.findings.some((f) => f.rule === rule), `${name}: expected rule ${rule}`);
      });
    }
  });
}

async function scan(folder: string, name: string): Promise<FileScanResult> {
  return scanFile(join(FIXTURES, ROOT, folder, name));
}

async function expect(folder: string, name: string, verdict: FileScanResult['verdict'], rule: string): Promise<void> {
  const r = await scan(folder, name);
  assert.equal(r.verdict, verdict, `${folder}/${name}:\n  ${summary(r)}`);
  assert.ok(r.findings.some((f) => f.rule === rule), `${folder}/${name}: expected ${rule}:\n  ${summary(r)}`);
}

describe('red-team regressions by technique family', () => {
  test('CVE-2025-1716 / GHSA-xp4f-hrf8-rxw7 / GHSA-7wx9-6375-f5wh: primitives missing from deny lists are denied (pip, ensurepip, profile)', async () => {
    await expect('pickle-primitive', 'pip.main.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-primitive', 'ensurepip._run_pip.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-primitive', 'profile.run.pkl', 'malicious', 'pickle.callable.malicious');
  });

  test('modelscan PR #346 / #339: mailcap, ctypes, signal and http primitives are malicious', async () => {
    for (const n of ['mailcap.findmatch.pkl', 'ctypes.CDLL.pkl', 'signal.raise_signal.pkl', 'http.client.HTTPConnection.pkl']) {
      await expect('pickle-primitive', n, 'malicious', 'pickle.callable.malicious');
    }
  });

  test('verb patterns: file, download, import and evaluator names are denied wherever they are defined', async () => {
    for (const n of ['gzip.open.pkl', 'huggingface_hub.hf_hub_download.pkl', 'torch._utils._import_dotted_name.pkl', 'numexpr.evaluate.pkl', 'pathlib.Path.write_text.pkl']) {
      await expect('pickle-primitive', n, 'malicious', 'pickle.callable.malicious');
    }
  });

  test('GHSA-vvpj-8cmc-gx39 and picklescan #66: name resolvers (pkgutil, importlib, hydra, werkzeug) are followed or denied', async () => {
    await expect('pickle-indirection', 'pkgutil-colon.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-indirection', 'getattr-import-module.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-primitive', 'resolver-hydra.utils.get_method.pkl', 'malicious', 'pickle.callable.malicious');
  });

  test('modelscan #85 / #89: BUILD-planted names and numpy.__builtins__ are malicious', async () => {
    await expect('pickle-indirection', 'build-planted-names.pkl', 'malicious', 'pickle.build.global');
    await expect('pickle-indirection', 'dict-get-module-builtins.pkl', 'malicious', 'pickle.callable.malicious');
  });

  test('re-exported primitives in allowlisted namespaces (sklearn.datasets._covtype.GzipFile) are denied by class name', async () => {
    await expect('pickle-indirection', 'sklearn-reexport-gzipfile.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-usage', 'namespace-reexport-gzipfile-newobj.pkl', 'malicious', 'pickle.callable.malicious');
  });

  test('module-alias walks: sklearn...np.load and torch.nn.modules.module.torch.hub are judged as numpy.load and torch.hub', async () => {
    await expect('pickle-usage', 'dotted-np-load.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-indirection', 'dotted-torch-module-torch-load.pkl', 'malicious', 'pickle.callable.malicious');
  });

  test('usage: stored references, bound methods, invoked arguments and namespace classes given paths', async () => {
    await expect('pickle-usage', 'function-transformer-os-system.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-usage', 'reference-invoked-quiet-name.pkl', 'suspicious', 'pickle.callable.unlisted');
    await expect('pickle-usage', 'bound-method-write-text.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-usage', 'namespace-class-path-arg.pkl', 'suspicious', 'pickle.callable.text-argument');
    await expect('pickle-usage', 'namespace-class-via-reconstructor.pkl', 'suspicious', 'pickle.callable.text-argument');
    assert.equal((await scan('pickle-usage', 'bound-method-onecycle.pkl')).verdict, 'safe');
    assert.equal((await scan('pickle-usage', 'namespace-enum-value.pkl')).verdict, 'safe');
  });

  test('joblib stream desync: dtype elsize and repeated state keys are read the way numpy and Python read them', async () => {
    await expect('pickle-usage', 'joblib-dtype-elsize-desync.joblib', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-usage', 'joblib-duplicate-dtype-key.joblib', 'malicious', 'pickle.callable.malicious');
  });

  test('joblib companion files: NDArrayWrapper paths outside the model directory are malicious', async () => {
    await expect('pickle-usage', 'joblib-compat-absolute.pkl', 'malicious', 'joblib.companion-file');
    await expect('pickle-usage', 'joblib-compat-traversal.pkl', 'malicious', 'joblib.companion-file');
    assert.equal((await scan('pickle-usage', 'joblib-compat-relative.pkl')).verdict, 'safe');
  });

  test('picklescan #22 and text-protocol memo forms: PUT/GET indices as int() reads them', async () => {
    await expect('pickle-opcode', 'memo-overwrite-binput.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('pickle-opcode', 'memo-text-put-underscore.pkl', 'malicious', 'pickle.callable.malicious');
  });

  test('hidden pickles: a payload after garbage that follows the stream is carved and judged', async () => {
    await expect('pickle-opcode', 'stacked-garbage-between.pkl', 'malicious', 'pickle.trailing.hidden');
  });

  test('CVE-2025-32434 / Black Hat USA 2025: TorchScript code calling aten::save, aten::from_file or c10d', async () => {
    await expect('torchscript', 'ts-save-in-setstate.pt', 'malicious', 'pytorch.torchscript.op');
    await expect('torchscript', 'ts-from-file-in-forward.pt', 'malicious', 'pytorch.torchscript.op');
    await expect('torchscript', 'ts-upper-case-paths.pt', 'malicious', 'pytorch.torchscript.op');
    assert.equal((await scan('torchscript', 'ts-names-in-strings.pt')).verdict, 'safe');
  });

  test("PyTorch's reader: archive name from the first entry, records found case-insensitively", async () => {
    await expect('container', 'torch-zip-storage-key-is-pickle.pt', 'malicious', 'pickle.callable.malicious');
    await expect('container', 'torch-zip-case-insensitive.pt', 'malicious', 'pickle.callable.malicious');
  });

  test('polyglots: a pickle (even broken after its payload) in front of a zip is what torch.load runs', async () => {
    await expect('container', 'polyglot-text-pickle-then-zip.pt', 'malicious', 'pickle.callable.malicious');
    await expect('container', 'zip-member-broken-text-pickle.zip', 'malicious', 'pickle.callable.malicious');
  });

  test('nullifAI: payloads before a broken stream, in a bare pickle and in a torch zip', async () => {
    await expect('container', 'nullifai-broken-after-payload.pkl', 'malicious', 'pickle.callable.malicious');
    await expect('container', 'nullifai-broken-in-zip.pt', 'malicious', 'pickle.callable.malicious');
  });

  test('NumPy object dtypes in every spelling ast.literal_eval and descr_to_dtype accept', async () => {
    for (const n of ['object-spelled-raw-string.npy', 'object-spelled-dict-descr.npy', 'object-spelled-two-char-field.npy', 'object-duplicate-descr.npy']) {
      await expect('numpy', n, 'malicious', 'pickle.callable.malicious');
    }
  });

  test('safetensors: absurd header lengths are invalid headers, not unknown formats', async () => {
    await expect('safetensors', 'huge-header-length.safetensors', 'invalid', 'safetensors.header.length');
    await expect('safetensors', 'header-bom.safetensors', 'invalid', 'safetensors.header.start');
  });

  test('CVE-2024-34359: obfuscated chat templates (dict values, filters, escapes) and real templates', async () => {
    await expect('gguf', 'escape-attr-concat.gguf', 'malicious', 'gguf.chat-template.python-internals');
    await expect('gguf', 'escape-dict-first-key.gguf', 'malicious', 'gguf.chat-template.python-internals');
    assert.equal((await scan('gguf', 'benign-hermes-tools.gguf')).verdict, 'safe');
    assert.equal((await scan('gguf', 'benign-zephyr.gguf')).verdict, 'safe');
  });

  test('TensorFlow: debug ops that dump tensors to files or remote servers are malicious', async () => {
    await expect('tensorflow', 'debug-identity-url.pb', 'malicious', 'tensorflow.op.dangerous');
  });

  test('benign corpus: real scikit-learn, pandas, PyTorch and standard-library pickles scan safe', async () => {
    for (const [folder, name] of [
      ['sklearn', 'hist-gradient-boosting.joblib'], ['sklearn', 'kdtree.pkl'], ['sklearn', 'function-transformer-numpy.pkl'],
      ['pandas', 'dataframe-p4.pkl'], ['pandas', 'timestamps.pkl'], ['torch', 'scheduler-onecycle.pt'], ['torch', 'whole-transformer.pt'],
    ] as const) {
      const r = await scan(folder, name);
      assert.equal(r.verdict, 'safe', `${folder}/${name}:\n  ${summary(r)}`);
    }
  });
});
