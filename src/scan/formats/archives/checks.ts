/** Integrity checks of the compression formats: CRC-64/XZ and bzip2's MSB-first CRC-32. */

const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
{
  // Reflected ECMA-182 polynomial 0xC96C5795D7870F42, as two 32-bit halves.
  const polyLo = 0xd7870f42;
  const polyHi = 0xc96c5795;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const lsb = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (lsb !== 0) {
        lo = (lo ^ polyLo) >>> 0;
        hi = (hi ^ polyHi) >>> 0;
      }
    }
    CRC64_LO[i] = lo;
    CRC64_HI[i] = hi;
  }
}

/** CRC-64 as xz computes it; returns the 8 little-endian bytes. */
export function crc64(data: Uint8Array): Uint8Array {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ (data[i] as number)) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ (CRC64_LO[idx] as number)) >>> 0;
    hi = ((hi >>> 8) ^ (CRC64_HI[idx] as number)) >>> 0;
  }
  lo = ~lo >>> 0;
  hi = ~hi >>> 0;
  return Uint8Array.from([lo, lo >>> 8, lo >>> 16, lo >>> 24, hi, hi >>> 8, hi >>> 16, hi >>> 24].map((x) => x & 0xff));
}

const BZ_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = (c & 0x80000000) !== 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
  BZ_TABLE[i] = c >>> 0;
}

/** bzip2 block CRC (CRC-32, polynomial 0x04C11DB7, MSB first, no reflection). */
export function bzip2Crc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = ((c << 8) ^ (BZ_TABLE[((c >>> 24) ^ (data[i] as number)) & 0xff] as number)) >>> 0;
  return ~c >>> 0;
}
