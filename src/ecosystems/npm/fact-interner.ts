/**
 * Shares equal values between the facts of one package's versions: thousands of versions mostly
 * repeat the same maintainers, license, repository, publisher and digest algorithms. Facts are
 * immutable (the gate copies before it adds its own), so one frozen value can serve them all.
 */
import type { Json } from '../../storage/ports/index.ts';

export const EMPTY_LIST: readonly string[] = Object.freeze([]);
export const EMPTY_OBJECT: { readonly [k: string]: Json } = Object.freeze({});

/** Interned values stop being added past this many (a hostile packument cannot grow it without bound). */
const MAX_ENTRIES = 4096;

export class FactInterner {
  readonly #strings = new Map<string, string>();
  readonly #lists = new Map<string, readonly string[]>();
  readonly #objects = new Map<string, { readonly [k: string]: Json }>();

  string(s: string | null): string | null {
    if (s === null) return null;
    const have = this.#strings.get(s);
    if (have !== undefined) return have;
    if (this.#strings.size < MAX_ENTRIES) this.#strings.set(s, s);
    return s;
  }

  list(xs: readonly string[]): readonly string[] {
    if (xs.length === 0) return EMPTY_LIST;
    const key = xs.join('\0');
    const have = this.#lists.get(key);
    if (have !== undefined) return have;
    const list = Object.freeze(xs.map((x) => this.string(x) as string));
    if (this.#lists.size < MAX_ENTRIES) this.#lists.set(key, list);
    return list;
  }

  /** A small object of JSON values (install scripts, a version's publishing facts). */
  object(o: { readonly [k: string]: Json }): { readonly [k: string]: Json } {
    const keys = Object.keys(o);
    if (keys.length === 0) return EMPTY_OBJECT;
    const key = JSON.stringify(o);
    const have = this.#objects.get(key);
    if (have !== undefined) return have;
    const frozen = Object.freeze({ ...o });
    if (this.#objects.size < MAX_ENTRIES) this.#objects.set(key, frozen);
    return frozen;
  }
}
