/**
 * A bounded bzip2 decoder (Huffman → MTF/RLE2 → inverse BWT → RLE1), multi-stream aware.
 * Output is capped at the member limit; malformed input is a format error.
 */
import type { ByteSource } from '../../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { MsbBitReader } from './bit-reader.ts';
import { GrowableBuffer } from './growable-buffer.ts';
import { bzip2Crc } from './checks.ts';

const RULE = 'bzip2';
const MAX_GROUPS = 6;
const MAX_CODE_LEN = 20;
const GROUP_SIZE = 50;

function bad(msg: string): never {
  throw new ScanFormatError(`${RULE}.corrupt`, `bzip2 data is corrupt: ${msg}`);
}

export function looksLikeBzip2(head: Uint8Array): boolean {
  return head.length >= 10 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 &&
    (head[3] as number) >= 0x31 && (head[3] as number) <= 0x39 &&
    ((head[4] === 0x31 && head[5] === 0x41 && head[6] === 0x59) || (head[4] === 0x17 && head[5] === 0x72 && head[6] === 0x45));
}

export async function decodeBzip2(src: ByteSource, cap: number, signal: AbortSignal): Promise<Uint8Array> {
  // bzip2 never shrinks data by much: input far beyond the cap cannot fit it decoded.
  if (src.size > cap + (cap >> 3) + (1 << 20)) {
    throw new ScanLimitError('maxMemberBytes', `bzip2 stream of ${src.size} bytes exceeds the member limit`, 'local');
  }
  const input = await src.read(0, src.size);
  return bunzip2(input, cap, signal);
}

interface Table {
  readonly limit: Int32Array;
  readonly base: Int32Array;
  readonly perm: Int32Array;
  readonly minLen: number;
  readonly maxLen: number;
}

function buildTable(lengths: Uint8Array, alphaSize: number): Table {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < alphaSize; i++) {
    const l = lengths[i] as number;
    if (l > maxLen) maxLen = l;
    if (l < minLen) minLen = l;
  }
  const perm = new Int32Array(alphaSize);
  let pp = 0;
  for (let len = minLen; len <= maxLen; len++) {
    for (let s = 0; s < alphaSize; s++) if (lengths[s] === len) perm[pp++] = s;
  }
  // Canonical Huffman decode tables as bzip2's hbCreateDecodeTables builds them.
  const base = new Int32Array(MAX_CODE_LEN + 3);
  for (let s = 0; s < alphaSize; s++) base[(lengths[s] as number) + 1] = (base[(lengths[s] as number) + 1] as number) + 1;
  for (let i = 1; i < base.length; i++) base[i] = (base[i] as number) + (base[i - 1] as number);
  const limit = new Int32Array(MAX_CODE_LEN + 3);
  let vec = 0;
  for (let len = minLen; len <= maxLen; len++) {
    vec += (base[len + 1] as number) - (base[len] as number);
    limit[len] = vec - 1;
    vec <<= 1;
  }
  for (let len = minLen + 1; len <= maxLen; len++) {
    base[len] = (((limit[len - 1] as number) + 1) << 1) - (base[len] as number);
  }
  return { limit, base, perm, minLen, maxLen };
}

export function bunzip2(input: Uint8Array, cap: number, signal: AbortSignal): Uint8Array {
  const out = new GrowableBuffer(cap, 'bzip2');
  const br = new MsbBitReader(input, RULE);
  let streams = 0;
  for (;;) {
    if (br.bits(8) !== 0x42 || br.bits(8) !== 0x5a || br.bits(8) !== 0x68) {
      if (streams === 0) bad('missing BZh signature');
      break;
    }
    const level = br.bits(8) - 0x30;
    if (level < 1 || level > 9) bad(`block size ${level}`);
    streams++;
    const tt = new Uint32Array(level * 100000);
    for (;;) {
      if (signal.aborted) throw new ScanAbortedError('timeout');
      const m1 = br.bits(24);
      const m2 = br.bits(24);
      if (m1 === 0x177245 && m2 === 0x385090) {
        br.bits(16);
        br.bits(16); // stream CRC
        br.alignToByte();
        break;
      }
      if (m1 !== 0x314159 || m2 !== 0x265359) bad('bad block magic');
      const crc = ((br.bits(16) << 16) | br.bits(16)) >>> 0;
      const start = out.length;
      decodeBlock(br, tt, out);
      // Loaders reject a block whose CRC does not match: what they never load is no payload,
      // and garbage from a corrupt block is not worth scanning.
      if (bzip2Crc(out.view.subarray(start)) !== crc) bad('block CRC mismatch');
    }
    if (br.atEnd) break;
    // Concatenated streams (pbzip2, `cat a.bz2 b.bz2`) continue after byte alignment.
    const rest = input.subarray(br.byteOffset);
    if (rest.length < 4 || rest[0] !== 0x42 || rest[1] !== 0x5a || rest[2] !== 0x68) break;
  }
  return out.result();
}

