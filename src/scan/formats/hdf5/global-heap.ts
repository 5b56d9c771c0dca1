/**
 * Variable-length data (h5py stores Python `str` attributes as variable-length strings) lives
 * in global heap collections ("GCOL"). A reference is (length, collection address, object index).
 */
import { FormatParseError } from '../common/errors.ts';
import type { H5File } from './file.ts';

const MAX_OBJECTS = 1 << 16;

/** Reads the bytes of global heap object `index` in the collection at `addr` (at most `max` bytes). */
export async function globalHeapObject(f: H5File, addr: number, index: number, max: number): Promise<Uint8Array> {
  await f.signature(addr, 'GCOL', 'global heap collection');
  await f.at(addr, 8 + f.lengthSize, 'global heap collection');
  const size = f.len(addr + 8);
  const end = addr + size;
  if (end > f.win.size) throw new FormatParseError('hdf5.global-heap', `global heap collection at ${addr} runs past the end of the file`, addr);
  let p = addr + 8 + f.lengthSize;
  const head = 8 + f.lengthSize;
  for (let i = 0; i < MAX_OBJECTS && p + head <= end; i++) {
    await f.at(p, head, 'global heap object');
    const idx = f.win.u16(p);
    const objSize = f.len(p + 8);
    if (idx === 0) break; // free space: no more objects
    if (idx === index) {
      if (objSize > max) throw new FormatParseError('hdf5.global-heap', `global heap object of ${objSize} bytes exceeds the limit`, p);
      if (p + head + objSize > end) throw new FormatParseError('hdf5.global-heap', `global heap object at ${p} runs past its collection`, p);
      return (await f.win.bytes(p + head, objSize, 'global heap object')).slice();
    }
    p += head + Math.ceil(objSize / 8) * 8;
  }
  throw new FormatParseError('hdf5.global-heap', `object ${index} not found in global heap collection at ${addr}`, addr);
}
