/** A JSON object as parsed from untrusted input: its members are yet to be checked. */
export type PlainObject = { readonly [k: string]: unknown };

/** An object that is neither null nor an array (what `JSON.parse` makes of `{…}`). */
export function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
