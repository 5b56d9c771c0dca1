/**
 * A symmetric-delete index for bounded edit distance. Every indexed term contributes the hashes
 * of all its variants with up to `d` characters deleted; a query generates its own deletion
 * variants and looks them up. Two strings within Levenshtein distance d (and any adjacent
 * transposition) share a variant, so candidates are complete; they are then verified with the
 * exact distance, which also makes hash collisions harmless.
 *
 * Storage: two parallel Uint32Arrays (variant hash, term id) grouped into buckets by the top bits
 * of the hash: about 8 bytes per variant, one bucket scan per lookup, no per-variant strings.
 */

const BASE = 0x9e3779b1 | 0;

/** Polynomial hashes of every prefix and the powers of the base, modulo 2^32. */
function prefixHashes(s: string): { prefix: Int32Array; pow: Int32Array } {
  const n = s.length;
  const prefix = new Int32Array(n + 1);
  const pow = new Int32Array(n + 1);
  pow[0] = 1;
  for (let k = 0; k < n; k++) {
    prefix[k + 1] = (Math.imul(prefix[k] as number, BASE) + s.charCodeAt(k)) | 0;
    pow[k + 1] = Math.imul(pow[k] as number, BASE);
  }
  return { prefix, pow };
}

/** Hash of s[a, b) from the prefix table. */
function slice(prefix: Int32Array, pow: Int32Array, a: number, b: number): number {
  return ((prefix[b] as number) - Math.imul(prefix[a] as number, pow[b - a] as number)) | 0;
}

/** Final mix with the variant's length (a bijection on 32 bits for a given length). */
function finish(h: number, length: number): number {
  let f = Math.imul(h ^ length, 0x85ebca6b);
  f ^= f >>> 13;
  f = Math.imul(f, 0xc2b2ae35);
  f ^= f >>> 16;
  return f >>> 0;
}

/**
 * Calls `emit` with the hash of every variant of `s` with 0..depth deletions (depth ≤ 2), each in
 * constant time from prefix hashes. Deleting either character of a run gives the same variant,
 * so runs are visited once.
 */
function forEachDeletionHash(s: string, depth: number, emit: (hash: number) => void): void {
  const n = s.length;
  const { prefix, pow } = prefixHashes(s);
  emit(finish(prefix[n] as number, n));
  if (depth < 1) return;
  for (let i = 0; i < n; i++) {
    if (i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
    const head = prefix[i] as number;
    const one = (Math.imul(head, pow[n - 1 - i] as number) + slice(prefix, pow, i + 1, n)) | 0;
    emit(finish(one, n - 1));
    if (depth < 2) continue;
    for (let j = i + 1; j < n; j++) {
      if (j > i + 1 && s.charCodeAt(j) === s.charCodeAt(j - 1)) continue;
      const two =
        (Math.imul(head, pow[n - 2 - i] as number) +
          Math.imul(slice(prefix, pow, i + 1, j), pow[n - 1 - j] as number) +
          slice(prefix, pow, j + 1, n)) |
        0;
      emit(finish(two, n - 2));
    }
  }
}

/** Hashes of every variant of `s` with 0..depth deletions, deduplicated. */
export function deletionHashes(s: string, depth: number): number[] {
  const out = new Set<number>();
  forEachDeletionHash(s, depth, (h) => out.add(h));
  return [...out];
}

export interface DeletionIndexOptions {
  /** Deletion depth per term (0, 1 or 2); 0 indexes the exact term only. */
  readonly depthFor: (term: string) => number;
}

export interface DeletionIndex {
  /** Indexed term ids that share a deletion variant with `query` at the given query depth. */
  candidates(query: string, depth: number): Set<number>;
  readonly variantCount: number;
}

/** Pairs grouped by the top bits of their hash (one counting pass, one placement pass). */
interface Buckets {
  readonly shift: number;
  readonly offsets: Uint32Array;
  readonly hashes: Uint32Array;
  readonly ids: Uint32Array;
  /** One bit per low-25-bit hash value: most absent variants are rejected with one probe. */
  readonly present: Uint32Array;
}

const PRESENCE_BITS = 25;
const PRESENCE_MASK = (1 << PRESENCE_BITS) - 1;

function bucketPairs(hashes: Uint32Array, ids: Uint32Array, n: number): Buckets {
  const bits = Math.min(22, Math.max(8, Math.ceil(Math.log2(Math.max(n, 1)))));
  const shift = 32 - bits;
  const offsets = new Uint32Array((1 << bits) + 1);
  for (let k = 0; k < n; k++) {
    const b = ((hashes[k] as number) >>> shift) + 1;
    offsets[b] = (offsets[b] as number) + 1;
  }
  for (let b = 1; b < offsets.length; b++) offsets[b] = (offsets[b] as number) + (offsets[b - 1] as number);
  const next = offsets.slice(0, offsets.length - 1);
  const outH = new Uint32Array(n);
  const outI = new Uint32Array(n);
  const present = new Uint32Array(1 << (PRESENCE_BITS - 5));
  for (let k = 0; k < n; k++) {
    const h = hashes[k] as number;
    const bit = h & PRESENCE_MASK;
    present[bit >>> 5] = (present[bit >>> 5] as number) | (1 << (bit & 31));
    const b = h >>> shift;
    const pos = next[b] as number;
    next[b] = pos + 1;
    outH[pos] = h;
    outI[pos] = ids[k] as number;
  }
  return { shift, offsets, hashes: outH, ids: outI, present };
}

export function buildDeletionIndex(terms: readonly string[], options: DeletionIndexOptions): DeletionIndex {
  let hashes = new Uint32Array(1 << 16);
  let ids = new Uint32Array(1 << 16);
  let n = 0;
  let currentId = 0;
  const emit = (h: number): void => {
    if (n === hashes.length) {
      const grownH = new Uint32Array(hashes.length * 2);
      grownH.set(hashes);
      hashes = grownH;
      const grownI = new Uint32Array(ids.length * 2);
      grownI.set(ids);
      ids = grownI;
    }
    hashes[n] = h;
    ids[n] = currentId;
    n++;
  };
  terms.forEach((term, id) => {
    currentId = id;
    forEachDeletionHash(term, options.depthFor(term), emit);
  });
  const table = bucketPairs(hashes, ids, n);
  return {
    variantCount: n,
    candidates(query: string, depth: number): Set<number> {
      const found = new Set<number>();
      forEachDeletionHash(query, depth, (h) => {
        const bit = h & PRESENCE_MASK;
        if (((table.present[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return;
        const b = h >>> table.shift;
        const end = table.offsets[b + 1] as number;
        for (let k = table.offsets[b] as number; k < end; k++) {
          if (table.hashes[k] === h) found.add(table.ids[k] as number);
        }
      });
      return found;
    },
  };
}
