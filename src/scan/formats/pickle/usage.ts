/**
 * How a name is used decides what it may do: which arguments of an allowlisted function are
 * themselves invoked, what `getattr` on a rebuilt object yields, and whether a constructor is
 * given text that names a file, URL or command. Static reasoning over symbolic values only.
 */
import { derive } from './evaluate.ts';
import { isObj, type PyCall, type PyGlobal, type PyValue } from './values.ts';

/**
 * Allowlisted functions that call (or instantiate) some of their arguments while loading:
 * `_rebuild_from_type_v2(func, type, args, state)` runs `func(*args)` and converts to `type`; the
 * NumPy random-state constructors call their `bit_generator_ctor`; `copyreg._reconstructor(cls,
 * base, state)` runs `base.__new__`/`base.__init__`; `defaultdict(factory)` calls its factory;
 * array, index and Cython reconstructors instantiate the class they are given.
 */
const INVOKERS: ReadonlyMap<string, readonly number[]> = new Map([
  ['torch._tensor._rebuild_from_type_v2', [0, 1]],
  ['torch._tensor._rebuild_from_type', [0, 1]],
  ['torch._utils._rebuild_wrapper_subclass', [0]],
  ['numpy.random._pickle.__randomstate_ctor', [1]],
  ['numpy.random._pickle.__generator_ctor', [1]],
  ['copyreg._reconstructor', [0, 1]],
  ['copyreg.__newobj__', [0]],
  ['copyreg.__newobj_ex__', [0]],
  ['collections.defaultdict', [0]],
  ['numpy.core.multiarray._reconstruct', [0]],
  ['numpy._core.multiarray._reconstruct', [0]],
  ['numpy.core._internal._reconstruct', [0]],
  ['numpy.ma.core._mareconstruct', [0, 1]],
  ['pandas.core.indexes.base._new_Index', [0]],
  ['pandas.core.indexes.datetimes._new_DatetimeIndex', [0]],
  ['pandas.core.indexes.period._new_PeriodIndex', [0]],
  ['pandas.core.indexes.interval._new_IntervalIndex', [0]],
  ['sklearn.neighbors._kd_tree.newObj', [0]],
  ['sklearn.neighbors._ball_tree.newObj', [0]],
  ['sklearn.neighbors._binary_tree.newObj', [0]],
  ['sklearn.metrics._dist_metrics.newObj', [0]],
  ['sklearn.neighbors._dist_metrics.newObj', [0]],
]);

/** Cython's `__pyx_unpickle_<Type>(type, checksum, state)` instantiates its first argument. */
const CYTHON_UNPICKLE = /\.__pyx_unpickle_[A-Za-z0-9_]+$/;

function args(c: PyCall): readonly PyValue[] {
  return isObj(c.args) && c.args.t === 'tuple' ? c.args.items : [];
}

/** Names an allowlisted invoker receives in a position it calls. */
export function invokedArguments(path: string, c: PyCall): PyGlobal[] {
  const positions = INVOKERS.get(path) ?? (CYTHON_UNPICKLE.test(path) ? [0] : undefined);
  if (positions === undefined) return [];
  const a = args(c);
  const out: PyGlobal[] = [];
  for (const i of positions) {
    const v = a[i];
    if (v !== undefined && isObj(v) && v.t === 'global') out.push(v);
  }
  return out;
}

/** The class a call instantiates: `cls(...)`, `cls.__new__(cls)`, `copyreg._reconstructor(cls, …)`. */
export function instanceClass(v: PyValue): PyGlobal | undefined {
  if (!isObj(v) || v.t !== 'call' || !isObj(v.fn) || v.fn.t !== 'global') return undefined;
  const p = v.fn.path;
  if (p === 'copyreg._reconstructor' || p === 'copyreg.__newobj__' || p === 'copyreg.__newobj_ex__') {
    const first = args(v)[0];
    return first !== undefined && isObj(first) && first.t === 'global' ? first : undefined;
  }
  return v.fn;
}

const METHOD_NAME = /^(?!__)[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `getattr(obj, 'name')` where `obj` is an instance the pickle rebuilt from an allowlisted class
 * and `name` a plain attribute: how pickle stores bound methods (`OneCycleLR.anneal_func` in
 * older PyTorch scheduler state). The value is that method, judged by its dotted name if it is
 * ever called. Anything else (modules, imported names, dunders, computed names) is not this.
 */
export function boundMethod(path: string, c: PyCall, allowedClass: (cls: PyGlobal) => boolean): PyGlobal | undefined {
  if (path !== 'builtins.getattr' || c.via !== 'REDUCE') return undefined;
  const a = args(c);
  const [obj, attr] = a;
  if (a.length !== 2 || typeof attr !== 'string' || !METHOD_NAME.test(attr) || obj === undefined) return undefined;
  const cls = instanceClass(obj);
  if (cls === undefined || !allowedClass(cls)) return undefined;
  return derive(cls, attr, c.offset);
}

/** Text that names a path, URL or command: separators, drive/scheme colons, `~`, whitespace, leading dot. */
const PATH_LIKE = /[/\\:~\s]|^\./;
const MAX_ITEMS = 256;

/**
 * The first literal string (or byte string) among the arguments that looks like a path, URL or
 * command, searching literal containers but not the arguments of nested calls (those are judged
 * on their own). Enum values and identifiers (`'steps'`, `'adamw_torch'`) do not qualify.
 */
export function pathLikeText(v: PyValue, depth = 0): string | undefined {
  if (typeof v === 'string') return v.length > 0 && PATH_LIKE.test(v) ? v : undefined;
  if (!isObj(v) || depth > 4) return undefined;
  switch (v.t) {
    case 'bytes':
      return v.arg.data !== undefined && v.arg.data.length > 0 ? 'bytes' : undefined;
    case 'text-ref':
      return '(long text)';
    case 'tuple':
    case 'list':
    case 'set':
    case 'frozenset':
      for (const x of v.items.slice(0, MAX_ITEMS)) {
        const hit = pathLikeText(x, depth + 1);
        if (hit !== undefined) return hit;
      }
      return undefined;
    case 'dict':
      for (const x of [...v.keys.slice(0, MAX_ITEMS), ...v.values.slice(0, MAX_ITEMS)]) {
        const hit = pathLikeText(x, depth + 1);
        if (hit !== undefined) return hit;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Allowlisted constructors that iterate an argument (`list(x)`, `OrderedDict(x)`,
 * `defaultdict(factory, x)` …). Given literal containers they only copy data; given an object
 * the pickle rebuilt, they run that class's `__iter__`/`__getitem__`/`__next__`, which may call
 * whatever callables the object was built with.
 */
const CONSUMERS: ReadonlyMap<string, number> = new Map([
  ['builtins.list', 0], ['builtins.tuple', 0], ['builtins.set', 0], ['builtins.frozenset', 0], ['builtins.dict', 0],
  ['builtins.bytes', 0], ['builtins.bytearray', 0], ['collections.OrderedDict', 0], ['collections.Counter', 0],
  ['collections.deque', 0], ['collections.defaultdict', 1],
]);

/** The rebuilt object an allowlisted constructor iterates, if any. */
export function iteratedObject(path: string, c: PyCall): PyCall | undefined {
  const i = CONSUMERS.get(path);
  if (i === undefined) return undefined;
  const v = args(c)[i];
  return v !== undefined && isObj(v) && v.t === 'call' ? v : undefined;
}
