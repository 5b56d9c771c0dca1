import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeName, type NameVerdict } from './policy.ts';

const CASES: readonly [string, string, NameVerdict][] = [
  // what legitimate model files import
  ['collections', 'OrderedDict', 'allowed'],
  ['torch._utils', '_rebuild_tensor_v2', 'allowed'],
  ['torch', 'FloatStorage', 'allowed'],
  ['torch', 'bfloat16', 'allowed'],
  ['torch', 'per_channel_affine', 'allowed'],
  ['torch.nn.modules.linear', 'Linear', 'allowed'],
  ['torch.optim.adam', 'Adam', 'allowed'],
  ['numpy.core.multiarray', '_reconstruct', 'allowed'],
  ['numpy', 'dtype', 'allowed'],
  ['_codecs', 'encode', 'allowed'],
  ['builtins', 'set', 'allowed'],
  ['copyreg', '_reconstructor', 'allowed'],
  ['sklearn.linear_model._base', 'LinearRegression', 'allowed'],
  ['joblib.numpy_pickle', 'NumpyArrayWrapper', 'allowed'],
  // known primitives, however they are spelled
  ['os', 'system', 'malicious'],
  ['posix', 'system', 'malicious'],
  ['nt', 'system', 'malicious'],
  ['subprocess', 'Popen', 'malicious'],
  ['builtins', 'eval', 'malicious'],
  ['builtins', 'getattr', 'malicious'],
  ['builtins', '__import__', 'malicious'],
  ['random', '_os.system', 'malicious'],
  ['torch.serialization', 'os', 'malicious'],
  ['collections', 'OrderedDict.__init__.__globals__', 'malicious'],
  ['asyncio.unix_events', '_UnixSubprocessTransport', 'malicious'],
  ['pip._internal.cli.main', 'main', 'malicious'],
  ['importlib', 'import_module', 'malicious'],
  ['pkgutil', 'resolve_name', 'malicious'],
  ['inspect', 'getattr_static', 'malicious'],
  ['operator', 'methodcaller', 'malicious'],
  ['functools', 'partial', 'malicious'],
  ['torch', 'load', 'malicious'],
  ['torch.hub', 'load', 'malicious'],
  ['numpy', 'load', 'malicious'],
  ['pickle', 'loads', 'malicious'],
  ['marshal', 'loads', 'malicious'],
  ['code', 'InteractiveConsole', 'malicious'],
  ['mylib.shell', 'system', 'malicious'],
  // anything else: default deny
  ['__main__', 'Net', 'suspicious'],
  ['mylib', 'helper', 'suspicious'],
  ['torch.nn.modules.linear', 'some_function', 'suspicious'],
  ['numpy', 'frombuffer', 'suspicious'],
  ['zlib', 'decompress', 'suspicious'],
  ['os ', 'system', 'malicious'],
  ['ｏｓ', 'system', 'malicious'],
  ['my lib', 'x', 'suspicious'],
];

for (const [module, name, verdict] of CASES) {
  test(`${module}.${name} is ${verdict}`, () => {
    assert.equal(judgeName(module, name).verdict, verdict, judgeName(module, name).reason);
  });
}
