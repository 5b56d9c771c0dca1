/**
 * Judges one imported name: `allowed` (on the ML allowlist), `malicious` (a known execution,
 * import, file, network or loader primitive, however it is reached) or `suspicious` (anything
 * else: default deny).
 */
import {
  ALLOWED,
  ALLOWED_CLASS_NAMESPACES,
  ALLOWED_GENERATED,
  MALICIOUS_BUILTINS,
  MALICIOUS_LAST_NAMES,
  MALICIOUS_MODULES,
  MALICIOUS_SEGMENTS,
} from './policy-data.ts';

export type NameVerdict = 'allowed' | 'malicious' | 'suspicious';

export interface Judgement {
  readonly verdict: NameVerdict;
  readonly reason: string;
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const CLASS_NAME = /^_?[A-Z][A-Za-z0-9_]*$/;
const DUNDER = /^__\w+__$/;
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

function judgeUncached(module: string, name: string): Judgement {
  const modSegs = module === '' ? [] : module.split('.');
  const nameSegs = name === '' ? [] : name.split('.');
  const path = [...modSegs, ...nameSegs].join('.');
  if (ALLOWED.has(path) || ALLOWED_GENERATED.has(path)) return { verdict: 'allowed', reason: 'on the ML allowlist' };

  if (BUILTIN_MODULES.has(module) && MALICIOUS_BUILTINS.has(nameSegs[0] ?? '')) {
    return { verdict: 'malicious', reason: `builtin ${nameSegs[0]} executes code or reaches arbitrary attributes` };
  }
  for (const m of MALICIOUS_MODULES) {
    if (path === m || path.startsWith(`${m}.`)) return { verdict: 'malicious', reason: `${m} is an attack primitive` };
  }
  for (const seg of [...modSegs, ...nameSegs]) {
    const bare = seg.replace(/^_+|_+$/g, '');
    if (MALICIOUS_SEGMENTS.has(bare)) {
      return { verdict: 'malicious', reason: `path reaches the ${bare} module through '${seg}'` };
    }
  }
  const last = nameSegs[nameSegs.length - 1] ?? '';
  if (MALICIOUS_LAST_NAMES.has(last)) return { verdict: 'malicious', reason: `${last} is an execution primitive` };
  for (const seg of nameSegs) {
    if (ESCAPE_DUNDERS.has(seg) || (nameSegs.length > 1 && DUNDER.test(seg))) {
      return { verdict: 'malicious', reason: `attribute walk through ${seg}` };
    }
  }
  if (!modSegs.every((s) => IDENT.test(s)) || !nameSegs.every((s) => IDENT.test(s))) {
    return { verdict: 'suspicious', reason: 'not a valid Python module/attribute name' };
  }
  if (nameSegs.length === 1 && CLASS_NAME.test(last)) {
    for (const ns of ALLOWED_CLASS_NAMESPACES) {
      if (path.startsWith(ns)) return { verdict: 'allowed', reason: `class in the ${ns.slice(0, -1)} namespace` };
    }
  }
  return { verdict: 'suspicious', reason: 'not on the allowlist of callables legitimate model files use' };
}
