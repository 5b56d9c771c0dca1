/**
 * Old-style group membership: the symbol table's version-1 B-tree ("TREE", node type 0) leads
 * to symbol table nodes ("SNOD") whose entries name child objects through the group's local heap
 * ("HEAP"). Bounded by a node budget and a visited set (no cycles).
 */
import { AnalysisLimitError, FormatParseError } from '../common/errors.ts';
import type { H5File } from './file.ts';
import type { SymbolTable } from './messages.ts';

export interface Child {
  readonly name: string;
  readonly addr: number;
}

const UTF8 = new TextDecoder('utf-8');
const MAX_BTREE_DEPTH = 64;

export async function symbolTableChildren(f: H5File, st: SymbolTable, budget: { nodes: number }): Promise<Child[]> {
  const heap = await localHeap(f, st.heap);
  const out: Child[] = [];
  const seen = new Set<number>();
  const walk = async (addr: number, depth: number): Promise<void> => {
    if (seen.has(addr)) throw new FormatParseError('hdf5.btree.cycle', `B-tree node at ${addr} is reached twice`, addr);
    seen.add(addr);
    if (depth > MAX_BTREE_DEPTH) throw new AnalysisLimitError('hdf5.limit.btree', 'group B-tree is too deep', addr);
    if (--budget.nodes < 0) throw new AnalysisLimitError('hdf5.limit.objects', 'too many group nodes', addr);
    await f.signature(addr, 'TREE', 'group B-tree node');
    const header = 8 + 2 * f.offsetSize;
    await f.at(addr, header, 'group B-tree node');
    const type = f.win.u8(addr + 4);
    const level = f.win.u8(addr + 5);
    const used = f.win.u16(addr + 6);
    if (type !== 0) throw new FormatParseError('hdf5.btree', `group B-tree node at ${addr} has type ${type}`, addr);
    const entry = f.lengthSize + f.offsetSize;
    const body = addr + header;
    await f.at(body, used * entry + f.lengthSize, 'group B-tree node');
    const children: number[] = [];
    for (let i = 0; i < used; i++) {
      const child = f.addr(body + i * entry + f.lengthSize);
      if (child === undefined) throw new FormatParseError('hdf5.btree', `group B-tree node at ${addr} has an undefined child`, addr);
      children.push(child);
    }
    for (const child of children) {
      if (level > 0) await walk(child, depth + 1);
      else await symbolNode(f, child, heap, out, budget);
    }
  };
  await walk(st.btree, 0);
  return out;
}

async function symbolNode(f: H5File, addr: number, heap: LocalHeap, out: Child[], budget: { nodes: number }): Promise<void> {
  await f.signature(addr, 'SNOD', 'symbol table node');
  await f.at(addr, 8, 'symbol table node');
  const count = f.win.u16(addr + 6);
  const entry = 2 * f.offsetSize + 24;
  await f.at(addr + 8, count * entry, 'symbol table node');
  const entries: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const e = addr + 8 + i * entry;
    const nameOffset = f.uint(e, f.offsetSize) ?? 0;
    const obj = f.addr(e + f.offsetSize);
    if (obj === undefined) continue;
    entries.push([nameOffset, obj]);
  }
  for (const [nameOffset, obj] of entries) {
    if (--budget.nodes < 0) throw new AnalysisLimitError('hdf5.limit.objects', 'too many objects', addr);
    out.push({ name: await heap.name(nameOffset), addr: obj });
  }
}

interface LocalHeap {
  name(offset: number): Promise<string>;
}

async function localHeap(f: H5File, addr: number): Promise<LocalHeap> {
  await f.signature(addr, 'HEAP', 'local heap');
  await f.at(addr, 8 + 2 * f.lengthSize + f.offsetSize, 'local heap');
  const size = f.len(addr + 8);
  const data = f.addr(addr + 8 + 2 * f.lengthSize);
  if (data === undefined || data + size > f.win.size) throw new FormatParseError('hdf5.local-heap', `local heap at ${addr} points outside the file`, addr);
  return {
    async name(offset: number): Promise<string> {
      if (offset >= size) throw new FormatParseError('hdf5.local-heap', `name offset ${offset} is outside the local heap at ${addr}`, addr);
      const n = Math.min(size - offset, 65536);
      const bytes = await f.win.bytes(data + offset, n, 'local heap name');
      const nul = bytes.indexOf(0);
      return UTF8.decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
    },
  };
}
