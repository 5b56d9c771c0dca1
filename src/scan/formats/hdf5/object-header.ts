/**
 * HDF5 object headers (version 1 and version 2 "OHDR"), including continuation chunks. Returns
 * the raw messages (type, flags, data range); message decoding is elsewhere. Bounded: chunks and
 * messages per object are capped, every range is checked against its chunk.
 */
import { AnalysisLimitError, FormatParseError } from '../common/errors.ts';
import type { H5File } from './file.ts';

export const MSG = {
  NIL: 0x0000,
  DATASPACE: 0x0001,
  LINK_INFO: 0x0002,
  DATATYPE: 0x0003,
  LINK: 0x0006,
  EXTERNAL_FILES: 0x0007,
  LAYOUT: 0x0008,
  FILTER_PIPELINE: 0x000b,
  ATTRIBUTE: 0x000c,
  CONTINUATION: 0x0010,
  SYMBOL_TABLE: 0x0011,
  ATTRIBUTE_INFO: 0x0015,
} as const;

export interface RawMessage {
  readonly type: number;
  readonly flags: number;
  /** Offset of the message data and its size. */
  readonly pos: number;
  readonly size: number;
}

const MAX_CHUNKS = 4096;
const MAX_MESSAGES = 1 << 16;

export async function readObjectHeader(f: H5File, addr: number): Promise<RawMessage[]> {
  await f.at(addr, 16, 'object header');
  const isV2 = f.win.u8(addr) === 0x4f && f.win.u8(addr + 1) === 0x48 && f.win.u8(addr + 2) === 0x44 && f.win.u8(addr + 3) === 0x52;
  return isV2 ? readV2(f, addr) : readV1(f, addr);
}

async function readV1(f: H5File, addr: number): Promise<RawMessage[]> {
  const version = f.win.u8(addr);
  if (version !== 1) throw new FormatParseError('hdf5.object-header.version', `object header at ${addr} has unknown version ${version}`, addr);
  const count = f.win.u16(addr + 2);
  const size = f.win.u32(addr + 8);
  const out: RawMessage[] = [];
  const chunks: Array<[number, number]> = [[addr + 16, size]];
  for (let c = 0; c < chunks.length; c++) {
    if (c >= MAX_CHUNKS) throw new AnalysisLimitError('hdf5.limit.chunks', `object header at ${addr} has more than ${MAX_CHUNKS} continuation chunks`, addr);
    const [start, len] = chunks[c] ?? [0, 0];
    await f.at(start, len, 'object header chunk');
    let p = start;
    while (p + 8 <= start + len && out.length < count) {
      const type = f.win.u16(p);
      const msize = f.win.u16(p + 2);
      const flags = f.win.u8(p + 4);
      const data = p + 8;
      if (data + msize > start + len) throw new FormatParseError('hdf5.object-header.message', `message at ${p} runs past its header chunk`, p);
      out.push({ type, flags, pos: data, size: msize });
      if (type === MSG.CONTINUATION) chunks.push(continuation(f, data));
      p = data + msize;
      if (out.length > MAX_MESSAGES) throw new AnalysisLimitError('hdf5.limit.messages', `object header at ${addr} has too many messages`, addr);
    }
  }
  return out;
}

async function readV2(f: H5File, addr: number): Promise<RawMessage[]> {
  const version = f.win.u8(addr + 4);
  if (version !== 2) throw new FormatParseError('hdf5.object-header.version', `object header at ${addr} has unknown version ${version}`, addr);
  const flags = f.win.u8(addr + 5);
  let p = addr + 6;
  if ((flags & 0x20) !== 0) p += 16; // access/modification/change/birth times
  if ((flags & 0x10) !== 0) p += 4; // attribute phase change values
  const sizeBytes = 1 << (flags & 0x03);
  await f.at(p, sizeBytes, 'object header');
  const chunk0 = f.uint(p, sizeBytes) ?? 0;
  p += sizeBytes;
  const withOrder = (flags & 0x04) !== 0;
  const out: RawMessage[] = [];
  const chunks: Array<[number, number]> = [[p, chunk0]];
  for (let c = 0; c < chunks.length; c++) {
    if (c >= MAX_CHUNKS) throw new AnalysisLimitError('hdf5.limit.chunks', `object header at ${addr} has more than ${MAX_CHUNKS} continuation chunks`, addr);
    let [start, len] = chunks[c] ?? [0, 0];
    if (c > 0) {
      await f.signature(start, 'OCHK', 'object header continuation');
      start += 4;
      len -= 8; // signature and checksum
    }
    await f.at(start, Math.max(0, len), 'object header chunk');
    const headerSize = withOrder ? 6 : 4;
    let q = start;
    while (q + headerSize <= start + len) {
      const type = f.win.u8(q);
      const msize = f.win.u16(q + 1);
      const mflags = f.win.u8(q + 3);
      const data = q + headerSize;
      if (data + msize > start + len) throw new FormatParseError('hdf5.object-header.message', `message at ${q} runs past its header chunk`, q);
      out.push({ type, flags: mflags, pos: data, size: msize });
      if (type === MSG.CONTINUATION) chunks.push(continuation(f, data));
      q = data + msize;
      if (out.length > MAX_MESSAGES) throw new AnalysisLimitError('hdf5.limit.messages', `object header at ${addr} has too many messages`, addr);
    }
  }
  return out;
}

function continuation(f: H5File, data: number): [number, number] {
  const at = f.addr(data);
  const len = f.len(data + f.offsetSize);
  if (at === undefined || at + len > f.win.size) throw new FormatParseError('hdf5.object-header.continuation', `continuation block at ${String(at)} is outside the file`, data);
  return [at, len];
}
