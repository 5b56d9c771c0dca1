/**
 * Rego values.
 *
 *   null | boolean | number (RNumber) | string | array | set | object
 *
 * Scalars are JS primitives (plus `BigNum` for numbers no double spells exactly); arrays are
 * plain JS arrays; sets and objects are `RSet` and `RObject`. Values are immutable once
 * published: builders mutate a fresh instance, then hand it out and never touch it again.
 *
 * Ordering follows OPA: null < boolean < number < string < array < object < set, strings by
 * code point (Go compares UTF-8 bytes, which orders the same), arrays and sets lexicographically,
 * objects by their sorted keys then values. Sets and objects iterate in that sorted order, as
 * OPA does, so results are deterministic.
 */
import { BigNum, compareNumbers, formatNumber, numbersEqual, parseNumber, type RNumber } from './number.ts';
import { setMember } from '../core/index.ts';

export type Value = null | boolean | RNumber | string | readonly Value[] | RSet | RObject;
export type RArray = readonly Value[];

type PrimKey = null | boolean | number | string;

function isPrim(v: Value): v is PrimKey {
  return v === null || typeof v !== 'object';
}

/** Canonical key text for composite values and BigNums (used only in hash maps). */
export function canonicalKey(v: Value): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
      return `#${v}`;
    case 'string':
      return JSON.stringify(v);
    default:
      break;
  }
  if (v instanceof BigNum) return `#${v.coef}e${v.exp}`;
  if (Array.isArray(v)) return `[${(v as RArray).map(canonicalKey).join(',')}]`;
  if (v instanceof RSet) return v.canonical();
  return (v as RObject).canonical();
}

/** A hash table keyed by Rego values, insertion-ordered, with a lazily sorted view. */
class ValueTable<E> {
  private readonly prim = new Map<PrimKey, E>();
  private comp: Map<string, E> | null = null;

  get(key: Value): E | undefined {
    if (isPrim(key)) return this.prim.get(key);
    return this.comp?.get(canonicalKey(key));
  }

  set(key: Value, entry: E): void {
    if (isPrim(key)) this.prim.set(key, entry);
    else (this.comp ??= new Map()).set(canonicalKey(key), entry);
  }

  delete(key: Value): boolean {
    if (isPrim(key)) return this.prim.delete(key);
    return this.comp?.delete(canonicalKey(key)) ?? false;
  }

  get size(): number {
    return this.prim.size + (this.comp?.size ?? 0);
  }
}

export class RSet {
  private readonly table = new ValueTable<Value>();
  private items: Value[] = [];
  private sorted = true;
  private key: string | null = null;

  static of(values: Iterable<Value>): RSet {
    const s = new RSet();
    for (const v of values) s.add(v);
    return s;
  }

  /** Adds (builder use only). Returns false when the value was already present. */
  add(v: Value): boolean {
    if (this.table.get(v) !== undefined) return false;
    this.table.set(v, v);
    const last = this.items[this.items.length - 1];
    if (this.sorted && last !== undefined && compareValues(last, v) > 0) this.sorted = false;
    this.items.push(v);
    this.key = null;
    return true;
  }

  has(v: Value): boolean {
    return this.table.get(v) !== undefined;
  }

  get size(): number {
    return this.items.length;
  }

  /** Members in OPA order. */
  values(): readonly Value[] {
    if (!this.sorted) {
      this.items.sort(compareValues);
      this.sorted = true;
    }
    return this.items;
  }

  [Symbol.iterator](): Iterator<Value> {
    return this.values()[Symbol.iterator]();
  }

  canonical(): string {
    return (this.key ??= `{${this.values().map(canonicalKey).join(',')}}`);
  }
}

const NO_VALUES: Value[] = [];

/**
 * Observes the reads of an input converted for batch evaluation (`eval/memo.ts`). Objects are
 * numbered by their path from the input's root (0).
 */
export interface ReadObserver {
  /** `key` was looked up in the object numbered `pid` and gave `raw`; returns the number of the member when it is an object converted lazily, else -1. */
  member(pid: number, key: string, raw: unknown): number;
  /** The number of the object member `key` of the object numbered `pid` holds (not a read). */
  path(pid: number, key: string): number;
  /** The whole object numbered `pid` (whose JSON is `src`) was used. */
  whole(pid: number, src: Readonly<Record<string, unknown>>): void;
}

/** What a tracked object reports its reads to (batch evaluation only). */
interface Tracking {
  readonly observer: ReadObserver;
  readonly pid: number;
  readonly src: Readonly<Record<string, unknown>>;
}

