/**
 * One regression test per publicly known scanner bypass, named after its CVE or advisory.
 * Each sample was written by scripts/fixtures/generate_scan_fixtures.py from the technique the
 * advisory describes (harmless payloads); the scanner must call it malicious and name the
 * callable the real unpickler would reach.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanFile } from './api.ts';
import type { FileScanResult } from './types.ts';
import { fixturePath } from './test-support/fixtures.ts';

async function check(folder: string, name: string, callable?: string, rule?: string): Promise<FileScanResult> {
  const r = await scanFile(fixturePath(folder, name));
  const summary = r.findings.map((f) => `${f.class} ${f.rule} ${String(f.evidence.callable ?? '')} ${f.message}`).join('\n  ');
  assert.equal(r.verdict, 'malicious', `${name}:\n  ${summary}`);
  if (callable !== undefined) {
    assert.ok(
      r.findings.some((f) => f.class === 'malicious' && f.evidence.callable === callable),
      `${name}: expected ${callable} to be reported as malicious:\n  ${summary}`,
    );
  }
  if (rule !== undefined) assert.ok(r.findings.some((f) => f.rule === rule), `${name}: expected rule ${rule}:\n  ${summary}`);
  return r;
}

async function malicious(folder: string, name: string, callable?: string, rule?: string): Promise<void> {
  await check(folder, name, callable, rule);
}

test('nullifAI (Feb 2025): 7z-compressed PyTorch archive with a broken pickle', async () => {
  const r = await check('pytorch', 'nullifAI-7z.pt', 'os.system');
  assert.equal(r.format, '7z');
  assert.ok(r.findings.some((f) => f.evidence.member === 'archive/data.pkl'));
});

test('nullifAI: payload first, then a stream that breaks', async () => {
  await malicious('pickle', 'broken-after-payload.pkl', 'os.system');
  await malicious('pickle', 'truncated-after-payload.pkl', 'os.system');
});

test('CVE-2025-1716: pip.main as the REDUCE callable', () => malicious('pickle', 'primitive-pip.main.pkl', 'pip.main'));

test('CVE-2025-1889: malicious pickle under a non-standard extension', () =>
  malicious('pytorch', 'CVE-2025-1889-weights.dat', 'os.system'));

test('CVE-2025-1944: ZIP local header name differs from the central directory', async () => {
  const r = await check('pytorch', 'CVE-2025-1944-name-mismatch.pt', 'os.system');
  assert.ok(r.findings.some((f) => f.rule === 'zip.anomaly' && /name mismatch/.test(f.message)));
});

test('CVE-2025-1945: ZIP general purpose flag bits tampered', async () => {
  await malicious('pytorch', 'CVE-2025-1945-flag-bits.pt', 'os.system');
  await malicious('pytorch', 'CVE-2025-1945-local-flag.pt', 'os.system');
});

test('CVE-2025-10155: plain pickle named like PyTorch weights (pytorch_model.bin)', () =>
  malicious('pytorch', 'CVE-2025-10155-pytorch_model.bin', 'os.system'));

test('CVE-2025-10156: ZIP CRC-32 errors', () => malicious('pytorch', 'CVE-2025-10156-bad-crc.pt', 'os.system'));

test('CVE-2025-10157: submodule of a dangerous import (asyncio.unix_events._UnixSubprocessTransport)', () =>
  malicious('pytorch', 'CVE-2025-10157-submodule.pt', 'asyncio.unix_events._UnixSubprocessTransport'));

test('picklescan issue 14: memo confusion mixing PUT and MEMOIZE', () =>
  malicious('pickle', 'memo-mixed-put-memoize.pkl', 'os.system'));

test('picklescan issue 22: memo indices out of order', () => malicious('pickle', 'memo-out-of-order.pkl', 'os.system'));

test('memo slot overwritten after MEMOIZE; text PUT/GET indices read as int()', async () => {
  await malicious('pickle', 'memo-overwrite.pkl', 'os.system');
  await malicious('pickle', 'memo-text-index.pkl', 'os.system');
});

test('modelscan issue 85: BUILD plants attributes on an imported object, STACK_GLOBAL reads them', () =>
  malicious('pickle', 'build-setattr-global.pkl', 'os.system', 'pickle.build.global'));

test('picklescan issue 13: INST imports and calls in one opcode', () => malicious('pickle', 'inst-eval.pkl', 'builtins.eval'));

test('EXT1/EXT2/EXT4: callables named through the copyreg extension registry (fickling #114, modelaudit #623)', async () => {
  await malicious('pickle', 'ext1-reduce.pkl', undefined, 'pickle.call.ext');
  await malicious('pickle', 'ext2-ext4.pkl', undefined, 'pickle.call.ext');
  await malicious('pickle', 'extension-add.pkl', 'copyreg.add_extension', 'pickle.call.ext');
});

test('GHSA-vvpj-8cmc-gx39: pkgutil.resolve_name reaches any callable', async () => {
  await malicious('pickle', 'pkgutil-resolve-name.pkl', 'pkgutil.resolve_name');
  await malicious('pickle', 'pkgutil-resolve-name.pkl', 'os.system');
});

test('importlib.import_module + inspect.getattr_static', async () => {
  await malicious('pickle', 'importlib-getattr-static.pkl', 'inspect.getattr_static');
  await malicious('pickle', 'importlib-getattr-static.pkl', 'os.system');
});

test('dotted attribute path random._os.system', () => malicious('pickle', 'random-os-system.pkl', 'random._os.system'));

test('Python 2 aliases: __builtin__, commands, cPickle', async () => {
  await malicious('pickle', 'py2-builtin-eval.pkl', 'builtins.eval');
  await malicious('pickle', 'py2-commands.pkl', 'subprocess.getoutput');
  await malicious('pickle', 'py2-cpickle-loads.pkl', 'pickle.loads');
  await malicious('pickle', 'py2-cpickle-loads.pkl', 'os.system');
});

test('fickling: a call whose result is popped still runs', () => malicious('pickle', 'discarded-result.pkl', 'os.system'));

test('modelscan issue 338: STACK_GLOBAL operand type confusion (bytes, bytearray)', async () => {
  await malicious('pickle', 'stack-global-bytes.pkl', undefined, 'pickle.global.dynamic');
  await malicious('pickle', 'stack-global-bytearray.pkl', undefined, 'pickle.global.dynamic');
});

test('GHSA-84r2-jw7c-4r5q: nested pickle.loads, payload built with _codecs.encode', async () => {
  await malicious('pickle', 'nested-pickle-loads.pkl', '_pickle.loads');
  await malicious('pickle', 'nested-pickle-loads.pkl', 'os.system');
});

test('GHSA-m273-6v24-x4m4: operator.attrgetter indirection', async () => {
  await malicious('pickle', 'operator-attrgetter.pkl', 'operator.attrgetter');
  await malicious('pickle', 'operator-attrgetter.pkl', 'os.system');
});

test('functools.partial wrapper', () => malicious('pickle', 'functools-partial.pkl', 'functools.partial'));

test('GHSA-v7x6-rv5q-mhwc: timeit.timeit', () => malicious('pickle', 'primitive-timeit.timeit.pkl', 'timeit.timeit'));

test('GHSA-xp4f-hrf8-rxw7: ensurepip._run_pip', () => malicious('pickle', 'primitive-ensurepip._run_pip.pkl', 'ensurepip._run_pip'));

test('GHSA-46h3-79wf-xr6c / GHSA-4675-36f9-wf6r: profilers and debuggers evaluate strings', async () => {
  await malicious('pickle', 'primitive-cProfile.run.pkl', 'cProfile.run');
  await malicious('pickle', 'primitive-pdb.run.pkl', 'pdb.run');
  await malicious('pickle', 'primitive-trace.Trace.pkl', 'trace.Trace');
  await malicious('pickle', 'primitive-doctest.debug_script.pkl', 'doctest.debug_script');
});

test('CVE-2025-10156 file-handling primitives: _io.FileIO, distutils.file_util.write_file', async () => {
  await malicious('pickle', 'primitive-_io.FileIO.pkl', '_io.FileIO');
  await malicious('pickle', 'primitive-distutils.file_util.write_file.pkl', 'distutils.file_util.write_file');
});

test('numpy.testing runstring and torch.fx code paths', async () => {
  await malicious('pickle', 'primitive-numpy.testing._private.utils.runstring.pkl', 'numpy.testing._private.utils.runstring');
  await malicious('pickle', 'primitive-torch.fx.graph_module.reduce_graph_module.pkl', 'torch.fx.graph_module.reduce_graph_module');
});

test('torch.storage._load_from_bytes smuggling a malicious legacy checkpoint', async () => {
  await malicious('pytorch', 'load-from-bytes-malicious.pkl', 'os.system', 'pickle.loader.payload');
});

test('hidden ZIP member and missing central directory', async () => {
  await malicious('pytorch', 'hidden-local-member.pt', 'os.system');
  await malicious('pytorch', 'no-central-directory.pt', 'os.system');
});

test('payload after joblib raw array data and inside object arrays', async () => {
  const r = await check('joblib', 'malicious-after-array.joblib', 'posix.system');
  assert.equal(r.format, 'joblib');
  await malicious('joblib', 'malicious-object-array-zlib.joblib', 'posix.system');
});
