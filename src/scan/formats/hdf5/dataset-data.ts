/**
 * Element bytes of variable-length byte datasets — the storage PyTables (and so pandas
 * `to_hdf`) uses for Python objects (`ObjectAtom`, `PSEUDOATOM='object'`): each element is a
 * pickle that is unpickled on read. Supports the layouts h5py and PyTables write for them:
 * compact, contiguous, and chunked with a version-1 B-tree and no filters. Anything else (filtered
 * chunks, newer chunk indexes) is reported as not readable by the caller.
 */
import { AnalysisLimitError, FormatParseError } from '../common/errors.ts';
import type { H5File } from './file.ts';
import { globalHeapObject } from './global-heap.ts';
import type { Datatype } from './messages.ts';
import type { RawMessage } from './object-header.ts';

export type Layout =
  | { readonly kind: 'compact'; readonly pos: number; readonly size: number }
  | { readonly kind: 'contiguous'; readonly addr: number | undefined; readonly size: number }
  | { readonly kind: 'chunked-btree1'; readonly btree: number | undefined; readonly rank: number }
  | { readonly kind: 'unsupported'; readonly why: string };

export function parseLayout(f: H5File, m: RawMessage): Layout {
  const version = f.win.u8(m.pos);
  if (version !== 3 && version !== 4) return { kind: 'unsupported', why: `data layout version ${version}` };
  const cls = f.win.u8(m.pos + 1);
  if (cls === 0) return { kind: 'compact', pos: m.pos + 4, size: f.win.u16(m.pos + 2) };
  if (cls === 1) return { kind: 'contiguous', addr: f.addr(m.pos + 2), size: f.len(m.pos + 2 + f.offsetSize) };
  if (cls === 2 && version === 3) return { kind: 'chunked-btree1', rank: f.win.u8(m.pos + 2), btree: f.addr(m.pos + 3) };
  return { kind: 'unsupported', why: version === 4 ? 'version-4 chunk index' : `layout class ${cls}` };
}

/** Is this a variable-length sequence of single bytes (what holds pickles)? */
export function isVlenBytes(t: Datatype): boolean {
  return t.cls === 9 && t.vlenKind === 0 && t.base !== undefined && t.base.size === 1;
}

interface Budget {
  elements: number;
  bytes: number;
  nodes: number;
}

/** Calls `visit` with each element's bytes, in storage order, within the budget. */
export async function readVlenElements(f: H5File, layout: Layout, count: number, budget: Budget, visit: (bytes: Uint8Array, index: number) => Promise<void>): Promise<void> {
  const ref = 4 + f.offsetSize + 4;
  let index = 0;
  const fromRange = async (start: number, size: number): Promise<void> => {
    for (let p = start; p + ref <= start + size && index < count; p += ref) {
      if (--budget.elements < 0) throw new AnalysisLimitError('hdf5.limit.elements', 'too many object elements to read', p);
      await f.at(p, ref, 'variable-length element');
      const len = f.win.u32(p);
      const coll = f.addr(p + 4);
      const obj = f.win.u32(p + 4 + f.offsetSize);
      const i = index++;
      if (coll === undefined || len === 0) continue;
      budget.bytes -= len;
      if (budget.bytes < 0) throw new AnalysisLimitError('hdf5.limit.bytes', 'object elements exceed the byte limit', p);
      const bytes = await globalHeapObject(f, coll, obj, len);
      await visit(bytes.subarray(0, len), i);
    }
  };
  switch (layout.kind) {
    case 'compact':
      return fromRange(layout.pos, layout.size);
    case 'contiguous':
      if (layout.addr === undefined) return undefined;
      if (layout.addr + layout.size > f.win.size) throw new FormatParseError('hdf5.layout', 'contiguous data runs past the end of the file', layout.addr);
      return fromRange(layout.addr, layout.size);
    case 'chunked-btree1': {
      if (layout.btree === undefined) return undefined;
      for (const [addr, size] of await chunkAddresses(f, layout.btree, layout.rank, budget)) await fromRange(addr, size);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Leaf chunks of a version-1 B-tree of type 1 (raw data chunks): address and stored size. */
async function chunkAddresses(f: H5File, root: number, rank: number, budget: Budget): Promise<Array<[number, number]>> {
  const out: Array<[number, number]> = [];
  const keySize = 8 + 8 * rank;
  const seen = new Set<number>();
  const walk = async (addr: number, depth: number): Promise<void> => {
    if (seen.has(addr) || depth > 64) throw new FormatParseError('hdf5.btree', `chunk B-tree node at ${addr} is reached twice or too deep`, addr);
    seen.add(addr);
    if (--budget.nodes < 0) throw new AnalysisLimitError('hdf5.limit.objects', 'too many chunk B-tree nodes', addr);
    await f.signature(addr, 'TREE', 'chunk B-tree node');
    const header = 8 + 2 * f.offsetSize;
    await f.at(addr, header, 'chunk B-tree node');
    const type = f.win.u8(addr + 4);
    const level = f.win.u8(addr + 5);
    const used = f.win.u16(addr + 6);
    if (type !== 1) throw new FormatParseError('hdf5.btree', `chunk B-tree node at ${addr} has type ${type}`, addr);
    const body = addr + header;
    await f.at(body, used * (keySize + f.offsetSize) + keySize, 'chunk B-tree node');
    const entries: Array<[number, number]> = [];
    for (let i = 0; i < used; i++) {
      const k = body + i * (keySize + f.offsetSize);
      const size = f.win.u32(k);
      const mask = f.win.u32(k + 4);
      const child = f.addr(k + keySize);
      if (child === undefined) continue;
      if (level === 0 && mask !== 0) throw new AnalysisLimitError('hdf5.chunk.filtered', 'filtered chunk data is not decoded', k);
      entries.push([child, size]);
    }
    for (const [child, size] of entries) {
      if (level > 0) await walk(child, depth + 1);
      else out.push([child, size]);
    }
  };
  await walk(root, 0);
  return out;
}
