/**
 * Static evaluation of the few calls whose results matter for judging what comes next:
 * byte-string builders (the payload of a nested loader is often `_codecs.encode(s, 'latin1')`)
 * and name resolvers (`getattr`, `import_module`, `pkgutil.resolve_name`, `attrgetter` …), so a
 * callable reached indirectly is still judged by its real name. Nothing is executed.
 */
import type { BytesArg } from './decoder.ts';
import { encodeLatin1 } from './text.ts';
import { isObj, strOf, type PyBytes, type PyCall, type PyGlobal, type PyValue } from './values.ts';

const LATIN1 = new Set(['latin1', 'latin-1', 'latin_1', 'iso-8859-1', 'iso8859-1', 'iso8859_1', 'l1', 'cp819']);
const UTF8 = new Set(['utf-8', 'utf8', 'utf_8', 'u8']);

function args(c: PyCall): readonly PyValue[] {
  return isObj(c.args) && c.args.t === 'tuple' ? c.args.items : [];
}

function bytesValue(data: Uint8Array, mutable = false): PyBytes {
  const arg: BytesArg = { kind: 'bytes-arg', offset: -1, length: data.length, data, text: undefined };
  return { t: 'bytes', arg, mutable };
}

/** `getattr(obj, attr)` on a name: the dotted name it denotes. */
export function derive(obj: PyValue, attr: string, offset: number): PyGlobal | undefined {
  if (!isObj(obj) || obj.t !== 'global' || attr === '') return undefined;
  const name = obj.name === '' ? attr : `${obj.name}.${attr}`;
  return { t: 'global', module: obj.module, name, path: `${obj.path}.${attr}`, offset, via: 'derived' };
}

export function moduleObject(name: string, offset: number): PyGlobal {
  return { t: 'global', module: name, name: '', path: name, offset, via: 'derived' };
}

/** The value of a call to the allowlisted or resolver function `path`, when computable. */
export function evaluate(path: string, c: PyCall): PyValue | undefined {
  const a = args(c);
  switch (path) {
    case '_codecs.encode':
    case 'codecs.encode': {
      const s = (a[0] ?? null) as PyValue;
      const enc = (strOf(a[1] ?? null) ?? 'utf-8').toLowerCase();
      if (typeof s === 'string') {
        if (LATIN1.has(enc)) {
          const b = encodeLatin1(s);
          return b === undefined ? undefined : bytesValue(b);
        }
        if (UTF8.has(enc)) return bytesValue(new TextEncoder().encode(s));
        return undefined;
      }
      if (isObj(s) && s.t === 'text-ref' && LATIN1.has(enc)) {
        // Too large to keep: a reference whose text is re-read and latin-1 encoded on demand.
        return { t: 'bytes', arg: { ...s.arg, text: 'utf8' }, mutable: false };
      }
      return undefined;
    }
    case 'builtins.bytes':
    case 'builtins.bytearray': {
      const mutable = path === 'builtins.bytearray';
      const x = a[0];
      if (x === undefined) return bytesValue(new Uint8Array(0), mutable);
      if (isObj(x) && x.t === 'bytes') return { t: 'bytes', arg: x.arg, mutable };
      if (isObj(x) && x.t === 'list' && x.items.length === x.size && x.items.every((v: PyValue) => typeof v === 'number' && v >= 0 && v < 256)) {
        return bytesValue(Uint8Array.from(x.items as number[]), mutable);
      }
      if (typeof x === 'string') {
        const enc = (strOf(a[1] ?? null) ?? '').toLowerCase();
        if (LATIN1.has(enc)) {
          const b = encodeLatin1(x);
          return b === undefined ? undefined : bytesValue(b, mutable);
        }
        if (UTF8.has(enc)) return bytesValue(new TextEncoder().encode(x), mutable);
      }
      return undefined;
    }
    case 'io.BytesIO':
    case '_io.BytesIO': {
      // A file-like view of literal bytes: what torch.load/numpy.load/pickle.load read from.
      const x = a[0];
      return x !== undefined && isObj(x) && x.t === 'bytes' ? x : undefined;
    }
    case 'builtins.getattr':
    case 'inspect.getattr_static': {
      const attr = strOf(a[1] ?? null);
      return attr === undefined ? undefined : derive((a[0] ?? null) as PyValue, attr, c.offset);
    }
    case 'builtins.__import__':
    case 'importlib.import_module':
    case 'importlib.__import__': {
      const name = strOf(a[0] ?? null);
      return name === undefined ? undefined : moduleObject(name, c.offset);
    }
    case 'pkgutil.resolve_name': {
      const spec = strOf(a[0] ?? null);
      if (spec === undefined) return undefined;
      const [mod, attr] = spec.includes(':') ? (spec.split(':', 2) as [string, string]) : [spec, ''];
      if (attr === '') {
        const i = mod.lastIndexOf('.');
        return i < 0 ? moduleObject(mod, c.offset) : derive(moduleObject(mod.slice(0, i), c.offset), mod.slice(i + 1), c.offset);
      }
      let g: PyGlobal | undefined = moduleObject(mod, c.offset);
      for (const part of attr.split('.')) g = g === undefined ? undefined : derive(g, part, c.offset);
      return g;
    }
    default:
      return undefined;
  }
}

/**
 * Calling the object a previous call returned: `attrgetter('a.b')(obj)` resolves a name,
 * `methodcaller('m', …)(obj)` calls `obj.m`. Returns the name reached and whether it is called.
 */
export function evaluateCallOfCall(inner: PyCall, outer: PyCall): { readonly target: PyGlobal; readonly called: boolean } | undefined {
  if (!isObj(inner.fn) || inner.fn.t !== 'global') return undefined;
  const fnPath = inner.fn.path;
  const obj = args(outer)[0] ?? null;
  const spec = strOf(args(inner)[0] ?? null);
  if (spec === undefined) return undefined;
  if (fnPath === 'operator.attrgetter' || fnPath === '_operator.attrgetter') {
    let g: PyGlobal | undefined = isObj(obj) && obj.t === 'global' ? obj : undefined;
    for (const part of spec.split('.')) g = g === undefined ? undefined : derive(g, part, outer.offset);
    return g === undefined ? undefined : { target: g, called: false };
  }
  if (fnPath === 'operator.methodcaller' || fnPath === '_operator.methodcaller') {
    const g = derive(obj, spec, outer.offset);
    return g === undefined ? undefined : { target: g, called: true };
  }
  return undefined;
}
