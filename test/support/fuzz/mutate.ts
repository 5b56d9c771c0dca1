/**
 * The fuzz suite's mutator: deterministic corruptions of a valid input, driven by the seeded
 * PRNG of the randomized tests (`seededRandom`), so a failing input is named by its seed and
 * iteration alone. Binary operations (bit flips, boundary bytes, truncation, chunk duplication
 * and deletion, length fields set huge) and text ones (numbers made huge or negative, brackets
 * nested deep) are mixed; no dependencies.
 */
import { seededRandom } from '../seeded-random.ts';

export type Rng = () => number;

/** One independent PRNG per (seed, seed input, iteration): any iteration reruns alone. */
export function iterationRng(seed: number, seedIndex: number, iteration: number): Rng {
  return seededRandom((seed ^ Math.imul(seedIndex + 1, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca6b)) >>> 0);
}

const int = (rnd: Rng, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Rng, xs: readonly T[]): T => xs[int(rnd, xs.length)] as T;

const BOUNDARY = [0x00, 0x7f, 0x80, 0xff] as const;
/** Length fields set huge: u32/u64 little- and big-endian maxima and sign boundaries. */
const HUGE_FIELDS: readonly (readonly number[])[] = [
  [0xff, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0x7f],
  [0x00, 0x00, 0x00, 0x80],
  [0x7f, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0x0f], // a 5-byte protobuf varint of 2^32 - 1
];
const HUGE_NUMBERS = ['99999999999999999999999', '-1', '-9223372036854775809', '18446744073709551616', '1e400', '-0', '4294967296', '2147483648', '0', '1.5'] as const;

/** One binary corruption of `b` (a new array; `b` is left alone). */
export function mutateOnce(b: Uint8Array, rnd: Rng): Uint8Array {
  const n = b.length;
  const at = int(rnd, Math.max(1, n));
  switch (int(rnd, 8)) {
    case 0: {
      const out = b.slice();
      if (n > 0) out[at] = (out[at] ?? 0) ^ (1 << int(rnd, 8));
      return out;
    }
    case 1: {
      const out = b.slice();
      if (n > 0) out[at] = pick(rnd, BOUNDARY);
      return out;
    }
    case 2:
      return b.slice(0, int(rnd, n + 1));
    case 3: {
      const len = 1 + int(rnd, Math.min(256, Math.max(1, n - at)));
      const chunk = b.subarray(at, at + len);
      const to = int(rnd, n + 1);
      return concatBytes(b.subarray(0, to), chunk, chunk, b.subarray(to));
    }
    case 4: {
      const len = 1 + int(rnd, Math.min(256, Math.max(1, n - at)));
      return concatBytes(b.subarray(0, at), b.subarray(at + len));
    }
    case 5: {
      const out = b.slice();
      const field = pick(rnd, HUGE_FIELDS);
      for (let j = 0; j < field.length && at + j < n; j++) out[at + j] = field[j] as number;
      return out;
    }
    case 6: {
      const len = 1 + int(rnd, 16);
      const junk = new Uint8Array(len);
      for (let j = 0; j < len; j++) junk[j] = int(rnd, 256);
      return concatBytes(b.subarray(0, at), junk, b.subarray(at));
    }
    default: {
      const out = b.slice();
      for (let j = 0; j < 8 && n > 0; j++) out[int(rnd, n)] = int(rnd, 256);
      return out;
    }
  }
}

/** One to four binary corruptions. */
export function mutateBytes(b: Uint8Array, rnd: Rng): Uint8Array {
  let out = b;
  for (let k = 1 + int(rnd, 4); k > 0; k--) out = mutateOnce(out, rnd);
  return out;
}

/** Text corruptions: a number made huge or negative, a bracket nested deep, or a byte-level one. */
export function mutateText(text: string, rnd: Rng): string {
  let s = text;
  for (let k = 1 + int(rnd, 3); k > 0; k--) {
    const op = int(rnd, 5);
    if (op === 0) {
      const numbers = [...s.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
      const m = numbers.length > 0 ? pick(rnd, numbers) : undefined;
      if (m !== undefined) s = s.slice(0, m.index) + pick(rnd, HUGE_NUMBERS) + s.slice(m.index + m[0].length);
    } else if (op === 1) {
      const at = int(rnd, s.length + 1);
      const [open, close] = pick(rnd, [['[', ']'], ['{', '}'], ['(', ')'], ['{"a":', '}']] as const);
      const depth = pick(rnd, [64, 300, 5000]);
      s = s.slice(0, at) + open.repeat(depth) + (rnd() < 0.5 ? close.repeat(depth) : '') + s.slice(at);
    } else if (op === 2) {
      const quotes = [...s.matchAll(/"/g)];
      const m = quotes.length > 0 ? pick(rnd, quotes) : undefined;
      if (m !== undefined) s = s.slice(0, m.index) + pick(rnd, ['', '\\', '\\u', '\\ud800', '\u0000', '""']) + s.slice(m.index);
    } else {
      s = Buffer.from(mutateOnce(Buffer.from(s, 'utf8'), rnd)).toString('utf8');
    }
  }
  return s;
}

/** `open` `depth` times, then `inner`, then `close` `depth` times. */
export function nested(open: string, close: string, depth: number, inner = ''): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** What a failure prints of an input: its length, and its start as text when it reads as text, else as hex. */
export function snippet(b: Uint8Array, max = 160): string {
  const head = b.subarray(0, max);
  const text = Buffer.from(head).toString('latin1');
  const printable = /^[\t\n\r\x20-\x7e]*$/.test(text);
  const shown = printable ? JSON.stringify(text) : Buffer.from(head).toString('hex');
  return `${b.length} bytes, ${printable ? 'text' : 'hex'} ${shown}${b.length > max ? '…' : ''}`;
}
