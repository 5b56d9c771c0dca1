/**
 * The callable policy's tables. Default deny: a name is legitimate only if listed here; known
 * execution, import, file, network and nested-loader primitives are malicious; everything else
 * is suspicious. Names are `module.qualname` after Python 2 aliasing.
 */

/** Exactly these names are what legitimate ML pickles import. */
export const ALLOWED: ReadonlySet<string> = new Set([
  // Python containers and scalars
  'builtins.set', 'builtins.frozenset', 'builtins.list', 'builtins.dict', 'builtins.tuple',
  'builtins.bytearray', 'builtins.bytes', 'builtins.slice', 'builtins.range', 'builtins.complex',
  'builtins.int', 'builtins.float', 'builtins.str', 'builtins.bool', 'builtins.object',
  'builtins.Ellipsis', 'builtins.NotImplemented', 'builtins.NoneType',
  'collections.OrderedDict', 'collections.defaultdict', 'collections.Counter', 'collections.deque',
  'copyreg._reconstructor', 'copyreg.__newobj__', 'copyreg.__newobj_ex__',
  '_codecs.encode',
  'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta', 'datetime.timezone',
  'decimal.Decimal', 'fractions.Fraction', 'uuid.UUID',
  'pathlib.Path', 'pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.PurePath',
  'pathlib.PurePosixPath', 'pathlib.PureWindowsPath',
  'argparse.Namespace', 'types.SimpleNamespace', 're._compile', 'random.Random', '_random.Random',
  // PyTorch tensors, parameters, storages
  'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state',
  'torch._utils._rebuild_sparse_tensor', 'torch._utils._rebuild_sparse_csr_tensor',
  'torch._utils._rebuild_meta_tensor_no_storage', 'torch._utils._rebuild_qtensor',
  'torch._utils._rebuild_nested_tensor', 'torch._utils._rebuild_wrapper_subclass',
  'torch._utils._rebuild_device_tensor_from_numpy', 'torch._utils._rebuild_device_tensor_from_cpu_tensor',
  'torch._utils._rebuild_xla_tensor', 'torch._utils._rebuild_mps_tensor',
  'torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2',
  'torch.serialization._get_layout', 'torch.Size', 'torch.Tensor', 'torch.device', 'torch.Generator',
  'torch.nn.parameter.Parameter', 'torch.nn.parameter.UninitializedParameter',
  'torch.nn.parameter.UninitializedBuffer', 'torch.nn.parameter.Buffer',
  'torch.storage.TypedStorage', 'torch.storage.UntypedStorage', 'torch.storage._LegacyStorage',
  'torch.storage._load_from_bytes',
  'torch.jit._pickle.build_intlist', 'torch.jit._pickle.build_floatlist', 'torch.jit._pickle.build_boollist',
  'torch.jit._pickle.build_tensorlist', 'torch.jit._pickle.build_doublelist',
  'torch.jit._pickle.build_tensor_from_id', 'torch.jit._pickle.restore_type_tag',
  // NumPy arrays, dtypes, scalars, random state
  'numpy.ndarray', 'numpy.dtype', 'numpy.matrix', 'numpy.ma.core.MaskedArray', 'numpy.ma.core._mareconstruct',
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
  'numpy.random._pickle.__randomstate_ctor', 'numpy.random._pickle.__bit_generator_ctor',
  'numpy.random._pickle.__generator_ctor', 'numpy.random.mtrand.RandomState',
  'numpy.random._mt19937.MT19937', 'numpy.random._pcg64.PCG64', 'numpy.random._generator.Generator',
  // joblib's array placeholders
  'joblib.numpy_pickle.NumpyArrayWrapper', 'joblib.numpy_pickle.NDArrayWrapper',
  'joblib.numpy_pickle_compat.NDArrayWrapper', 'joblib.numpy_pickle_compat.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);

const TORCH_SCALAR_TYPES = [
  'Float', 'Double', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool',
  'ComplexFloat', 'ComplexDouble', 'QInt8', 'QUInt8', 'QInt32', 'QUInt4x2', 'QUInt2x4',
];
const TORCH_DTYPES = [
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'complex32', 'chalf',
  'complex64', 'cfloat', 'complex128', 'cdouble', 'uint8', 'int8', 'int16', 'short', 'int32', 'int',
  'int64', 'long', 'bool', 'qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4', 'float8_e4m3fn',
  'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'uint16', 'uint32', 'uint64', 'bits8', 'bits16',
];
const TORCH_LAYOUTS = ['strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn', 'jagged'];
const TORCH_QSCHEMES = [
  'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric',
  'per_channel_affine_float_qparams',
];
const TORCH_FORMATS = ['contiguous_format', 'channels_last', 'channels_last_3d', 'preserve_format'];

/** Names generated from PyTorch's dtype, storage and tensor class families. */
export const ALLOWED_GENERATED: ReadonlySet<string> = new Set([
  ...TORCH_SCALAR_TYPES.flatMap((t) => [`torch.${t}Storage`, `torch.cuda.${t}Storage`]),
  ...TORCH_SCALAR_TYPES.flatMap((t) => [
    `torch.${t}Tensor`, `torch.cuda.${t}Tensor`, `torch.sparse.${t}Tensor`, `torch.cuda.sparse.${t}Tensor`,
  ]),
  ...[...TORCH_DTYPES, ...TORCH_LAYOUTS, ...TORCH_QSCHEMES, ...TORCH_FORMATS].map((n) => `torch.${n}`),
]);

/**
 * Module namespaces whose classes (a capitalised last name) legitimate checkpoints instantiate:
 * whole-module saves, optimizers, schedulers, scikit-learn estimators, training arguments.
 * Instantiating these runs library code the loader already trusts; callables reaching them
 * still have to be imported by name and are judged on their own.
 */
export const ALLOWED_CLASS_NAMESPACES: readonly string[] = [
  'torch.nn.modules.', 'torch.nn.parameter.', 'torch.optim.', 'torch.ao.nn.', 'torch.nn.quantized.',
  'torch.nn.intrinsic.', 'torch.nn.utils.parametrize.', 'torch.distributions.',
  'sklearn.', 'transformers.', 'numpy.dtypes.',
];

/** Whole modules (and their submodules) whose names are attack primitives. */
export const MALICIOUS_MODULES: readonly string[] = [
  // process execution and the interpreter
  'os', 'nt', 'posix', 'posixpath', 'ntpath', '_posixsubprocess', 'subprocess', 'commands', 'popen2', 'pty',
  'sys', 'platform', 'signal', 'atexit', 'gc', 'ctypes', '_ctypes', 'cffi', 'mmap', 'resource',
  // importing and running code
  'importlib', 'imp', 'runpy', 'code', 'codeop', 'compileall', 'py_compile', 'zipimport', 'pkgutil',
  'site', 'inspect', 'types', 'marshal', 'builtins.__import__',
  // debuggers, profilers and test runners that evaluate strings
  'pdb', 'bdb', 'ipdb', 'timeit', 'cProfile', 'profile', '_lsprof', 'trace', 'doctest', 'pydoc',
  'idlelib', 'lib2to3', 'unittest', 'test',
  // package installation
  'pip', 'ensurepip', 'venv', 'setuptools', 'distutils', 'pkg_resources',
  // network
  'socket', '_socket', 'ssl', 'socketserver', 'http', 'urllib', 'urllib2', 'urllib3', 'requests',
  'httpx', 'aiohttp', 'ftplib', 'smtplib', 'telnetlib', 'poplib', 'imaplib', 'nntplib', 'xmlrpc',
  'webbrowser', 'asyncio', 'multiprocessing', 'concurrent', '_thread', 'thread', 'selectors', 'select',
  // files
  'io', '_io', 'shutil', 'tarfile', 'zipfile', 'tempfile', 'fileinput', 'glob', 'shelve', 'dbm',
  'codecs.open', 'logging.config', 'sqlite3',
  // nested deserializers and call-indirection helpers
  'pickle', '_pickle', 'cPickle', 'pickletools', 'dill', 'cloudpickle', 'joblib', 'yaml', 'jsonpickle',
  'operator', '_operator', 'functools.partial', 'functools.partialmethod', 'functools.reduce',
  'copyreg.add_extension', 'copyreg._inverted_registry', 'copyreg._extension_registry',
  // framework loaders and code paths that execute
  'numpy.load', 'numpy.loads', 'numpy.lib.npyio', 'numpy.lib.format', 'numpy.f2py', 'numpy.distutils',
  'numpy.testing', 'numpy.ctypeslib', 'numpy.save', 'numpy.savez', 'numpy.savez_compressed', 'numpy.savetxt',
  'numpy.fromfile', 'numpy.memmap', 'numpy.loadtxt', 'numpy.genfromtxt',
  'torch.load', 'torch.save', 'torch.serialization.load', 'torch.serialization.save', 'torch.hub',
  'torch.package', 'torch.utils.cpp_extension', 'torch.jit.load', 'torch.jit._serialization',
  'torch.fx.graph_module', 'torch._inductor', 'torch._dynamo', 'torch.utils.data.datapipes',
  'torch.multiprocessing', 'torch.distributed', 'torch.ops', 'torch._C._jit',
  'transformers.dynamic_module_utils', 'transformers.agents', 'transformers.tools',
  'tensorflow.io', 'tensorflow.python.ops.gen_io_ops', 'tensorflow.python.ops.script_ops',
  'tensorflow.py_function', 'tensorflow.numpy_function', 'tensorflow.compat.v1.py_func',
  'keras.utils.get_file', 'keras.src.utils.file_utils', 'keras.models.load_model', 'keras.saving',
  'tensorflow.keras.models.load_model', 'tensorflow.saved_model.load',
  'uuid._get_command_stdout', 'uuid._popen', 'uuid._ifconfig_getnode', 'uuid._ip_getnode', 'uuid._arp_getnode',
  'uuid._lanscan_getnode', 'uuid._netstat_getnode', 'uuid._find_mac', 'uuid._find_mac_near_keyword',
  'uuid._find_mac_under_heading', 'uuid.getnode', 'uuid._unix_getnode', 'uuid._generate_time_safe',
  'pandas.read_pickle', 'pandas.io', 'pandas.eval', 'pandas.core.computation', 'pandas.read_csv', 'pandas.read_json',
  'pandas.read_html', 'pandas.read_sql', 'pandas.read_parquet', 'pandas.read_table', 'pandas.read_excel',
  'torch.classes', 'torch._ops', 'torch.library', 'torch._C._load_for_lite_interpreter', 'torch.utils.cpp_extension',
  'IPython', 'ipykernel', 'jupyter_client', 'jinja2', 'mako', 'string.Formatter', 'pty',
];

/** Single builtins that execute, import, reach attributes or touch files. */
export const MALICIOUS_BUILTINS: ReadonlySet<string> = new Set([
  'eval', 'exec', 'execfile', 'compile', 'open', 'file', 'input', 'raw_input', '__import__',
  'getattr', 'setattr', 'delattr', 'hasattr', 'globals', 'locals', 'vars', 'dir', 'breakpoint',
  'help', 'exit', 'quit', 'apply', 'reload', 'type', 'super', 'classmethod', 'staticmethod',
  'property', 'memoryview', '__build_class__', 'copyright', 'credits', 'license',
]);

/**
 * Attribute segments that name a dangerous module wherever they appear in a dotted path
 * (`random._os.system`, `torch.serialization.os`): leading underscores are ignored.
 */
export const MALICIOUS_SEGMENTS: ReadonlySet<string> = new Set([
  'os', 'nt', 'posix', 'subprocess', 'sys', 'builtins', 'builtin', 'importlib',
  'runpy', 'pty', 'shutil', 'socket', 'ctypes', 'marshal', 'pickle', 'cPickle', 'dill',
  'cloudpickle', 'commands', 'pip', 'webbrowser', 'multiprocessing', 'asyncio',
]);

/** Final names that are execution primitives whatever module exports them. */
export const MALICIOUS_LAST_NAMES: ReadonlySet<string> = new Set([
  'system', 'popen', 'popen2', 'popen3', 'popen4', 'exec', 'eval', 'execfile', 'execv', 'execve',
  'execvp', 'execvpe', 'execl', 'execle', 'execlp', 'execlpe', 'spawnl', 'spawnle', 'spawnlp',
  'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe', 'posix_spawn', 'posix_spawnp', 'fork',
  'forkpty', 'startfile', 'getoutput', 'getstatusoutput', 'check_output', 'check_call',
  '__import__', 'import_module', 'run_path', 'run_module', 'getattr_static', 'resolve_name',
  'load_module', 'exec_module', 'loads', 'load', 'runstring', 'runctx', 'runcall', 'interact',
  'attrgetter', 'itemgetter', 'methodcaller', 'from_pretrained', 'load_model', 'load_library', 'read_pickle',
]);

/** Nested loaders whose literal payload is scanned; legitimate only when that payload is clean. */
export const PAYLOAD_LOADERS: ReadonlyMap<string, 'tolerated' | 'malicious'> = new Map([
  ['torch.storage._load_from_bytes', 'tolerated'],
  ['pickle.loads', 'malicious'],
  ['_pickle.loads', 'malicious'],
  ['pickle._loads', 'malicious'],
  ['dill.loads', 'malicious'],
  ['dill._dill.loads', 'malicious'],
  ['cloudpickle.loads', 'malicious'],
  ['numpy.loads', 'malicious'],
  ['joblib.load', 'malicious'],
  ['torch.load', 'malicious'],
  ['torch.serialization.load', 'malicious'],
  ['pickle.load', 'malicious'],
  ['_pickle.load', 'malicious'],
  ['numpy.load', 'malicious'],
  ['dill.load', 'malicious'],
  ['marshal.loads', 'malicious'],
]);
