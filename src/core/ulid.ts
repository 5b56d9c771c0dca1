import { randomFillSync } from 'node:crypto';
import { AirlockError } from './errors.ts';

/**
 * Time-ordered unique identifiers in the ULID format: 26 Crockford base32 characters, a 48-bit
 * millisecond timestamp followed by 80 random bits. Ids sort lexicographically by creation time
 * (to the millisecond), so they make good primary keys for decisions, quarantine records and
 * tokens. `createIdGenerator` additionally guarantees strictly increasing ids from one generator
 * (same millisecond → the random part is incremented).
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

function encodeTime(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIME) {
    throw new AirlockError('INTERNAL', `id timestamp out of range: ${ms}`);
  }
  let out = '';
  let rest = ms;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * Random bytes drawn ahead, so a busy server (an id per request) asks the CSPRNG once per 256
 * ids instead of once per id: one `randomFillSync` call costs more than the rest of an id
 * (`npm run bench:request` prints both). The bytes are as random as before; they only wait in
 * memory, as `crypto.randomUUID`'s own do.
 */
const pool = new Uint8Array(RANDOM_CHARS * 256);
let poolOffset = pool.length;

/** 80 random bits as 16 base32 digits (values 0..31), most significant first. */
function randomDigits(): number[] {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const digits = new Array<number>(RANDOM_CHARS);
  for (let i = 0; i < RANDOM_CHARS; i++) digits[i] = (pool[poolOffset + i] as number) & 31;
  poolOffset += RANDOM_CHARS;
  return digits;
}

function encodeDigits(digits: readonly number[]): string {
  let out = '';
  for (const d of digits) out += ALPHABET.charAt(d);
  return out;
}

/** A fresh id for the given time (default: now). Unique with overwhelming probability. */
export function newId(at: Date | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return encodeTime(ms) + encodeDigits(randomDigits());
}

export function isId(text: string): boolean {
  return ULID_RE.test(text);
}

/** The creation time encoded in an id. */
export function idTime(id: string): Date {
  if (!isId(id)) throw new AirlockError('BAD_REQUEST', `not an id: ${JSON.stringify(id.slice(0, 40))}`);
  let ms = 0;
  for (let i = 0; i < TIME_CHARS; i++) ms = ms * 32 + ALPHABET.indexOf(id.charAt(i));
  return new Date(ms);
}

export interface IdGeneratorOptions {
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * A generator whose ids strictly increase, even within one millisecond or when the clock steps
 * backwards (the last timestamp is kept until the clock passes it). Hold one per process in the
 * composition root.
 */
export function createIdGenerator(options: IdGeneratorOptions = {}): () => string {
  const now = options.now ?? Date.now;
  let lastTime = -1;
  let lastTimeText = '';
  let lastDigits: number[] = [];
  return () => {
    const t = now();
    if (t > lastTime) {
      lastTime = t;
      lastTimeText = encodeTime(t);
      lastDigits = randomDigits();
    } else {
      // Same (or earlier) millisecond: increment the 80-bit random part.
      let i = lastDigits.length - 1;
      while (i >= 0 && lastDigits[i] === 31) {
        lastDigits[i] = 0;
        i--;
      }
      if (i < 0) {
        // 2^80 ids in one millisecond: move on to the next one.
        lastTime += 1;
        lastTimeText = encodeTime(lastTime);
        lastDigits = randomDigits();
      } else {
        lastDigits[i] = (lastDigits[i] ?? 0) + 1;
      }
    }
    return lastTimeText + encodeDigits(lastDigits);
  };
}
