/**
 * A compact symmetric-delete index for bounded edit distance: which indexed terms may lie within
 * their edit budget (1 or 2) of a query. It answers a superset — every term within its budget,
 * and some that are not (hash collisions, alignments that do not hold) — so callers verify each
 * candidate with the exact distance.
 *
 * Budget 1 ("whole" postings). A term is indexed by itself and its single-deletion variants; the
 * query looks up its own. Two strings within OSA distance 1 share such a variant: an insertion or
 * omission deletes the extra letter from one side, a substitution the letter from both, a
 * transposition one of the two letters from both.
 *
 * Budget 2 (head and tail postings). A term of length m is split into its head, the first
 * h = ⌊m/2⌋ letters, and its tail. Take an alignment of the query with the term in at most two
 * edits and give each edit to the half it touches — an insertion at the middle to the tail, a
 * transposition across the middle to both halves as one substitution each:
 *
 * - the head took at most one edit: the query's prefix of length min(h, query length) and the
 *   head share a single-deletion variant (an insertion in the head pushes the head's last letter
 *   out of that prefix, an omission pulls the tail's first letter in: one deletion on each side
 *   again);
 * - or the head took two edits, or one plus the middle transposition: then the tail took no
 *   other edit, so the term without its head and the tail's first letter — t[h+1, m) — is the
 *   query's suffix of that length.
 *
 * So a term with budget 2 is indexed by its head, the head's single deletions and t[h+1, m), and
 * a query looks up the single deletions of its prefixes of the head lengths and its suffixes of
 * the tail lengths, for the term lengths within 2 of its own. Indexing every double deletion
 * instead (about m²/2 variants per term, the engine's previous index) took some 30 times the
 * memory. Both rules are checked against brute force in `deletion-index.test.ts`.
 *
 * Storage: one posting per variant — a 32-bit hash of (side, length, letters) and the term id —
 * in typed arrays grouped by the hash's top bits (a counting sort): about 6 bytes per posting, no
 * strings, no per-variant objects. Hashes are polynomial over UTF-16 code units, so each variant
 * costs O(1) from the prefix hashes of its string.
 */

import { mix, PostingsBuilder, type PostingTable } from './hash-table.ts';

const BASE = 0x9e3779b1 | 0;

/** Posting sides, mixed into the hash. */
const WHOLE = 0x1b873593;
const HEAD = 0x2c1b3c6d;
const TAIL = 0x297a2d39;

/** Polynomial prefix hashes of a string and the powers of the base, modulo 2^32. */
interface Hashes {
  readonly prefix: Int32Array;
  readonly pow: Int32Array;
}

/** The hashes of `s`, in `scratch` when it is long enough. */
function hashesOf(s: string, scratch: Hashes | null): Hashes {
  const n = s.length;
  const h = scratch !== null && scratch.prefix.length > n ? scratch : { prefix: new Int32Array(n + 1), pow: new Int32Array(n + 1) };
  const { prefix, pow } = h;
  prefix[0] = 0;
  pow[0] = 1;
  for (let k = 0; k < n; k++) {
    prefix[k + 1] = (Math.imul(prefix[k] as number, BASE) + s.charCodeAt(k)) | 0;
    pow[k + 1] = Math.imul(pow[k] as number, BASE);
  }
  return h;
}

/** Hash of s[a, b). */
function slice(h: Hashes, a: number, b: number): number {
  return ((h.prefix[b] as number) - Math.imul(h.prefix[a] as number, h.pow[b - a] as number)) | 0;
}

/** Key of a variant: its hash mixed with its length and side. */
function finish(hash: number, length: number, side: number): number {
  return mix(hash, length ^ side);
}

/**
 * Calls `emit` with the key of s[a, b) and of each of its single-deletion variants. Deleting
 * either letter of a run gives the same variant, so runs are visited once.
 */