export class RObject {
  /** Allocated on the first `set` (lazy and empty objects carry none). */
  private table: ValueTable<number> | null = null;
  private keyList: Value[] = NO_VALUES;
  private valueList: Value[] = NO_VALUES;
  private order: number[] | null = null;
  private sortedK: Value[] | null = null;
  private sortedV: Value[] | null = null;
  private key: string | null = null;
  /**
   * A plain JSON object converted on demand (`fromJSON` input): `get`/`has`/`size` read it
   * directly, anything else materialises it first. Conversions are cached so repeated reads
   * return the same value.
   */
  private src: Readonly<Record<string, unknown>> | null = null;
  private lazy: Map<string, Value> | null = null;
  private lazySize = -1;
  /** Set on objects of an input converted for batch evaluation: reads are reported. */
  private tracking: Tracking | null = null;

  /** An object backed by a plain JSON object, converted lazily (the source must not change). */
  static lazyFromJSON(src: Readonly<Record<string, unknown>>): RObject {
    const o = new RObject();
    o.src = src;
    return o;
  }

  /** Like `lazyFromJSON`, reporting every read of this object and of the objects inside it. */
  static trackedFromJSON(src: Readonly<Record<string, unknown>>, observer: ReadObserver, pid: number): RObject {
    const o = new RObject();
    o.src = src;
    o.tracking = { observer, pid, src };
    return o;
  }

  /** The tracking of an object of a batch input (its number and JSON), else null. */
  trackedAs(): { readonly pid: number; readonly src: Readonly<Record<string, unknown>> } | null {
    return this.tracking;
  }

  /** True while the object is still read from its JSON (not yet converted whole). */
  get isLazy(): boolean {
    return this.src !== null;
  }

  private materialize(): void {
    const src = this.src;
    if (src === null) return;
    const lazy = this.lazy;
    const t = this.tracking;
    this.src = null;
    // A tracked object keeps its converted members: later lookups still report their reads
    // and hand out the same (tracked) member objects.
    if (t === null) this.lazy = null;
    for (const k of Object.keys(src)) {
      const raw = src[k];
      if (raw === undefined) continue;
      this.set(k, t === null ? (lazy?.get(k) ?? fromJSON(raw)) : this.trackedMember(t, k, raw, isJSONObject(raw) ? t.observer.path(t.pid, k) : -1));
    }
  }

  /** Reports that this whole object was used, when it is tracked. */
  private touch(): void {
    const t = this.tracking;
    if (t !== null) t.observer.whole(t.pid, t.src);
  }

  private lazyGet(k: Value): Value | undefined {
    if (typeof k !== 'string') return undefined;
    const src = this.src as Readonly<Record<string, unknown>>;
    const raw = src[k];
    switch (typeof raw) {
      case 'string':
      case 'boolean':
        return raw;
      case 'number':
        return fromJSON(raw);
      case 'object':
        break;
      default:
        // undefined, inherited functions (`constructor`, `toString` …), bigint
        if (typeof raw !== 'bigint') return undefined;
    }
    // Converted before: only own members are ever converted and cached.
    let v = this.lazy?.get(k);
    if (v !== undefined) return v;
    if (!Object.hasOwn(src, k)) return undefined;
    v = fromJSON(raw);
    (this.lazy ??= new Map()).set(k, v);
    return v;
  }

  private trackedGet(t: Tracking, k: Value): Value | undefined {
    // JSON has only string keys.
    if (typeof k !== 'string') return undefined;
    const src = t.src;
    const raw = Object.hasOwn(src, k) ? src[k] : undefined;
    const member = t.observer.member(t.pid, k, raw);
    switch (typeof raw) {
      case 'string':
      case 'boolean':
        return raw;
      case 'number':
      case 'bigint':
        return fromJSON(raw);
      case 'object':
        return this.trackedMember(t, k, raw, member);
      default:
        return undefined;
    }
  }

  /** A member of a tracked object, converted once; JSON objects are tracked under their number. */
  private trackedMember(t: Tracking, k: string, raw: unknown, pid: number): Value {
    if (raw === null || typeof raw !== 'object') return fromJSON(raw);
    let v = this.lazy?.get(k);
    if (v !== undefined) return v;
    v = pid >= 0 && isJSONObject(raw) ? RObject.trackedFromJSON(raw as Readonly<Record<string, unknown>>, t.observer, pid) : fromJSON(raw);
    (this.lazy ??= new Map()).set(k, v);
    return v;
  }

