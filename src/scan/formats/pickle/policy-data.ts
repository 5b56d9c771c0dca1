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
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', 'numpy.core._internal._reconstruct', 'numpy._core._internal._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
  'numpy.random._pickle.__randomstate_ctor', 'numpy.random._pickle.__bit_generator_ctor',
  'numpy.random._pickle.__generator_ctor', 'numpy.random.mtrand.RandomState',
  'numpy.random._mt19937.MT19937', 'numpy.random._pcg64.PCG64', 'numpy.random._generator.Generator',
  // joblib's array placeholders
  'joblib.numpy_pickle.NumpyArrayWrapper', 'joblib.numpy_pickle.NDArrayWrapper',
  'joblib.numpy_pickle_compat.NDArrayWrapper', 'joblib.numpy_pickle_compat.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  // scikit-learn's Cython reconstructors: `newObj(cls)` is `cls.__new__(cls)`
  'sklearn.neighbors._kd_tree.newObj', 'sklearn.neighbors._ball_tree.newObj', 'sklearn.neighbors._binary_tree.newObj',
  'sklearn.metrics._dist_metrics.newObj', 'sklearn.neighbors._dist_metrics.newObj',
  // pandas reconstructors: blocks, indexes, timestamps (values and already-judged classes in, objects out)
  'pandas._libs.internals._unpickle_block', 'pandas.core.internals.blocks.new_block', 'pandas.core.internals.blocks._unpickle_block',
  'pandas.core.indexes.base._new_Index', 'pandas.core.indexes.datetimes._new_DatetimeIndex',
  'pandas.core.indexes.period._new_PeriodIndex', 'pandas.core.indexes.interval._new_IntervalIndex',
  'pandas._libs.tslibs.timestamps._unpickle_timestamp', 'pandas._libs.tslibs.timedeltas._timedelta_unpickle',
  'pandas._libs.tslibs.nattype.__nat_unpickle', 'pandas._libs.tslibs.nattype._nat_unpickle',
  // time zones
  'pytz._UTC', 'pytz._p', 'dateutil.tz.tz.tzutc', 'dateutil.tz.tz.tzoffset', 'dateutil.tz.tz.tzlocal',
  'zoneinfo.ZoneInfo', 'zoneinfo.ZoneInfo._unpickle', 'datetime.tzinfo',
]);

/** NumPy scalar types, referenced as dtypes (`dtype=numpy.float64`) and rebuilt by `scalar()`. */
const NUMPY_SCALARS = [
  'bool_', 'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32',
  'float64', 'float128', 'longdouble', 'complex64', 'complex128', 'complex256', 'clongdouble', 'str_', 'bytes_',
  'object_', 'void', 'datetime64', 'timedelta64', 'float_', 'int_', 'intc', 'uintc', 'intp', 'uintp', 'longlong',
  'ulonglong', 'half', 'single', 'double', 'csingle', 'cdouble', 'byte', 'ubyte', 'short', 'ushort', 'unicode_',
  'string_', 'number', 'integer', 'floating', 'generic',
];

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
  ...NUMPY_SCALARS.flatMap((n) => [`numpy.${n}`, `numpy.core.numerictypes.${n}`, `numpy._core.numerictypes.${n}`]),
  // SciPy sparse matrices and arrays (lower-case class names), rebuilt by NEWOBJ + BUILD
  ...['csr', 'csc', 'coo', 'bsr', 'dia', 'dok', 'lil'].flatMap((f) => [
    `scipy.sparse._${f}.${f}_matrix`, `scipy.sparse._${f}.${f}_array`, `scipy.sparse.${f}.${f}_matrix`, `scipy.sparse._arrays.${f}_array`,
  ]),
]);

/**
 * Module namespaces whose classes (a capitalised last name) legitimate checkpoints instantiate:
 * whole-module saves, optimizers, schedulers, scikit-learn estimators, pandas frames, training
 * arguments. Rebuilt the way pickle rebuilds plain objects (`cls.__new__` then state) they run
 * no code with the file's data; called with arguments (`cls(*args)`, Cython types, enums) they
 * run `__init__`, which is accepted only when no argument names a path, URL or command
 * (see `analysis.ts`). Re-exported primitives (`Popen`, `GzipFile` …) are denied by name first.
 */
export const ALLOWED_CLASS_NAMESPACES: readonly string[] = [
  'torch.nn.modules.', 'torch.nn.parameter.', 'torch.optim.', 'torch.ao.nn.', 'torch.nn.quantized.',
  'torch.nn.intrinsic.', 'torch.nn.utils.parametrize.', 'torch.distributions.', 'torch.ao.quantization.',
  'sklearn.', 'transformers.', 'numpy.dtypes.', 'numpy.random.', 'pandas.', 'scipy.sparse.', 'scipy.stats.',
  'pytz.', 'xgboost.', 'lightgbm.', 'tokenizers.',
];

/**
 * Cython's generated reconstructor (`__pyx_unpickle_<Type>(type, checksum, state)`: checks the
 * layout checksum, `type.__new__`, sets the fields) inside these namespaces.
 */
export const CYTHON_UNPICKLE_NAMESPACES: readonly string[] = ['sklearn.', 'pandas.', 'scipy.', 'numpy.'];

/**
 * Functions of these namespaces may be *referenced* (stored as an attribute: an activation, a
 * scorer, a `FunctionTransformer`'s `func`) when nothing in the pickle calls them: a reference
 * runs no code while loading. Called, they are judged like any other name.
 */
export const REFERENCE_NAMESPACES: readonly string[] = ['numpy.', 'scipy.', 'sklearn.', 'pandas.', 'torch.', 'math.', 'transformers.activations.'];

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
