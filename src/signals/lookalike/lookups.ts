/**
 * String-keyed lookups over the entries without storing the keys: postings (hash of key → entry
 * id, and which of the entry's keys it is) in a `PostingTable`; a lookup verifies every posting
 * with the same hash by recomputing that key from the entry. Exact answers, a few bytes per key.
 */
import { hashMore, hashString, mix, PostingsBuilder, type PostingTable } from './hash-table.ts';

/** Recomputes key number `which` of entry `id` (or says whether it equals `key`). */
export type KeyCheck = (id: number, which: number, key: string) => boolean;

const NONE: readonly number[] = Object.freeze([]);

/** Entry ids by key: each entry adds its keys once, in id order. */
export class IdLookup {
  readonly #table: PostingTable;
  readonly #salt: number;
  readonly #check: KeyCheck;

  private constructor(table: PostingTable, salt: number, check: KeyCheck) {
    this.#table = table;
    this.#salt = salt;
    this.#check = check;
  }

  /** Postings are added entry by entry, ids ascending; `build` takes the check that verifies them. */
  static builder(salt: number): { add(key: string, id: number, which?: number): void; build(maxId: number, check: KeyCheck): IdLookup } {
    const postings = new PostingsBuilder({ extra: true });
    return {
      add: (key, id, which = 0) => postings.add(hashString(key, salt), id, which),
      build: (maxId, check) => new IdLookup(postings.build(maxId), salt, check),
    };
  }

  /** Ids of the entries with this key, ascending, each once. */
  get(key: string): readonly number[] {
    let out: number[] | null = null;
    this.#visit(key, (id) => {
      if (out === null) out = [id];
      else if (out[out.length - 1] !== id) out.push(id);
      return false;
    });
    return out ?? NONE;
  }

  /** Ids of the postings whose hash is the key's, unverified (for checks of their own). */
  unverified(key: string): number[] {
    const h = hashString(key, this.#salt);
    const t = this.#table;
    const out: number[] = [];
    for (let k = t.start(h), end = t.end(h); k < end; k++) if (t.keys[k] === h) out.push(t.values[k] as number);
    return out;
  }

  /** Number of entries with this key, counted up to `limit`. */
  count(key: string, limit: number): number {
    let n = 0;
    let last = -1;
    this.#visit(key, (id) => {
      if (id !== last) n++;
      last = id;
      return n >= limit;
    });
    return n;
  }

  has(key: string): boolean {
    return this.count(key, 1) > 0;
  }

  get byteLength(): number {
    return this.#table.byteLength;
  }

  /** Calls `visit` for each verified posting in order until it returns true. */
  #visit(key: string, visit: (id: number) => boolean): void {
    const h = hashString(key, this.#salt);
    const t = this.#table;
    const end = t.end(h);
    const extra = t.extra as Uint16Array | Uint32Array;
    for (let k = t.start(h); k < end; k++) {
      if (t.keys[k] !== h) continue;
      const id = t.values[k] as number;
      if (this.#check(id, extra[k] as number, key) && visit(id)) return;
    }
  }
}

/** Unordered pairs of canonical names (the legitimate look-alike pairs). */
export class PairSet {
  readonly #table: PostingTable;
  readonly #first: readonly string[];
  readonly #second: readonly string[];

  private constructor(table: PostingTable, first: readonly string[], second: readonly string[]) {
    this.#table = table;
    this.#first = first;
    this.#second = second;
  }

  static build(pairs: readonly (readonly [string, string])[]): PairSet {
    const builder = new PostingsBuilder();
    const first: string[] = [];
    const second: string[] = [];
    for (const [a, b] of pairs) {
      builder.add(pairHash(a, b), first.length);
      if (a !== b) builder.add(pairHash(b, a), first.length);
      first.push(a);
      second.push(b);
    }
    return new PairSet(builder.build(first.length), first, second);
  }

  has(a: string, b: string): boolean {
    const h = pairHash(a, b);
    const t = this.#table;
    const end = t.end(h);
    for (let k = t.start(h); k < end; k++) {
      if (t.keys[k] !== h) continue;
      const i = t.values[k] as number;
      const x = this.#first[i];
      const y = this.#second[i];
      if ((x === a && y === b) || (x === b && y === a)) return true;
    }
    return false;
  }

  get byteLength(): number {
    return this.#table.byteLength;
  }
}

const PAIR_SALT = 0x5bd1e995;

function pairHash(a: string, b: string): number {
  return mix(hashMore(hashMore(hashMore(0, a), '\u0000'), b), PAIR_SALT ^ a.length);
}
