/**
 * Python 2 names the unpickler maps to Python 3 ones for protocols < 3 (`fix_imports`, from
 * CPython's `Lib/_compat_pickle.py`). Only entries that matter for judging callables are kept:
 * module renames, and the name renames of `__builtin__`.
 */

export const IMPORT_MAPPING: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['copy_reg', 'copyreg'],
  ['Queue', 'queue'],
  ['SocketServer', 'socketserver'],
  ['ConfigParser', 'configparser'],
  ['repr', 'reprlib'],
  ['_winreg', 'winreg'],
  ['thread', '_thread'],
  ['dummy_thread', '_dummy_thread'],
  ['dbhash', 'dbm.bsd'],
  ['dumbdbm', 'dbm.dumb'],
  ['dbm', 'dbm.ndbm'],
  ['gdbm', 'dbm.gnu'],
  ['xmlrpclib', 'xmlrpc.client'],
  ['SimpleXMLRPCServer', 'xmlrpc.server'],
  ['httplib', 'http.client'],
  ['htmlentitydefs', 'html.entities'],
  ['HTMLParser', 'html.parser'],
  ['Cookie', 'http.cookies'],
  ['cookielib', 'http.cookiejar'],
  ['BaseHTTPServer', 'http.server'],
  ['test.test_support', 'test.support'],
  ['commands', 'subprocess'],
  ['urlparse', 'urllib.parse'],
  ['robotparser', 'urllib.robotparser'],
  ['urllib2', 'urllib.request'],
  ['anydbm', 'dbm'],
  ['_abcoll', 'collections.abc'],
  ['cPickle', 'pickle'],
  ['_elementtree', 'xml.etree.ElementTree'],
  ['DocXMLRPCServer', 'xmlrpc.server'],
  ['SimpleHTTPServer', 'http.server'],
  ['CGIHTTPServer', 'http.server'],
  ['UserDict', 'collections'],
  ['UserList', 'collections'],
  ['UserString', 'collections'],
  ['whichdb', 'dbm'],
  ['StringIO', 'io'],
  ['cStringIO', 'io'],
  ['exceptions', 'builtins'],
]);

export const NAME_MAPPING: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['__builtin__.xrange', ['builtins', 'range']],
  ['__builtin__.reduce', ['functools', 'reduce']],
  ['__builtin__.intern', ['sys', 'intern']],
  ['__builtin__.unichr', ['builtins', 'chr']],
  ['__builtin__.unicode', ['builtins', 'str']],
  ['__builtin__.long', ['builtins', 'int']],
  ['__builtin__.basestring', ['builtins', 'str']],
  ['itertools.izip', ['builtins', 'zip']],
  ['itertools.imap', ['builtins', 'map']],
  ['itertools.ifilter', ['builtins', 'filter']],
  ['itertools.ifilterfalse', ['itertools', 'filterfalse']],
  ['itertools.izip_longest', ['itertools', 'zip_longest']],
  ['UserDict.IterableUserDict', ['collections', 'UserDict']],
  ['UserList.UserList', ['collections', 'UserList']],
  ['UserDict.UserDict', ['collections', 'UserDict']],
  ['UserString.UserString', ['collections', 'UserString']],
  ['whichdb.whichdb', ['dbm', 'whichdb']],
  ['_socket.fromfd', ['socket', 'fromfd']],
  ['_multiprocessing.Connection', ['multiprocessing.connection', 'Connection']],
  ['multiprocessing.process.Process', ['multiprocessing.context', 'Process']],
  ['multiprocessing.forking.Popen', ['multiprocessing.popen_fork', 'Popen']],
  ['urllib.ContentTooShortError', ['urllib.error', 'ContentTooShortError']],
  ['urllib.getproxies', ['urllib.request', 'getproxies']],
  ['urllib.pathname2url', ['urllib.request', 'pathname2url']],
  ['urllib.quote_plus', ['urllib.parse', 'quote_plus']],
  ['urllib.quote', ['urllib.parse', 'quote']],
  ['urllib.unquote_plus', ['urllib.parse', 'unquote_plus']],
  ['urllib.unquote', ['urllib.parse', 'unquote']],
  ['urllib.url2pathname', ['urllib.request', 'url2pathname']],
  ['urllib.urlcleanup', ['urllib.request', 'urlcleanup']],
  ['urllib.urlencode', ['urllib.parse', 'urlencode']],
  ['urllib.urlopen', ['urllib.request', 'urlopen']],
  ['urllib.urlretrieve', ['urllib.request', 'urlretrieve']],
  ['urllib2.HTTPError', ['urllib.error', 'HTTPError']],
  ['urllib2.URLError', ['urllib.error', 'URLError']],
]);

/** `(module, name)` as `find_class` imports it under `fix_imports` (protocol < 3). */
export function py2Alias(module: string, name: string): readonly [string, string] {
  const byName = NAME_MAPPING.get(`${module}.${name}`);
  if (byName !== undefined) return byName;
  const mod = IMPORT_MAPPING.get(module);
  return mod === undefined ? [module, name] : [mod, name];
}
