/** LZMA2 chunk stream (xz, 7z): uncompressed and LZMA chunks with state/dictionary resets. */
import { ScanFormatError } from '../../engine/errors.ts';
import type { GrowableBuffer } from './growable-buffer.ts';
import { LzmaDecoder, parseLzmaProps } from './lzma.ts';

/** Decodes an LZMA2 stream from `input[pos..]`; returns the offset after its end marker. */
export function decodeLzma2(input: Uint8Array, pos: number, out: GrowableBuffer, rule: string, check: () => void): number {
  const lz = new LzmaDecoder(out, rule);
  let needDictReset = true;
  let needProps = true;
  const bad = (msg: string): never => {
    throw new ScanFormatError(`${rule}.corrupt`, `LZMA2 data is corrupt: ${msg}`, pos);
  };
  for (;;) {
    if (pos >= input.length) bad('missing end marker');
    const control = input[pos++] as number;
    if (control === 0x00) return pos;
    if (control === 0x01 || control === 0x02) {
      if (control === 0x01) {
        lz.resetDict();
        needDictReset = false;
      } else if (needDictReset) bad('first chunk does not reset the dictionary');
      if (pos + 2 > input.length) bad('truncated chunk header');
      const size = (((input[pos] as number) << 8) | (input[pos + 1] as number)) + 1;
      pos += 2;
      if (pos + size > input.length) bad('truncated uncompressed chunk');
      out.append(input.subarray(pos, pos + size));
      pos += size;
      continue;
    }
    if (control < 0x80) bad(`invalid control byte 0x${control.toString(16)}`);
    if (pos + 4 > input.length) bad('truncated chunk header');
    const unpacked = ((control & 0x1f) << 16) + (((input[pos] as number) << 8) | (input[pos + 1] as number)) + 1;
    const packed = (((input[pos + 2] as number) << 8) | (input[pos + 3] as number)) + 1;
    pos += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) {
      lz.resetDict();
      needDictReset = false;
    } else if (needDictReset) bad('first chunk does not reset the dictionary');
    if (reset >= 2) {
      if (pos >= input.length) bad('truncated properties');
      const props = parseLzmaProps(input[pos++] as number, rule);
      if (props.lc + props.lp > 4) bad('lc + lp exceeds 4');
      lz.setProps(props);
      needProps = false;
    } else if (needProps) bad('chunk without properties');
    if (reset >= 1) lz.resetState();
    if (pos + packed > input.length) bad('truncated compressed chunk');
    lz.initRange(input, pos, pos + packed);
    lz.decode(out.length + unpacked, check);
    pos += packed;
  }
}