  static fromEntries(entries: Iterable<readonly [Value, Value]>): RObject {
    const o = new RObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  /** Sets a key (builder use only). Returns the previous value, if any. */
  set(k: Value, v: Value): Value | undefined {
    if (this.src !== null) this.materialize();
    let table = this.table;
    if (table === null) {
      table = this.table = new ValueTable<number>();
      this.keyList = [];
      this.valueList = [];
    }
    const i = table.get(k);
    this.key = null;
    if (i !== undefined) {
      const prev = this.valueList[i];
      this.valueList[i] = v;
      this.sortedV = null;
      return prev;
    }
    table.set(k, this.keyList.length);
    this.keyList.push(k);
    this.valueList.push(v);
    this.order = null;
    this.sortedK = null;
    this.sortedV = null;
    return undefined;
  }

  get(k: Value): Value | undefined {
    if (this.tracking !== null) return this.trackedGet(this.tracking, k);
    if (this.src !== null) return this.lazyGet(k);
    const t = this.table;
    if (t === null) return undefined;
    const i = t.get(k);
    return i === undefined ? undefined : this.valueList[i];
  }

  has(k: Value): boolean {
    if (this.tracking !== null) return this.trackedGet(this.tracking, k) !== undefined;
    if (this.src !== null) return this.lazyGet(k) !== undefined;
    return this.table !== null && this.table.get(k) !== undefined;
  }

  get size(): number {
    this.touch();
    const src = this.src;
    if (src !== null) {
      if (this.lazySize < 0) {
        let n = 0;
        for (const k of Object.keys(src)) if (src[k] !== undefined) n++;
        this.lazySize = n;
      }
      return this.lazySize;
    }
    return this.keyList.length;
  }

  private sortedOrder(): number[] {
    if (this.src !== null) this.materialize();
    if (this.order === null) {
      const idx = this.keyList.map((_, i) => i);
      const keys = this.keyList;
      idx.sort((a, b) => compareValues(keys[a] as Value, keys[b] as Value));
      this.order = idx;
    }
    return this.order;
  }

  /** Keys in OPA order (cached: callers must not mutate the array). */
  sortedKeys(): readonly Value[] {
    this.touch();
    if (this.sortedK === null) {
      const order = this.sortedOrder();
      const keys = this.keyList;
      this.sortedK = order.map((i) => keys[i] as Value);
    }
    return this.sortedK;
  }

  /** Values in the order of `sortedKeys()` (cached: callers must not mutate the array). */
  sortedValues(): readonly Value[] {
    this.touch();
    if (this.sortedV === null) {
      const order = this.sortedOrder();
      const values = this.valueList;
      this.sortedV = order.map((i) => values[i] as Value);
    }
    return this.sortedV;
  }

  /** Keys in OPA order. */
  keys(): Value[] {
    this.touch();
    return this.sortedOrder().map((i) => this.keyList[i] as Value);
  }

  /** Entries in OPA order. */
  *entries(): Generator<[Value, Value]> {
    this.touch();
    for (const i of this.sortedOrder()) yield [this.keyList[i] as Value, this.valueList[i] as Value];
  }

  /** Calls f for each entry in OPA order without allocating tuples; stop by returning false. */
  forEach(f: (k: Value, v: Value) => boolean | void): void {
    this.touch();
    for (const i of this.sortedOrder()) {
      if (f(this.keyList[i] as Value, this.valueList[i] as Value) === false) return;
    }
  }

  canonical(): string {
    this.touch();
    if (this.key === null) {
      const parts: string[] = [];
      this.forEach((k, v) => {
        parts.push(`${canonicalKey(k)}:${canonicalKey(v)}`);
      });
      this.key = `<${parts.join(',')}>`;
    }
    return this.key;
  }
}

/** A plain JSON object, as `fromJSON` converts lazily (not an array, nor a value passed through). */
export function isJSONObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RObject) && !(v instanceof RSet) && !(v instanceof BigNum);
}

export function isArray(v: Value): v is RArray {
  return Array.isArray(v);
}

export function isNumber(v: Value): v is RNumber {
  return typeof v === 'number' || v instanceof BigNum;
}

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'set' | 'object';

export function typeName(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      break;
  }
  if (v instanceof BigNum) return 'number';
  if (Array.isArray(v)) return 'array';
  if (v instanceof RSet) return 'set';
  return 'object';
}

