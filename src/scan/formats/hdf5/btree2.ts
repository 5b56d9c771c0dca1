/**
 * Version-2 B-trees ("BTHD"/"BTIN"/"BTLF"): every record of the tree, in no particular order.
 * Node layouts depend on sizes HDF5 derives from the header (records per node, the width of the
 * child record counts), computed here the way the library does (H5B2hdr.c).
 */
import { AnalysisLimitError, FormatParseError } from '../common/errors.ts';
import type { H5File } from './file.ts';

const PREFIX = 10; // signature, version, type, checksum

function encSize(n: number): number {
  return Math.floor(Math.log2(Math.max(1, n)) / 8) + 1;
}

export interface Btree2 {
  readonly type: number;
  readonly records: Uint8Array[];
}

export async function btree2Records(f: H5File, headerAddr: number, budget: { nodes: number }): Promise<Btree2> {
  await f.signature(headerAddr, 'BTHD', 'B-tree header');
  await f.at(headerAddr, 16 + f.offsetSize + 2 + f.lengthSize, 'B-tree header');
  const type = f.win.u8(headerAddr + 5);
  const nodeSize = f.win.u32(headerAddr + 6);
  const recordSize = f.win.u16(headerAddr + 10);
  const depth = f.win.u16(headerAddr + 12);
  const root = f.addr(headerAddr + 16);
  const rootCount = f.win.u16(headerAddr + 16 + f.offsetSize);
  if (recordSize === 0 || nodeSize <= PREFIX || depth > 32) throw new FormatParseError('hdf5.btree2', `B-tree header at ${headerAddr} is malformed`, headerAddr);
  if (root === undefined) return { type, records: [] };

  // Per-depth node geometry (H5B2__hdr_init).
  const maxLeaf = Math.floor((nodeSize - PREFIX) / recordSize);
  const nrecSize = encSize(maxLeaf);
  const cumMax: number[] = [maxLeaf];
  const cumSize: number[] = [0];
  const pointerSize: number[] = [0];
  for (let u = 1; u <= depth; u++) {
    const ps = f.offsetSize + nrecSize + (u > 1 ? (cumSize[u - 1] ?? 0) : 0);
    pointerSize.push(ps);
    const maxInt = Math.floor((nodeSize - PREFIX - ps) / (recordSize + ps));
    const cum = (maxInt + 1) * (cumMax[u - 1] ?? 0) + maxInt;
    cumMax.push(cum);
    cumSize.push(encSize(cum));
  }

  const out: Uint8Array[] = [];
  const visit = async (addr: number, count: number, level: number): Promise<void> => {
    if (--budget.nodes < 0) throw new AnalysisLimitError('hdf5.limit.objects', 'too many B-tree nodes', addr);
    await f.signature(addr, level === 0 ? 'BTLF' : 'BTIN', 'B-tree node');
    await f.at(addr, Math.min(nodeSize, f.win.size - addr), 'B-tree node');
    const recs = addr + 6;
    if (count * recordSize > nodeSize - PREFIX) throw new FormatParseError('hdf5.btree2', `B-tree node at ${addr} claims ${count} records`, addr);
    for (let i = 0; i < count; i++) out.push(f.win.slice(recs + i * recordSize, recordSize).slice());
    if (level === 0) return;
    const ps = pointerSize[level] ?? 0;
    const children: Array<[number, number]> = [];
    let p = recs + count * recordSize;
    for (let i = 0; i <= count; i++) {
      const child = f.addr(p);
      const n = f.uint(p + f.offsetSize, nrecSize) ?? 0;
      if (child !== undefined) children.push([child, n]);
      p += ps;
    }
    for (const [child, n] of children) await visit(child, n, level - 1);
  };
  await visit(root, rootCount, depth);
  return { type, records: out };
}
