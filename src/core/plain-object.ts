/** A JSON object as parsed from untrusted input: its members are yet to be checked. */
export type PlainObject = { readonly [k: string]: unknown };

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
