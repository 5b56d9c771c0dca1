/** Branch-converter (BCJ x86) and delta filters, decoding direction, applied in place. */

/** Undoes the x86 BCJ filter over `buf` (whose first byte sits at stream offset `start`), as xz does. */
export function bcjX86Decode(buf: Uint8Array, start = 0): void {
  const MASK_TO_ALLOWED = [true, true, true, false, true, false, false, false];
  const MASK_TO_BIT = [0, 1, 2, 2, 3, 3, 3, 3];
  const ms = (b: number): boolean => b === 0 || b === 0xff;
  let prevMask = 0;
  let prevPos = (start - 5) >>> 0;
  if (buf.length < 5) return;
  const limit = buf.length - 5;
  let p = 0;
  while (p <= limit) {
    let b = buf[p] as number;
    if (b !== 0xe8 && b !== 0xe9) {
      p++;
      continue;
    }
    const offset = (start + p - prevPos) >>> 0;
    prevPos = (start + p) >>> 0;
    if (offset > 5) prevMask = 0;
    else for (let i = 0; i < offset; i++) prevMask = ((prevMask & 0x77) << 1) >>> 0;
    b = buf[p + 4] as number;
    if (ms(b) && MASK_TO_ALLOWED[(prevMask >>> 1) & 7] === true && prevMask >>> 1 < 0x10) {
      let src = ((b << 24) | ((buf[p + 3] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 1] as number)) >>> 0;
      let dest = 0;
      for (;;) {
        dest = (src - ((start + p + 5) >>> 0)) >>> 0;
        if (prevMask === 0) break;
        const i = MASK_TO_BIT[prevMask >>> 1] as number;
        b = (dest >>> (24 - i * 8)) & 0xff;
        if (!ms(b)) break;
        src = (dest ^ (2 ** (32 - i * 8) - 1)) >>> 0;
      }
      buf[p + 4] = ((dest >>> 24) & 1) === 1 ? 0xff : 0x00;
      buf[p + 3] = (dest >>> 16) & 0xff;
      buf[p + 2] = (dest >>> 8) & 0xff;
      buf[p + 1] = dest & 0xff;
      p += 5;
      prevMask = 0;
    } else {
      p++;
      prevMask |= 1;
      if (ms(b)) prevMask |= 0x10;
    }
  }
}

export function deltaDecode(buf: Uint8Array, distance: number): void {
  for (let i = distance; i < buf.length; i++) buf[i] = ((buf[i] as number) + (buf[i - distance] as number)) & 0xff;
}
