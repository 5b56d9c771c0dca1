/**
 * LZMA decoding (the algorithm of the LZMA SDK / xz), writing into a bounded output buffer that
 * doubles as the dictionary. Used by LZMA2 (xz, 7z) and the legacy `.lzma` format.
 */
import { ScanFormatError } from '../../engine/errors.ts';
import type { GrowableBuffer } from './growable-buffer.ts';

const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const LEN_LOW = 8;
const LEN_MID = 8;
const LEN_HIGH = 256;
const END_POS_MODEL = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const PROB_INIT = 1024;

// Layout of the single probability array.
const IS_MATCH = 0;
const IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
const POS_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX;
const SPEC_POS = POS_SLOT + 4 * 64;
const ALIGN = SPEC_POS + FULL_DISTANCES - END_POS_MODEL;
const LEN_SIZE = 2 + POS_STATES_MAX * LEN_LOW + POS_STATES_MAX * LEN_MID + LEN_HIGH;
const LEN_CODER = ALIGN + (1 << ALIGN_BITS);
const REP_LEN_CODER = LEN_CODER + LEN_SIZE;
const LITERAL = REP_LEN_CODER + LEN_SIZE;

export interface LzmaProps {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
}

export function parseLzmaProps(byte: number, rule: string): LzmaProps {
  if (byte >= 9 * 5 * 5) throw new ScanFormatError(`${rule}.corrupt`, `invalid LZMA properties byte ${byte}`);
  const lc = byte % 9;
  const rest = Math.floor(byte / 9);
  return { lc, lp: rest % 5, pb: Math.floor(rest / 5) };
}

export class LzmaDecoder {
  readonly #out: GrowableBuffer;
  readonly #rule: string;
  #probs = new Uint16Array(LITERAL + 0x300);
  #props: LzmaProps = { lc: 0, lp: 0, pb: 0 };
  #state = 0;
  #rep0 = 0;
  #rep1 = 0;
  #rep2 = 0;
  #rep3 = 0;
  /** Output position where the current dictionary begins (LZMA2 dictionary resets). */
  #dictStart = 0;
  // range decoder
  #in: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #end = 0;
  #range = 0;
  #code = 0;

  constructor(out: GrowableBuffer, rule: string) {
    this.#out = out;
    this.#rule = rule;
  }

  #bad(msg: string): never {
    throw new ScanFormatError(`${this.#rule}.corrupt`, `LZMA data is corrupt: ${msg}`, this.#pos);
  }

  setProps(p: LzmaProps): void {
    this.#props = p;
    const size = LITERAL + 0x300 * (1 << (p.lc + p.lp));
    if (this.#probs.length !== size) this.#probs = new Uint16Array(size);
  }

  resetState(): void {
    this.#probs.fill(PROB_INIT);
    this.#state = 0;
    this.#rep0 = this.#rep1 = this.#rep2 = this.#rep3 = 0;
  }

  resetDict(): void {
    this.#dictStart = this.#out.length;
  }

  /** Initialises the range decoder on `input[pos..end)`; returns after the 5 init bytes. */
  initRange(input: Uint8Array, pos: number, end: number): void {
    this.#in = input;
    this.#pos = pos;
    this.#end = end;
    if (end - pos < 5) this.#bad('range coder init truncated');
    if (input[pos] !== 0) this.#bad('range coder init byte is not zero');
    this.#code = (((input[pos + 1] as number) << 24) | ((input[pos + 2] as number) << 16) | ((input[pos + 3] as number) << 8) | (input[pos + 4] as number)) >>> 0;
    this.#range = 0xffffffff;
    this.#pos = pos + 5;
  }

  get inputPos(): number {
    return this.#pos;
  }

  #normalize(): void {
    if (this.#range < 0x1000000) {
      if (this.#pos >= this.#end) this.#bad('input ends inside the range coder');
      this.#range = (this.#range << 8) >>> 0;
      this.#code = ((this.#code << 8) | (this.#in[this.#pos++] as number)) >>> 0;
    }
  }

  #bit(i: number): number {
    const p = this.#probs[i] as number;
    const bound = (this.#range >>> 11) * p;
    let b: number;
    if (this.#code < bound) {
      this.#range = bound;
      this.#probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.#range = (this.#range - bound) >>> 0;
      this.#code = (this.#code - bound) >>> 0;
      this.#probs[i] = p - (p >>> 5);
      b = 1;
    }
    this.#normalize();
    return b;
  }

  #tree(base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.#bit(base + m);
    return m - (1 << bits);
  }

