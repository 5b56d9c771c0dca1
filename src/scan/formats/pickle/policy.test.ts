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
  // re-exports, verb patterns and module walks, wherever the name is defined
  ['sklearn.datasets._covtype', 'GzipFile', 'malicious'],
  ['sklearn.utils._testing', 'check_output', 'malicious'],
  ['sklearn.datasets._openml', 'TemporaryDirectory', 'malicious'],
  ['torch.serialization', '_open_file', 'malicious'],
  ['torch._utils', '_import_dotted_name', 'malicious'],
  ['huggingface_hub', 'hf_hub_download', 'malicious'],
  ['pandas.core.frame', 'DataFrame.to_pickle', 'malicious'],
  ['sklearn.utils.validation', 'np.load', 'malicious'],
  ['torch.nn.modules.module', 'torch.hub.load_state_dict_from_url', 'malicious'],
  ['tensorflow', 'keras.utils.get_file', 'malicious'],
  ['torch', 'from_file', 'malicious'],
  // legitimate reconstruction beyond torch: pandas, scipy, Cython, numpy scalar types
  ['pandas._libs.internals', '_unpickle_block', 'allowed'],
  ['pandas.core.frame', 'DataFrame', 'allowed'],
  ['sklearn._loss._loss', '__pyx_unpickle_CyHalfBinomialLoss', 'allowed'],
  ['sklearn.neighbors._kd_tree', 'newObj', 'allowed'],
  ['scipy.sparse._csr', 'csr_matrix', 'allowed'],
  ['numpy', 'float64', 'allowed'],
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

test('trusted-namespace functions are references: suspicious unless the pickle only stores them', () => {
  assert.equal(judgeName('numpy', 'log1p').basis, 'reference');
  assert.equal(judgeName('torch.nn.functional', 'relu').basis, 'reference');
  assert.equal(judgeName('mylib', 'helper').basis, 'default');
  assert.equal(judgeName('sklearn.tree._tree', 'Tree').basis, 'namespace-class');
});

for (const [module, name, verdict] of CASES) {
  test(`${module}.${name} is ${verdict}`, () => {
    assert.equal(judgeName(module, name).verdict, verdict, judgeName(module, name).reason);
  });
}

test('verb patterns: ASCII letter-and-digit segments joined by single underscores, one of which is the verb', () => {
  for (const name of ['_open_file', 'OPEN', 'x_Open_2', 'Get_File_v2', 'hf_hub_Download', '__urlopen']) {
    assert.equal(judgeName('mylib', name).verdict, 'malicious', name);
  }
  for (const name of ['open_', 'a__open', 'reopen', 'get__file', 'getfile', 'open_x_', '\u212a_open', 'open\u017f']) {
    assert.equal(judgeName('mylib', name).verdict, 'suspicious', name);
  }
});

// Names a hostile pickle chose to make the regular expressions these rules were take quadratic
// time (a long run of underscores inside a segment; segments that almost spell a verb).
test('long hostile names are judged by the same rules', () => {
  const inner = `\u0000${'_'.repeat(200_000)}_\u0000`;
  const j = judgeName('random', `${inner}.__os__.system`);
  assert.equal(j.verdict, 'malicious');
  assert.equal(j.reason, "path reaches the os module through '__os__'");
  assert.equal(judgeName('mylib', inner).reason, 'not a valid Python module/attribute name');
  const verbs: readonly (readonly [string, string])[] = [
    ['_OPEN_E', 'opens files or processes'],
    ['_IMPORT_E', 'imports modules by name'],
    ['_GET_FILE_E', 'downloads from the network'],
  ];
  for (const [verb, what] of verbs) {
    const name = `0${verb.repeat(Math.ceil(200_000 / verb.length))}`;
    assert.equal(judgeName('mylib', name).reason, `${name} ${what}`);
    assert.equal(judgeName('mylib', `${name}\u0000`).reason, 'not a valid Python module/attribute name');
  }
});
