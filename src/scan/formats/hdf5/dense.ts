/**
 * Dense attribute and link storage (HDF5 ≥ 1.8 new-style objects with many attributes/links, or
 * files written with `libver='latest'`/`track_order=True`): the name-index v2 B-tree lists heap
 * IDs, the fractal heap holds the attribute or link messages themselves.
 */
import { AnalysisLimitError } from '../common/errors.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { SourceWindow } from '../common/source-window.ts';
import { btree2Records } from './btree2.ts';
import { H5File } from './file.ts';
import { openFractalHeap } from './fractal-heap.ts';
import type { Attribute, DenseStorage, Link } from './messages.ts';
import { parseAttribute, parseLink } from './messages.ts';

const BT_LINK_NAME = 5;
const BT_ATTRIBUTE_NAME = 8;

async function heapMessages(f: H5File, dense: DenseStorage, budget: { nodes: number }, expected: number): Promise<Array<{ bytes: Uint8Array; offset: number }>> {
  if (dense.heap === undefined || dense.nameIndex === undefined) return [];
  const heap = await openFractalHeap(f, dense.heap, budget);
  const tree = await btree2Records(f, dense.nameIndex, budget);
  if (tree.type !== expected) throw new AnalysisLimitError('hdf5.dense.index', `name index B-tree has record type ${tree.type}, expected ${expected}`, dense.nameIndex);
  const out: Array<{ bytes: Uint8Array; offset: number }> = [];
  for (const rec of tree.records) {
    let id: Uint8Array;
    if (expected === BT_ATTRIBUTE_NAME) {
      if (((rec[8] ?? 0) & 0x01) !== 0) throw new AnalysisLimitError('hdf5.shared-message', 'a densely stored attribute is a shared message; not decoded', dense.heap);
      id = rec.subarray(0, 8);
    } else {
      id = rec.subarray(4, 4 + heap.idLength);
    }
    out.push({ bytes: await heap.object(id), offset: dense.heap });
  }
  return out;
}

/** Parses a message held in memory with a small file view that shares the field sizes. */
function view(f: H5File, bytes: Uint8Array): H5File {
  return new H5File(new SourceWindow(new MemorySource(bytes), 'hdf5'), f.offsetSize, f.lengthSize, f.base);
}

export async function denseAttributes(f: H5File, dense: DenseStorage, budget: { nodes: number }): Promise<Array<{ attribute: Attribute; offset: number; file: H5File }>> {
  const out: Array<{ attribute: Attribute; offset: number; file: H5File }> = [];
  for (const m of await heapMessages(f, dense, budget, BT_ATTRIBUTE_NAME)) {
    const v = view(f, m.bytes);
    await v.at(0, m.bytes.length, 'attribute');
    out.push({ attribute: parseAttribute(v, 0, m.bytes.length), offset: m.offset, file: v });
  }
  return out;
}

export async function denseLinks(f: H5File, dense: DenseStorage, budget: { nodes: number }): Promise<Link[]> {
  const out: Link[] = [];
  for (const m of await heapMessages(f, dense, budget, BT_LINK_NAME)) {
    const v = view(f, m.bytes);
    await v.at(0, m.bytes.length, 'link');
    out.push(parseLink(v, 0, m.bytes.length));
  }
  return out;
}