  #reverseTree(base: number, bits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.#bit(base + m);
      m = (m << 1) | b;
      sym |= b << i;
    }
    return sym;
  }

  #direct(bits: number): number {
    let res = 0;
    for (let i = 0; i < bits; i++) {
      this.#range >>>= 1;
      let b = 0;
      if (this.#code >= this.#range) {
        this.#code = (this.#code - this.#range) >>> 0;
        b = 1;
      }
      res = ((res << 1) | b) >>> 0;
      this.#normalize();
    }
    return res;
  }

  #len(base: number, posState: number): number {
    if (this.#bit(base) === 0) return this.#tree(base + 2 + posState * LEN_LOW, 3);
    if (this.#bit(base + 1) === 0) return LEN_LOW + this.#tree(base + 2 + POS_STATES_MAX * LEN_LOW + posState * LEN_MID, 3);
    return LEN_LOW + LEN_MID + this.#tree(base + 2 + POS_STATES_MAX * (LEN_LOW + LEN_MID), 8);
  }

  #distance(len: number): number {
    const lenState = len < 3 ? len : 3;
    const slot = this.#tree(POS_SLOT + lenState * 64, 6);
    if (slot < 4) return slot;
    const numDirect = (slot >>> 1) - 1;
    let dist = ((2 | (slot & 1)) << numDirect) >>> 0;
    if (slot < END_POS_MODEL) {
      return (dist + this.#reverseTree(SPEC_POS + dist - slot - 1, numDirect)) >>> 0;
    }
    dist = (dist + ((this.#direct(numDirect - ALIGN_BITS) << ALIGN_BITS) >>> 0)) >>> 0;
    return (dist + this.#reverseTree(ALIGN, ALIGN_BITS)) >>> 0;
  }

  /**
   * Decodes until `outTarget` bytes of output exist (LZMA2 chunks, .lzma with known size) or an
   * end marker (when `outTarget` is undefined). Returns true if an end marker was read.
   */
  decode(outTarget: number | undefined, check: () => void): boolean {
    const out = this.#out;
    const { lc, lp, pb } = this.#props;
    const pbMask = (1 << pb) - 1;
    const lpMask = (1 << lp) - 1;
    let n = 0;
    while (outTarget === undefined || out.length < outTarget) {
      if ((++n & 0xffff) === 0) check();
      const pos = out.length;
      const posState = pos & pbMask;
      const s = this.#state;
      if (this.#bit(IS_MATCH + s * POS_STATES_MAX + posState) === 0) {
        const prev = pos > this.#dictStart ? (out.view[pos - 1] as number) : 0;
        const base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
        let sym = 1;
        if (s >= 7) {
          const back = pos - this.#rep0 - 1;
          let match = back >= this.#dictStart ? (out.view[back] as number) : 0;
          while (sym < 0x100) {
            const mb = (match >>> 7) & 1;
            match <<= 1;
            const b = this.#bit(base + ((1 + mb) << 8) + sym);
            sym = (sym << 1) | b;
            if (mb !== b) break;
          }
        }
        while (sym < 0x100) sym = (sym << 1) | this.#bit(base + sym);
        out.push(sym & 0xff);
        this.#state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
        continue;
      }
      let len: number;
      if (this.#bit(IS_REP + s) === 0) {
        this.#rep3 = this.#rep2;
        this.#rep2 = this.#rep1;
        this.#rep1 = this.#rep0;
        len = this.#len(LEN_CODER, posState);
        this.#state = s < 7 ? 7 : 10;
        this.#rep0 = this.#distance(len);
        if (this.#rep0 === 0xffffffff) return true; // end marker
      } else {
        if (this.#bit(IS_REP_G0 + s) === 0) {
          if (this.#bit(IS_REP0_LONG + s * POS_STATES_MAX + posState) === 0) {
            this.#state = s < 7 ? 9 : 11;
            this.#copy(1, outTarget);
            continue;
          }
        } else {
          let dist: number;
          if (this.#bit(IS_REP_G1 + s) === 0) dist = this.#rep1;
          else {
            if (this.#bit(IS_REP_G2 + s) === 0) dist = this.#rep2;
            else {
              dist = this.#rep3;
              this.#rep3 = this.#rep2;
            }
            this.#rep2 = this.#rep1;
          }
          this.#rep1 = this.#rep0;
          this.#rep0 = dist;
        }
        len = this.#len(REP_LEN_CODER, posState);
        this.#state = s < 7 ? 8 : 11;
      }
      this.#copy(len + 2, outTarget);
    }
    return false;
  }

  #copy(len: number, outTarget: number | undefined): void {
    const out = this.#out;
    const dist = this.#rep0 + 1;
    if (dist > out.length - this.#dictStart) this.#bad('match distance beyond the dictionary');
    if (outTarget !== undefined && out.length + len > outTarget) this.#bad('match runs past the chunk end');
    out.copyBack(dist, len);
  }
}
