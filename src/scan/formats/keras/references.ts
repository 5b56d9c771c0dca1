/**
 * Judging the Python references a Keras config makes. Keras imports a config's `module` and
 * looks the class or function up in it (CVE-2025-1550: before 3.9 any module was imported,
 * even with safe_mode). Later bypasses (CVE-2025-8747, CVE-2025-9906) stayed inside Keras and
 * called its own file and configuration functions (`keras.utils.get_file`,
 * `keras.config.enable_unsafe_deserialization`, `keras.models.load_model(safe_mode=False)`).
 * So: modules outside Keras are custom code (suspicious) unless they are execution, file,
 * network or loader modules (malicious); functions inside Keras are fine only in the
 * numerical namespaces a model legitimately calls (activations, losses, ops …).
 */

export type RefVerdict =
  | { readonly level: 'ok' }
  | { readonly level: 'custom'; readonly why: string }
  | { readonly level: 'dangerous'; readonly why: string };

const KERAS_ROOTS = new Set(['keras', 'tf_keras', 'keras_core', 'keras_nlp', 'keras_hub', 'keras_cv']);

/** Python modules whose functions execute code, touch files, processes or the network, or load serialized objects. */
const DANGEROUS_MODULES = new Set([
  'os', 'posix', 'nt', 'posixpath', 'ntpath', 'subprocess', 'sys', 'builtins', '__builtin__', '__builtins__', 'importlib',
  'imp', 'runpy', 'code', 'codeop', 'pty', 'commands', 'popen2', 'platform', 'shutil', 'socket', 'ssl', 'http', 'urllib',
  'urllib2', 'urllib3', 'requests', 'httpx', 'ftplib', 'smtplib', 'telnetlib', 'webbrowser', 'pickle', 'cPickle', '_pickle',
  'pickletools', 'marshal', 'shelve', 'dill', 'cloudpickle', 'joblib', 'ctypes', 'cffi', '_ctypes', 'multiprocessing',
  'threading', '_thread', 'asyncio', 'signal', 'pdb', 'bdb', 'trace', 'timeit', 'cProfile', 'profile', 'types', 'functools',
  'operator', 'inspect', 'gc', 'io', '_io', 'pathlib', 'glob', 'tempfile', 'fileinput', 'zipfile', 'tarfile', 'zipimport',
  'pkgutil', 'site', 'sysconfig', 'setuptools', 'pip', 'distutils', 'venv', 'ensurepip', 'xmlrpc', 'socketserver', 'ipykernel',
  'IPython', 'numpy.lib.npyio', 'torch.serialization', 'torch.hub', 'torch.package',
]);

/** Keras namespaces a config may legitimately reference functions from. */
const KERAS_FUNCTION_NAMESPACES = new Set(['activations', 'losses', 'metrics', 'initializers', 'regularizers', 'constraints', 'ops', 'random', 'backend', 'quantizers', 'mixed_precision', 'dtype_policies', 'layers']);
/** Functions that load, download or reconfigure, whatever namespace they appear in. */
const GADGET_NAMES = /^(load_model|load_weights|get_file|enable_unsafe_deserialization|set_global_attribute|deserialize_keras_object|model_from_json|model_from_config|model_from_yaml|get_registered_object|register_keras_serializable|load|loads|save|save_model|exec|eval|system|popen)$/;

const PYTHON_BUILTINS = new Set(`
__import__ __build_class__ abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile
complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals
hasattr hash help hex id input int isinstance issubclass iter len license list locals map max memoryview min next object oct
open ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
`.split(/\s+/).filter((x) => x.length > 0));

/** Packages of the Keras family whose registered objects (`keras_hub>GemmaBackbone`) are not custom code. */
export function isKerasPackage(name: string): boolean {
  return KERAS_ROOTS.has(name);
}

function rootOf(module: string): string {
  return module.split('.')[0] ?? module;
}

/** Is `module` one of Keras' own packages (incl. tensorflow.keras / tensorflow.python.keras)? */
export function isKerasModule(module: string): boolean {
  if (KERAS_ROOTS.has(rootOf(module))) return true;
  return /^tensorflow\.(python\.)?keras(\.|$)/.test(module);
}

function dangerousModule(module: string): boolean {
  const parts = module.split('.');
  for (let i = parts.length; i > 0; i--) if (DANGEROUS_MODULES.has(parts.slice(0, i).join('.'))) return true;
  return false;
}

/** A class reference (`module` + `class_name`). */
export function judgeClassModule(module: string): RefVerdict {
  if (isKerasModule(module)) return { level: 'ok' };
  if (dangerousModule(module)) return { level: 'dangerous', why: `module ${module} executes code, touches files or the network` };
  return { level: 'custom', why: `module ${module} is outside Keras; loading imports it and runs its code` };
}

/** A function reference (`module` + function name), e.g. a Lambda's function or an activation. */
export function judgeFunction(module: string | undefined, name: string): RefVerdict {
  if (GADGET_NAMES.test(name) && (module === undefined || isKerasModule(module) || module === 'builtins')) {
    return { level: 'dangerous', why: `${module === undefined ? '' : `${module}.`}${name} loads, downloads or reconfigures (Keras safe_mode bypass gadget)` };
  }
  if (module === undefined) return { level: 'custom', why: `function ${name} without a module needs custom code` };
  if (module === 'builtins') {
    // Keras resolves builtins-module functions among its own activations/losses … first and only
    // then falls back to Python's builtins: a Python builtin's name is never a legitimate target.
    return PYTHON_BUILTINS.has(name) ? { level: 'dangerous', why: `builtins.${name} is a Python builtin` } : { level: 'ok' };
  }
  if (isKerasModule(module)) {
    const ns = module.split('.').filter((p, i) => i > 0 && p !== 'src' && p !== 'python' && p !== 'keras' && p !== 'api' && p !== '_tf_keras');
    const top = ns[0];
    if (top === undefined || KERAS_FUNCTION_NAMESPACES.has(top)) return { level: 'ok' };
    return { level: 'dangerous', why: `${module}.${name} is outside Keras' numerical namespaces (file, loading or configuration functions)` };
  }
  if (dangerousModule(module)) return { level: 'dangerous', why: `${module}.${name} executes code, touches files or the network` };
  if (rootOf(module) === 'tensorflow' && /(^|\.)(io|gfile|file_io|script_ops|py_func|saved_model|summary|debugging)(\.|$)/.test(module)) {
    return { level: 'dangerous', why: `${module}.${name} performs file I/O or calls back into Python` };
  }
  return { level: 'custom', why: `${module}.${name} is custom code` };
}

/** TF symbols (relative to the `tf` namespace) a TFOpLambda may call that do file I/O or run Python. */
export function judgeTfSymbol(symbol: string): RefVerdict {
  const s = symbol.replace(/^(tf|tensorflow)\./, '');
  if (/^(io|gfile|compat\.v1\.(io|gfile|py_func|read_file|write_file|Print)|summary|saved_model|debugging\.experimental|data\.experimental\.(save|load|snapshot)|keras\.(utils|models|config))(\.|$)/.test(s)) {
    return { level: 'dangerous', why: `tf.${s} performs file I/O` };
  }
  if (/^(py_function|numpy_function|compat\.v1\.py_func|raw_ops\.(PyFunc|PyFuncStateless|EagerPyFunc|WriteFile|ReadFile|MatchingFiles|SaveV2|Save|DatasetToTFRecord))$/.test(s)) {
    return { level: 'dangerous', why: `tf.${s} runs Python or touches files` };
  }
  if (/^print$/.test(s)) return { level: 'custom', why: 'tf.print can write to files' };
  return { level: 'ok' };
}