function decodeBlock(br: MsbBitReader, tt: Uint32Array, out: GrowableBuffer): void {
  if (br.bit() !== 0) throw new ScanUnscannableError('bzip2.randomised', 'randomised bzip2 blocks (bzip2 0.9.0) are not supported');
  const origPtr = br.bits(24);
  const used = br.bits(16);
  const seqToUnseq: number[] = [];
  for (let i = 0; i < 16; i++) {
    if ((used & (0x8000 >> i)) === 0) continue;
    const v = br.bits(16);
    for (let j = 0; j < 16; j++) if ((v & (0x8000 >> j)) !== 0) seqToUnseq.push(i * 16 + j);
  }
  if (seqToUnseq.length === 0) bad('empty symbol map');
  const alphaSize = seqToUnseq.length + 2;
  const nGroups = br.bits(3);
  if (nGroups < 2 || nGroups > MAX_GROUPS) bad(`${nGroups} Huffman groups`);
  const nSelectors = br.bits(15);
  if (nSelectors < 1) bad('no selectors');
  const mtfGroups = Array.from({ length: nGroups }, (_, i) => i);
  const selectors = new Uint8Array(nSelectors);
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (br.bit() === 1) {
      j++;
      if (j >= nGroups) bad('selector out of range');
    }
    const v = mtfGroups[j] as number;
    mtfGroups.splice(j, 1);
    mtfGroups.unshift(v);
    selectors[i] = v;
  }
  const tables: Table[] = [];
  for (let t = 0; t < nGroups; t++) {
    const lengths = new Uint8Array(alphaSize);
    let curr = br.bits(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (curr < 1 || curr > MAX_CODE_LEN) bad('code length out of range');
        if (br.bit() === 0) break;
        curr += br.bit() === 0 ? 1 : -1;
      }
      lengths[s] = curr;
    }
    tables.push(buildTable(lengths, alphaSize));
  }
  const eob = seqToUnseq.length + 1;
  const yy = new Uint8Array(256);
  for (let i = 0; i < 256; i++) yy[i] = i;
  const unzftab = new Int32Array(256);
  let groupNo = -1;
  let groupPos = 0;
  let table = tables[0] as Table;
  let nblock = 0;
  const limitBlock = tt.length;
  const nextSym = (): number => {
    if (groupPos === 0) {
      groupNo++;
      if (groupNo >= nSelectors) bad('ran out of selectors');
      groupPos = GROUP_SIZE;
      table = tables[selectors[groupNo] as number] as Table;
    }
    groupPos--;
    const max = table.maxLen;
    const v = br.peek(max);
    for (let n = table.minLen; n <= max; n++) {
      const code = v >>> (max - n);
      if (code <= (table.limit[n] as number)) {
        const idx = code - (table.base[n] as number);
        if (idx < 0 || idx >= table.perm.length) bad('bad Huffman code');
        br.consume(n);
        return table.perm[idx] as number;
      }
    }
    return bad('bad Huffman code');
  };
  let sym = nextSym();
  for (;;) {
    if (sym === eob) break;
    if (sym <= 1) {
      let es = 0;
      let weight = 1;
      while (sym <= 1) {
        es += (sym + 1) * weight;
        weight <<= 1;
        if (es > limitBlock) bad('run exceeds block size');
        sym = nextSym();
      }
      const uc = seqToUnseq[yy[0] as number] as number;
      if (nblock + es > limitBlock) bad('block overflow');
      unzftab[uc] = (unzftab[uc] as number) + es;
      tt.fill(uc, nblock, nblock + es);
      nblock += es;
      continue;
    }
    const nn = sym - 1;
    if (nn >= seqToUnseq.length) bad('symbol out of range');
    const v = yy[nn] as number;
    for (let k = nn; k > 0; k--) yy[k] = yy[k - 1] as number;
    yy[0] = v;
    const uc = seqToUnseq[v] as number;
    if (nblock >= limitBlock) bad('block overflow');
    unzftab[uc] = (unzftab[uc] as number) + 1;
    tt[nblock++] = uc;
    sym = nextSym();
  }
  if (origPtr >= nblock) bad('origin pointer out of range');
  const cftab = new Int32Array(257);
  for (let i = 0; i < 256; i++) cftab[i + 1] = (cftab[i] as number) + (unzftab[i] as number);
  for (let i = 0; i < nblock; i++) {
    const uc = (tt[i] as number) & 0xff;
    const k = cftab[uc] as number;
    tt[k] = ((tt[k] as number) | (i << 8)) >>> 0;
    cftab[uc] = k + 1;
  }
  let tPos = (tt[origPtr] as number) >>> 8;
  let last = -1;
  let run = 0;
  for (let k = 0; k < nblock; k++) {
    tPos = tt[tPos] as number;
    const ch = tPos & 0xff;
    tPos >>>= 8;
    if (run === 4) {
      out.fill(last, ch);
      run = 0;
      continue;
    }
    if (ch === last) run++;
    else {
      run = 1;
      last = ch;
    }
    out.push(ch);
  }
}
