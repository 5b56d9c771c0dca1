/**
 * Words attackers glue onto a popular name to make a "combosquat" (`node-lodash`,
 * `requests-py`, `axios-utils`, `colors-secure`). Grouped by the ecosystem they suggest; all
 * apply everywhere because squatters mix them freely.
 */

const COMMON_PREFIXES = [
  'node', 'nodejs', 'js', 'npm', 'ts', 'py', 'python', 'python3', 'py3', 'pip', 'pypi', 'lib', 'get',
  'the', 'my', 'real', 'official', 'secure', 'safe', 'fast', 'easy', 'simple', 'super', 'better',
  'pro', 'new', 'fixed', 'test', 'dev', 'x', 'go', 'open', 'free', 'best', 'true', 'pure',
];

const COMMON_SUFFIXES = [
  'js', 'javascript', 'node', 'nodejs', 'ts', 'typescript', 'cli', 'cmd', 'utils', 'util', 'utility',
  'utilities', 'tools', 'tool', 'toolkit', 'helper', 'helpers', 'dev', 'lib', 'library', 'api', 'sdk',
  'client', 'core', 'plus', 'pro', 'ext', 'extra', 'extended', 'official', 'latest', 'new', 'next',
  'fixed', 'fix', 'patch', 'patched', 'secure', 'safe', 'fast', 'lite', 'light', 'mini', 'min', 'beta',
  'alpha', 'test', 'tests', 'pkg', 'package', 'module', 'mod', 'py', 'python', 'python3', 'py3',
  'async', 'wrapper', 'bin', 'dist', 'build', 'release', 'update', 'updated', 'upgrade', 'installer',
  'install', 'setup', 'loader', 'app', 'master', 'main', 'x', 'full', 'legacy', 'compat', 'v2', 'v3',
  'v4', 'v5', 'dl', 'free', 'stable', 'prod', 'server', 'service', 'plugin', 'addon', 'hook', 'hooks',
];

export const PREFIXES: ReadonlySet<string> = new Set(COMMON_PREFIXES);
export const SUFFIXES: ReadonlySet<string> = new Set(COMMON_SUFFIXES);

/** Prefixes and suffixes long enough to strip from a name written without separators. */
export const GLUED_PREFIXES: readonly string[] = COMMON_PREFIXES.filter((p) => p.length >= 2);
export const GLUED_SUFFIXES: readonly string[] = COMMON_SUFFIXES.filter((s) => s.length >= 2);

/**
 * Words too generic for an affix on them to imitate anything (`test-23456`, `data-utils`): the
 * functional affix words themselves and a few everyday names for scratch code.
 */
export const GENERIC_CORES: ReadonlySet<string> = new Set([
  'test', 'tests', 'testing', 'temp', 'tmp', 'demo', 'example', 'sample', 'hello', 'foo', 'bar', 'my', 'app', 'main',
  'index', 'data', 'common', 'config', 'core', 'utils', 'util', 'utility', 'helper', 'helpers', 'tool', 'tools', 'lib',
  'api', 'cli', 'dev', 'sdk', 'client', 'server', 'service', 'plugin', 'module', 'package', 'pkg', 'install', 'setup',
  'build', 'base', 'string', 'object', 'array', 'file', 'files',
]);

/**
 * The affixes the issue names as squatters' favourites (`-js`, `node-`, `py-`, `python-`,
 * `-cli`, `-utils`, `-dev`, `-lib`, plus `-api`). Other affix words are weighed by how routinely
 * popular packages use them (`-core`, `-loader`, `-sdk`).
 */
export const SQUATTER_AFFIXES: ReadonlySet<string> = new Set(['js', 'node', 'nodejs', 'py', 'python', 'cli', 'utils', 'util', 'dev', 'lib', 'api']);