function forEachVariant(s: string, h: Hashes, a: number, b: number, side: number, emit: (key: number) => void): void {
  emit(finish(slice(h, a, b), b - a, side));
  for (let i = a; i < b; i++) {
    if (i > a && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
    const v = (Math.imul(slice(h, a, i), h.pow[b - 1 - i] as number) + slice(h, i + 1, b)) | 0;
    emit(finish(v, b - a - 1, side));
  }
}

/**
 * The letters of a string as a 32-bit set (letters sharing a bit are one). A string within k
 * edits of another has at most k letters the other lacks — only substituted, inserted or deleted
 * letters can be missing on the other side; transposed ones are not — so two strings whose sets
 * differ by more than k bits either way are not within k edits. This drops most candidates that
 * share only a common head (`@types/…`, `opentelemetry-instrumentation-…`) before verification.
 */
function letterSet(s: string): number {
  let set = 0;
  for (let k = 0; k < s.length; k++) set |= 1 << ((s.charCodeAt(k) * 7) & 31);
  return set;
}

function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Length of the head of a term of length m. */
const headLength = (m: number): number => m >>> 1;
/** Length of a term's tail without its first letter (the part indexed as is). */
const tailRest = (m: number): number => Math.max(0, m - headLength(m) - 1);

export interface DeletionIndex {
  /**
   * Ids of indexed terms that may be within their budget of `query`, ascending, each once.
   * Every term within its budget is among them; callers verify.
   */
  candidates(query: string): number[];
  readonly postingCount: number;
  /** Bytes held by the index's typed arrays. */
  readonly byteLength: number;
}

/** Adds terms one by one (ids ascending); `build()` makes the index. */
export class DeletionIndexBuilder {
  readonly #budgetOf: (length: number) => number;
  readonly #postings = new PostingsBuilder();
  readonly #lengths: Uint16Array;
  readonly #letters: Uint32Array;
  #maxLength = 0;
  #owner = 0;
  #scratch: Hashes | null = null;
  readonly #add = (key: number): void => this.#postings.add(key, this.#owner);

  /** `capacity`: one more than the largest id. */
  constructor(budgetOf: (length: number) => number, capacity: number) {
    this.#budgetOf = budgetOf;
    this.#lengths = new Uint16Array(capacity);
    this.#letters = new Uint32Array(capacity);
  }

  add(id: number, term: string): void {
    const m = term.length;
    this.#lengths[id] = Math.min(m, 0xffff);
    this.#letters[id] = letterSet(term);
    this.#maxLength = Math.max(this.#maxLength, m);
    const b = this.#budgetOf(m);
    if (b !== 1 && b !== 2) return;
    this.#owner = id;
    const h = hashesOf(term, this.#scratch);
    this.#scratch = h;
    if (b === 1) {
      forEachVariant(term, h, 0, m, WHOLE, this.#add);
    } else {
      forEachVariant(term, h, 0, headLength(m), HEAD, this.#add);
      this.#add(finish(slice(h, m - tailRest(m), m), tailRest(m), TAIL));
    }
  }

  build(): DeletionIndex {
    const table = this.#postings.build(this.#lengths.length);
    const budgetAt = new Uint8Array(this.#maxLength + 1);
    for (let m = 0; m <= this.#maxLength; m++) budgetAt[m] = this.#budgetOf(m);
    // The index holds only what it searches (not this builder and its growing arrays).
    return new Search(table, this.#lengths, this.#letters, budgetAt);
  }
}

/**
 * `budgetOf(length)` is the edit budget (0, 1 or 2) of a term of that length; terms with budget 0
 * are not indexed (only their exact spelling is within 0 edits).
 */
export function buildDeletionIndex(terms: readonly string[], budgetOf: (length: number) => number): DeletionIndex {
  const builder = new DeletionIndexBuilder(budgetOf, terms.length);
  terms.forEach((t, id) => builder.add(id, t));
  return builder.build();
}

/** The built index. One query at a time: the state is reused to keep lookups free of allocation. */
class Search implements DeletionIndex {
  readonly #table: PostingTable;
  readonly #lengths: Uint16Array;
  readonly #letters: Uint32Array;
  readonly #budgetAt: Uint8Array;
  /** Ids found by the current query are stamped with its epoch. */
  readonly #stamp: Uint32Array;
  #epoch = 0;
  #hashes: Hashes | null = null;
  #out: number[] = [];
  /** What the current lookup accepts: the side, and the head length or tail rest it requires. */
  #side = WHOLE;
  #want = 0;
  #query = 0;
  #queryLetters = 0;
  #lo = 0;
  #hi = 0;
  readonly #emit = (key: number): void => this.#lookup(key);

  constructor(table: PostingTable, lengths: Uint16Array, letters: Uint32Array, budgetAt: Uint8Array) {
    this.#table = table;
    this.#lengths = lengths;
    this.#letters = letters;
    this.#budgetAt = budgetAt;
    this.#stamp = new Uint32Array(lengths.length);
  }

  get postingCount(): number {
    return this.#table.count;
  }

  get byteLength(): number {
    return this.#table.byteLength + this.#lengths.byteLength + this.#letters.byteLength + this.#budgetAt.byteLength + this.#stamp.byteLength;
  }

  candidates(query: string): number[] {
    const n = query.length;
    this.#out = [];
    this.#epoch = (this.#epoch + 1) >>> 0;
    if (this.#epoch === 0) {
      this.#stamp.fill(0);
      this.#epoch = 1;
    }
    this.#query = n;
    const budget = (m: number): number => (m < this.#budgetAt.length ? (this.#budgetAt[m] as number) : 0);
    let whole = false;
    let lo = -1;
    let hi = -1;
    for (let m = Math.max(0, n - 2); m <= n + 2; m++) {
      const b = budget(m);
      if (b === 1 && Math.abs(m - n) <= 1) whole = true;
      if (b === 2) {
        if (lo === -1) lo = m;
        hi = m;
      }
    }
    if (!whole && lo === -1) return this.#out;
    this.#queryLetters = letterSet(query);
    const h = hashesOf(query, this.#hashes);
    this.#hashes = h;
    if (whole) {
      this.#side = WHOLE;
      forEachVariant(query, h, 0, n, WHOLE, this.#emit);
    }
    if (lo !== -1) {
      this.#lo = lo;
      this.#hi = hi;
      this.#side = HEAD;
      for (let head = headLength(lo); head <= headLength(hi); head++) {
        this.#want = head;
        forEachVariant(query, h, 0, Math.min(head, n), HEAD, this.#emit);
      }
      this.#side = TAIL;
      for (let rest = tailRest(lo); rest <= tailRest(hi) && rest <= n; rest++) {
        this.#want = rest;
        this.#emit(finish(slice(h, n - rest, n), rest, TAIL));
      }
    }
    return this.#out.sort((a, b) => a - b);
  }

  #lookup(key: number): void {
    const table = this.#table;
    const end = table.end(key);
    for (let k = table.start(key); k < end; k++) {
      if (table.keys[k] !== key) continue;
      const id = table.values[k] as number;
      if (this.#stamp[id] === this.#epoch) continue;
      const m = this.#lengths[id] as number;
      const accept =
        this.#side === WHOLE
          ? Math.abs(m - this.#query) <= 1
          : m >= this.#lo && m <= this.#hi && (this.#side === HEAD ? headLength(m) === this.#want : tailRest(m) === this.#want);
      if (!accept) continue;
      // Stamped either way: the verdict of the letter sets does not depend on the lookup.
      this.#stamp[id] = this.#epoch;
      const budget = this.#budgetAt[m] as number;
      const t = this.#letters[id] as number;
      if (bitCount(t & ~this.#queryLetters) > budget || bitCount(this.#queryLetters & ~t) > budget) continue;
      this.#out.push(id);
    }
  }
}
