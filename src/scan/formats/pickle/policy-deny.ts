/**
 * The deny side of the callable policy: names that are known execution, import, file, network,
 * nested-loader or scheduling primitives, however they are reached. Modules are matched as
 * prefixes of the resolved path; final names, dangerous class names and verb patterns are
 * matched wherever the name is defined (re-exports included).
 */

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
  // files, terminals, GUIs and mail handlers that run commands or read arbitrary files
  'linecache', 'pstats', 'mailcap', 'cgi', 'cgitb', 'antigravity', 'this', 'turtle', 'tkinter', '_tkinter',
  'pyclbr', 'modulefinder', 'netrc', 'winreg', '_winreg', '_winapi', 'msvcrt', 'readline', 'zipapp',
  'tabnanny', 'smtpd', 'wsgiref', 'getpass', 'crypt', 'spwd',
  // callbacks run later: threads, schedulers, finalizers
  'threading', 'sched', 'weakref',
  // expression evaluators and compilers in third-party packages
  'numexpr', 'Cython', 'pyximport', 'sympy.sympify', 'sympy.parsing', 'sympy.core.sympify',
  // downloads
  'huggingface_hub', 'wget', 'gdown', 'torchvision.datasets.utils', 'torch.utils.model_zoo',
  // files mapped or fetched by NumPy
  'numpy.core.memmap', 'numpy._core.memmap', 'numpy.lib._datasource', 'numpy.DataSource', 'numpy.lib.format',
  // SciPy's file readers and writers (MATLAB, Matrix Market, WAV, NetCDF, IDL …)
  'scipy.io',
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


/** What a name pattern needs: a regular expression is one. */
export interface NamePattern {
  test(name: string): boolean;
}

const SEGMENT = /^[a-z0-9]+$/i;

/**
 * Names that, after any leading underscores, are ASCII letters and digits in segments joined by
 * single underscores, some run of which is one of `words` (`get_file` is two), in any case:
 * `_open_file`, `hf_hub_download`, `Get_File_X`. The segments are compared rather than matched
 * by a regular expression, which backtracked polynomially on hostile names.
 */
function snakeNameWith(...words: readonly string[]): NamePattern {
  const wanted = words.map((w) => w.split('_'));
  return {
    test(name: string): boolean {
      let start = 0;
      while (name[start] === '_') start++;
      const segs = name.slice(start).split('_');
      if (!segs.every((seg) => SEGMENT.test(seg))) return false;
      const lower = segs.map((seg) => seg.toLowerCase());
      return lower.some((_, i) => wanted.some((w) => w.every((part, k) => lower[i + k] === part)));
    },
  };
}

/**
 * Verb patterns in a final name: opening files, importing by name, resolving dotted names,
 * downloading, evaluating expressions, touching the filesystem. Matched on the last segment
 * wherever it is defined, so re-exports and wrappers in any package are caught.
 */
export const MALICIOUS_NAME_PATTERNS: readonly (readonly [NamePattern, string])[] = [
  [snakeNameWith('open'), 'opens files or processes'],
  [snakeNameWith('import'), 'imports modules by name'],
  [snakeNameWith('download', 'urlopen', 'urlretrieve', 'get_file'), 'downloads from the network'],
  [/^_*fetch_[a-z0-9_]+$/i, 'downloads from the network'],
  [/^_*(?:locate|instantiate|instantiate_from_config|get_obj_from_str|get_method|get_class|load_object|load_class|import_string)$/, 'resolves a dotted name to a callable'],
  [/^_*(?:evaluate|sympify|parse_expr|cython_inline|compile_command|runsource|runcode|exec_command|run_command|run_setup|spawn|start_new_thread)$/, 'evaluates or runs code'],
  [/^_*(?:fromfile|from_file|tofile|to_file|genfromtxt|loadtxt|savetxt|savez|savez_compressed|savemat|loadmat|fromregex)$/, 'reads or writes files'],
  [/^_*(?:read|to)_(?:csv|pickle|parquet|hdf|excel|json|sql|sql_table|sql_query|table|html|xml|fwf|feather|orc|sas|spss|stata|clipboard|gbq|latex|markdown|string_file)$/, 'reads or writes files'],
  [/^(?:write_text|write_bytes|read_text|read_bytes|dump|unlink|rmtree|rmdir|removedirs|mkdir|makedirs|touch|symlink_to|hardlink_to|symlink|link|chmod|chown|lchown|copyfile|copytree|copy2|copymode|move|truncate|remove|rename|mkfifo|mknod)$/, 'changes or reads the filesystem'],
  [/^[A-Za-z0-9_]*File$/, 'a file object class: constructing it opens, creates or truncates a file'],
];

/**
 * Class names that are process, thread, native-library, interpreter, network or temporary-file
 * primitives in the standard library; a module that re-exports one (`from subprocess import
 * Popen`) hands it out under its own name, so the class name alone decides.
 */
export const MALICIOUS_CLASS_NAMES: ReadonlySet<string> = new Set([
  'Popen', 'Process', 'Thread', 'Timer', 'Pool', 'ThreadPool', 'ThreadPoolExecutor', 'ProcessPoolExecutor',
  'CDLL', 'PyDLL', 'WinDLL', 'OleDLL', 'LibraryLoader', 'Unpickler', 'InteractiveInterpreter', 'InteractiveConsole',
  'Pdb', 'Bdb', 'Profile', 'Trace', 'TemporaryDirectory', 'HTTPConnection', 'HTTPSConnection', 'SMTP', 'SMTP_SSL',
  'LMTP', 'FTP', 'FTP_TLS', 'Telnet', 'ServerProxy', 'IMAP4', 'IMAP4_SSL', 'POP3', 'POP3_SSL', 'DataSource',
  'PackageImporter', 'SourceFileLoader', 'SourcelessFileLoader', 'ExtensionFileLoader', 'zipimporter',
  'BaseManager', 'SyncManager', 'FileType', 'FileIO', 'BufferedWriter', 'BufferedRandom', 'TextIOWrapper',
]);

/**
 * Names of modules that, met as an attribute in the middle of a dotted path, are the module
 * itself (`sklearn.utils.validation.np.load` is `numpy.load`): the rest of the path is judged
 * from there. Only names that are never anything but these modules are listed.
 */
export const MODULE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['np', 'numpy'], ['numpy', 'numpy'], ['pd', 'pandas'], ['pandas', 'pandas'], ['torch', 'torch'],
  ['tf', 'tensorflow'], ['tensorflow', 'tensorflow'], ['keras', 'keras'], ['joblib', 'joblib'],
  ['pickle', 'pickle'], ['cPickle', 'pickle'], ['dill', 'dill'], ['cloudpickle', 'cloudpickle'],
  ['requests', 'requests'], ['urllib', 'urllib'], ['urllib3', 'urllib3'], ['shutil', 'shutil'],
  ['tempfile', 'tempfile'], ['subprocess', 'subprocess'], ['importlib', 'importlib'], ['runpy', 'runpy'],
  ['ctypes', 'ctypes'], ['marshal', 'marshal'], ['socket', 'socket'], ['webbrowser', 'webbrowser'],
  ['multiprocessing', 'multiprocessing'], ['asyncio', 'asyncio'], ['threading', 'threading'],
  ['pdb', 'pdb'], ['pty', 'pty'], ['shelve', 'shelve'], ['huggingface_hub', 'huggingface_hub'],
  ['transformers', 'transformers'], ['sklearn', 'sklearn'], ['h5py', 'h5py'], ['yaml', 'yaml'],
]);
