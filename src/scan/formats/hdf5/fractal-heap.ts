/**
 * Fractal heaps ("FRHP"), where HDF5 keeps dense attribute and link storage: resolves a heap ID
 * to the object's bytes. Managed objects are found through the doubling table of direct
 * ("FHDB") and indirect ("FHIB") blocks; tiny objects live in the ID; huge objects through their
 * own v2 B-tree. Filtered (compressed) heaps are not decoded: unscannable.
 */
import { AnalysisLimitError, FormatParseError } from '../common/errors.ts';
import { btree2Records } from './btree2.ts';
import type { H5File } from './file.ts';

export interface FractalHeap {
  readonly idLength: number;
  object(id: Uint8Array): Promise<Uint8Array>;
}

const MAX_OBJECT = 64 << 20;

export async function openFractalHeap(f: H5File, addr: number, budget: { nodes: number }): Promise<FractalHeap> {
  await f.signature(addr, 'FRHP', 'fractal heap');
  const L = f.lengthSize;
  const O = f.offsetSize;
  await f.at(addr, 22 + 12 * L + 3 * O + 16, 'fractal heap header');
  const idLength = f.win.u16(addr + 5);
  const filtersLength = f.win.u16(addr + 7);
  let p = addr + 14;
  p += L; // next huge object id
  const hugeBtree = f.addr(p);
  p += O;
  p += L + O + L + L + L + L + L + L + L + L; // free space … tiny object count
  const width = f.win.u16(p);
  const startBlock = f.len(p + 2);
  const maxDirect = f.len(p + 2 + L);
  const maxHeapBits = f.win.u16(p + 2 + 2 * L);
  const rootAddr = f.addr(p + 4 + 2 * L + 2);
  const rootRows = f.win.u16(p + 4 + 2 * L + 2 + O);
  if (filtersLength > 0) throw new AnalysisLimitError('hdf5.fractal-heap.filtered', `fractal heap at ${addr} is filtered (compressed); not decoded`, addr);
  if (width === 0 || startBlock === 0 || maxDirect < startBlock || maxHeapBits > 64) throw new FormatParseError('hdf5.fractal-heap', `fractal heap header at ${addr} is malformed`, addr);
  const offBytes = Math.ceil(maxHeapBits / 8);
  const maxManaged = f.win.u32(addr + 10);
  const lenBytes = Math.min(Math.ceil(Math.log2(maxDirect) / 8), Math.floor(Math.log2(Math.max(1, maxManaged)) / 8) + 1);
  const maxDirectRows = Math.log2(maxDirect) - Math.log2(startBlock) + 2;
  const rowSize = (r: number): number => (r < 2 ? startBlock : startBlock * 2 ** (r - 1));

  /** Address in the file of heap offset `off`, walking from an indirect block of `rows` rows. */
  const locate = async (blockAddr: number, rows: number, off: number, depth: number): Promise<number> => {
    if (depth > 16 || --budget.nodes < 0) throw new AnalysisLimitError('hdf5.limit.objects', 'fractal heap too deep', blockAddr);
    await f.signature(blockAddr, 'FHIB', 'fractal heap indirect block');
    const entries = 5 + O + offBytes;
    let rowStart = 0;
    for (let r = 0; r < rows; r++) {
      const size = rowSize(r);
      if (off < rowStart + width * size) {
        const col = Math.floor((off - rowStart) / size);
        const within = off - rowStart - col * size;
        const idx = r * width + col;
        const direct = r < maxDirectRows;
        const entryAt = blockAddr + entries + (direct ? idx * O : Math.min(rows, maxDirectRows) * width * O + (idx - maxDirectRows * width) * O);
        await f.at(entryAt, O, 'fractal heap indirect entry');
        const child = f.addr(entryAt);
        if (child === undefined) throw new FormatParseError('hdf5.fractal-heap', `heap offset ${off} falls in an unallocated block`, blockAddr);
        if (direct) return child + within;
        const childRows = Math.log2(size) - Math.log2(startBlock * width) + 1;
        return locate(child, childRows, within, depth + 1);
      }
      rowStart += width * size;
    }
    throw new FormatParseError('hdf5.fractal-heap', `heap offset ${off} is beyond the heap`, blockAddr);
  };

  // Huge object IDs are little-endian integers; the ID in a heap ID and in a B-tree record may
  // be encoded with different widths, so they are compared as numbers.
  let huge: Map<string, [number, number]> | undefined;
  const hugeObjects = async (): Promise<Map<string, [number, number]>> => {
    if (huge !== undefined) return huge;
    huge = new Map();
    if (hugeBtree === undefined) return huge;
    for (const rec of (await btree2Records(f, hugeBtree, budget)).records) {
      const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      const read = (at: number, n: number): number => {
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + dv.getUint8(at + i);
        return v;
      };
      const a = read(0, O) + f.base;
      const len = read(O, L);
      huge.set(String(read(O + L, rec.length - O - L)), [a, len]);
    }
    return huge;
  };

  return {
    idLength,
    async object(id: Uint8Array): Promise<Uint8Array> {
      const type = ((id[0] ?? 0) >> 4) & 0x03;
      if (type === 2) {
        const n = ((id[0] ?? 0) & 0x0f) + 1;
        return id.slice(1, 1 + n);
      }
      const read = (at: number, n: number): number => {
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + (id[at + i] ?? 0);
        return v;
      };
      if (type === 1) {
        // Directly addressed when the ID has room for address and length, else keyed in the B-tree.
        const hit: [number, number] | undefined =
          idLength - 1 >= O + L ? [read(1, O) + f.base, read(1 + O, L)] : (await hugeObjects()).get(String(read(1, idLength - 1)));
        if (hit === undefined) throw new FormatParseError('hdf5.fractal-heap', 'huge object not found in its B-tree', addr);
        if (hit[1] > MAX_OBJECT) throw new AnalysisLimitError('hdf5.limit.object', 'huge heap object is too large', addr);
        return (await f.win.bytes(hit[0], hit[1], 'huge heap object')).slice();
      }
      if (type !== 0) throw new FormatParseError('hdf5.fractal-heap', `unknown heap ID type ${type}`, addr);
      const off = read(1, offBytes);
      const len = read(1 + offBytes, lenBytes);
      if (rootAddr === undefined) throw new FormatParseError('hdf5.fractal-heap', 'heap has no root block', addr);
      const at = rootRows === 0 ? rootAddr + off : await locate(rootAddr, rootRows, off, 0);
      if (len > MAX_OBJECT) throw new AnalysisLimitError('hdf5.limit.object', 'heap object is too large', addr);
      return (await f.win.bytes(at, len, 'heap object')).slice();
    },
  };
}