const TYPE_RANK: Readonly<Record<TypeName, number>> = {
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
  array: 4,
  object: 5,
  set: 6,
};

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from code-point order only around surrogates.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 || y >= 0xd800) {
        const cx = a.codePointAt(i) as number;
        const cy = b.codePointAt(i) as number;
        return cx < cy ? -1 : 1;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** OPA's total order over values. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_RANK[ta] < TYPE_RANK[tb] ? -1 : 1;
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
      return a === b ? 0 : a === false ? -1 : 1;
    case 'number':
      return compareNumbers(a as RNumber, b as RNumber);
    case 'string':
      return compareStrings(a as string, b as string);
    case 'array': {
      const x = a as RArray;
      const y = b as RArray;
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i] as Value, y[i] as Value);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
    }
    case 'set': {
      const x = (a as RSet).values();
      const y = (b as RSet).values();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i] as Value, y[i] as Value);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case 'object': {
      const x = a as RObject;
      const y = b as RObject;
      const xk = x.keys();
      const yk = y.keys();
      const n = Math.min(xk.length, yk.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xk[i] as Value, yk[i] as Value);
        if (c !== 0) return c;
        const d = compareValues(x.get(xk[i] as Value) as Value, y.get(yk[i] as Value) as Value);
        if (d !== 0) return d;
      }
      return xk.length < yk.length ? -1 : xk.length > yk.length ? 1 : 0;
    }
  }
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  if (ta !== 'object' || typeof b !== 'object') {
    // Canonical numbers: a JS number never equals a BigNum.
    return false;
  }
  if (a instanceof BigNum) return b instanceof BigNum && numbersEqual(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    const x = a as RArray;
    const y = b as RArray;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i] as Value, y[i] as Value)) return false;
    return true;
  }
  if (a instanceof RSet) {
    if (!(b instanceof RSet) || a.size !== b.size) return false;
    for (const v of a.values()) if (!b.has(v)) return false;
    return true;
  }
  if (!(b instanceof RObject) || !(a instanceof RObject) || a.size !== b.size) return false;
  let eq = true;
  a.forEach((k, v) => {
    const w = b.get(k);
    if (w === undefined || !valuesEqual(v, w)) {
      eq = false;
      return false;
    }
    return true;
  });
  return eq;
}

/**
 * Forces every lazily converted object inside `v` (so the value no longer reads the JSON it
 * came from). Returns `v`.
 */
export function settle(v: Value): Value {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (const x of v as RArray) settle(x);
  } else if (v instanceof RObject) {
    v.forEach((_k, x) => void settle(x));
  } else if (v instanceof RSet) {
    for (const x of v.values()) settle(x);
  }
  return v;
}

/**
 * Convert parsed JSON (JSON.parse / YAML output) into a Rego value. Objects are converted
 * lazily, on first access: the source must not be modified while the value is in use.
 */
export function fromJSON(js: unknown): Value {
  if (js === null) return null;
  switch (typeof js) {
    case 'boolean':
    case 'string':
      return js;
    case 'number':
      if (!Number.isFinite(js)) throw new TypeError('non-finite number is not a JSON value');
      return js === 0 ? 0 : js;
    case 'bigint':
      return parseNumber(js.toString()) as RNumber;
    case 'object': {
      if (Array.isArray(js)) return js.map(fromJSON);
      if (js instanceof BigNum || js instanceof RSet || js instanceof RObject) return js;
      return RObject.lazyFromJSON(js as Record<string, unknown>);
    }
    default:
      throw new TypeError(`${typeof js} is not a JSON value`);
  }
}

/**
 * Convert to plain JS for output: sets become sorted arrays, non-string object keys are
 * rendered as their JSON text (as OPA does when it serialises results), BigNums become
 * JS numbers (lossy; use `toJSONText` for exact output).
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof BigNum) return Number(v.toString());
  if (Array.isArray(v)) return (v as RArray).map(toJS);
  if (v instanceof RSet) return v.values().map(toJS);
  const out: Record<string, unknown> = {};
  (v as RObject).forEach((k, val) => {
    setMember(out, typeof k === 'string' ? k : toJSONText(k), toJS(val));
  });
  return out;
}

/** Exact JSON text (numbers in full precision, sets as sorted arrays). */
export function toJSONText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatNumber(v);
    case 'string':
      return JSON.stringify(v);
    default:
      break;
  }
  if (v instanceof BigNum) return formatNumber(v);
  if (Array.isArray(v)) return `[${(v as RArray).map(toJSONText).join(',')}]`;
  if (v instanceof RSet) return `[${v.values().map(toJSONText).join(',')}]`;
  const parts: string[] = [];
  (v as RObject).forEach((k, val) => {
    parts.push(`${JSON.stringify(typeof k === 'string' ? k : toJSONText(k))}:${toJSONText(val)}`);
  });
  return `{${parts.join(',')}}`;
}
