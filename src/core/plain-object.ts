/** A JSON object as parsed from untrusted input: its members are yet to be checked. */
export type PlainObject = { readonly [k: string]: unknown };

/**
 * `o[key] = value`, as an own member whatever the key. Assigned, the key `__proto__` sets the
 * object's prototype instead (or nothing, for a string value) and is gone; JSON.parse keeps it as
 * a member, and so does npm: a package's `postinstall: "npm run __proto__"` runs its script named
 * `__proto__`. For maps whose keys come from untrusted input.
 */
export function setMember<T>(o: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/**
 * `o[key]` when `key` is an own member of `o`, else undefined. Read by a key from untrusted input,
 * any object answers `constructor`, `toString` and the like with what it inherits (a function),
 * and `__proto__` with Object.prototype: a table written as an object literal, or a map parsed
 * from JSON, has those too.
 */
export function ownMember<T>(o: { readonly [k: string]: T }, key: string): T | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** An object that is neither null nor an array (what `JSON.parse` makes of `{…}`). */
export function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What kind of JSON value `v` is, for messages about untrusted input: `null`, `list`, `object`,
 * `string`, `number`, `boolean` (`missing` for undefined). Never String() of the value itself:
 * an object with a `toString` member, or a list nested deep, makes that throw.
 */
export function jsonKind(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  return Array.isArray(v) ? 'list' : typeof v;
}

/**
 * Whether `v` nests more than `limit` objects and lists deep (a scalar nests 0 levels, `[]` 1).
 * Iterative, so a value parsed from a list nested 100,000 deep is measured without the stack
 * overflow that `JSON.stringify`, `structuredClone` or any recursive walk of it would meet.
 */
export function nestsDeeper(v: unknown, limit: number): boolean {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value: v, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top.value !== 'object' || top.value === null) continue;
    if (top.depth + 1 > limit) return true;
    for (const child of Object.values(top.value)) stack.push({ value: child, depth: top.depth + 1 });
  }
  return false;
}

/**
 * `s` cut to `max` characters, `…` marking the cut, for a message about untrusted input (a string
 * of a megabyte would otherwise go whole into the error and the log). A cut through a surrogate
 * pair drops its first half.
 */
export function cutShort(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = s.charCodeAt(max - 1) >= 0xd800 && s.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return `${s.slice(0, end)}…`;
}

/**
 * A value of untrusted JSON in a message: a string quoted and cut to `max` characters, anything
 * else by its kind (`a list`, `an object`, `a number`, `null`, `nothing` when missing). Never the
 * value itself: JSON.stringify of a list nested deep overflows the stack.
 */
export function shownJson(v: unknown, max: number): string {
  if (typeof v === 'string') return JSON.stringify(cutShort(v, max));
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  const kind = jsonKind(v);
  return `${kind === 'object' ? 'an' : 'a'} ${kind}`;
}
