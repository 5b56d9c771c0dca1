/**
 * Judges one imported name: `allowed` (on the ML allowlist), `malicious` (a known execution,
 * import, file, network or loader primitive, however it is reached) or `suspicious` (anything
 * else: default deny). How the name is *used* (called, referenced, constructed with which
 * arguments) refines this in `analysis.ts`; the judgement says which refinements apply.
 */
import { trimBoth } from '../../../core/index.ts';
import {
  ALLOWED,
  ALLOWED_CLASS_NAMESPACES,
  ALLOWED_GENERATED,
  CYTHON_UNPICKLE_NAMESPACES,
  REFERENCE_NAMESPACES,
} from './policy-data.ts';
import {
  MALICIOUS_BUILTINS,
  MALICIOUS_CLASS_NAMES,
  MALICIOUS_LAST_NAMES,
  MALICIOUS_MODULES,
  MALICIOUS_NAME_PATTERNS,
  MALICIOUS_SEGMENTS,
  MODULE_ALIASES,
} from './policy-deny.ts';

export type NameVerdict = 'allowed' | 'malicious' | 'suspicious';

/**
 * Why a name got its verdict, where usage matters: `namespace-class` (a class of a trusted
 * namespace: rebuilding it is fine, constructing it with path-like text is not), `reference`
 * (a function of a trusted namespace: fine as a stored reference, suspicious when called).
 */
export type JudgementBasis = 'listed' | 'namespace-class' | 'reference' | 'deny' | 'default';

export interface Judgement {
  readonly verdict: NameVerdict;
  readonly reason: string;
  readonly basis: JudgementBasis;
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const CLASS_NAME = /^_?[A-Z][A-Za-z0-9_]*$/;
const DUNDER = /^__\w+__$/;
const CYTHON_UNPICKLE = /^__pyx_unpickle_[A-Za-z0-9_]+$/;
const ESCAPE_DUNDERS = new Set([
  '__globals__', '__builtins__', '__subclasses__', '__code__', '__dict__', '__class__', '__bases__',
  '__base__', '__mro__', '__getattribute__', '__getattr__', '__reduce__', '__reduce_ex__', '__closure__',
  '__func__', '__self__', '__loader__', '__spec__', '__import__', '__init_subclass__', '__call__',
  '__setattr__', '__delattr__', '__func_globals__', 'func_globals',
]);
const BUILTIN_MODULES = new Set(['builtins', '__builtin__', '__builtins__']);

const cache = new Map<string, Judgement>();
const CACHE_MAX = 50_000;

export function judgeName(module: string, name: string): Judgement {
  const key = `${module}\n${name}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const j = judgeUncached(module, name);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, j);
  return j;
}

const allowed = (reason: string, basis: JudgementBasis = 'listed'): Judgement => ({ verdict: 'allowed', reason, basis });
const malicious = (reason: string): Judgement => ({ verdict: 'malicious', reason, basis: 'deny' });

/** The deny rules for a full dotted path; undefined when none applies. */
function denied(modSegs: readonly string[], nameSegs: readonly string[]): Judgement | undefined {
  const segs = [...modSegs, ...nameSegs];
  const path = segs.join('.');
  if (BUILTIN_MODULES.has(modSegs.join('.')) && MALICIOUS_BUILTINS.has(nameSegs[0] ?? '')) {
    return malicious(`builtin ${nameSegs[0]} executes code or reaches arbitrary attributes`);
  }
  for (const m of MALICIOUS_MODULES) {
    if (path === m || path.startsWith(`${m}.`)) return malicious(`${m} is an attack primitive`);
  }
  for (const seg of segs) {
    const bare = trimBoth(seg, '_'); // not a regular expression: quadratic on underscores inside
    if (MALICIOUS_SEGMENTS.has(bare)) return malicious(`path reaches the ${bare} module through '${seg}'`);
  }
  // `pkg.__main__` is a program: importing it runs it (`pip.__main__`, `torch.utils.bottleneck.__main__`).
  if (modSegs.slice(1).includes('__main__')) return malicious(`importing ${modSegs.join('.')} runs that package's main program`);
  const last = nameSegs[nameSegs.length - 1] ?? '';
  if (MALICIOUS_LAST_NAMES.has(last)) return malicious(`${last} is an execution primitive`);
  if (MALICIOUS_CLASS_NAMES.has(last)) return malicious(`${last} is a process, thread, library, interpreter, network or file primitive`);
  for (const [pattern, what] of MALICIOUS_NAME_PATTERNS) {
    if (pattern.test(last)) return malicious(`${last} ${what}`);
  }
  return undefined;
}

/**
 * A walk through module attributes (`sklearn.utils.validation.np.load`) reaches the module
 * itself: judge the rest of the path from there, by the deny rules only.
 */
function deniedThroughAlias(nameSegs: readonly string[]): Judgement | undefined {
  for (let i = 0; i < nameSegs.length; i++) {
    const seg = (nameSegs[i] as string).replace(/^_+/, '');
    const mod = MODULE_ALIASES.get(seg);
    if (mod === undefined) continue;
    const rest = nameSegs.slice(i + 1);
    const j = rest.length === 0 ? denied([], [mod]) : denied([mod], rest);
    if (j !== undefined) return malicious(`path walks into the ${mod} module: ${j.reason}`);
  }
  return undefined;
}

function judgeUncached(module: string, name: string): Judgement {
  const modSegs = module === '' ? [] : module.split('.');
  const nameSegs = name === '' ? [] : name.split('.');
  const path = [...modSegs, ...nameSegs].join('.');
  if (ALLOWED.has(path) || ALLOWED_GENERATED.has(path)) return allowed('on the ML allowlist');

  const deny = denied(modSegs, nameSegs) ?? (nameSegs.length > 0 ? deniedThroughAlias(nameSegs) : undefined);
  if (deny !== undefined) return deny;
  for (const seg of nameSegs) {
    if (ESCAPE_DUNDERS.has(seg) || (nameSegs.length > 1 && DUNDER.test(seg))) return malicious(`attribute walk through ${seg}`);
  }
  if (!modSegs.every((s) => IDENT.test(s)) || !nameSegs.every((s) => IDENT.test(s))) {
    return { verdict: 'suspicious', reason: 'not a valid Python module/attribute name', basis: 'default' };
  }
  const last = nameSegs[nameSegs.length - 1] ?? '';
  if (nameSegs.length === 1) {
    if (CLASS_NAME.test(last)) {
      for (const ns of ALLOWED_CLASS_NAMESPACES) {
        if (path.startsWith(ns)) return allowed(`class in the ${ns.slice(0, -1)} namespace`, 'namespace-class');
      }
    }
    if (CYTHON_UNPICKLE.test(last) && CYTHON_UNPICKLE_NAMESPACES.some((ns) => path.startsWith(ns))) {
      return allowed('Cython-generated reconstructor (type.__new__ and state)');
    }
  }
  for (const ns of REFERENCE_NAMESPACES) {
    if (path.startsWith(ns)) {
      return { verdict: 'suspicious', reason: `a function of ${ns.slice(0, -1)} that legitimate files only store, never call while loading`, basis: 'reference' };
    }
  }
  return { verdict: 'suspicious', reason: 'not on the allowlist of callables legitimate model files use', basis: 'default' };
}
