/**
 * The bytes of an attribute's value when it is text or raw bytes: fixed-length strings,
 * variable-length strings and byte sequences (via the global heap), opaque data and 1-byte
 * integer arrays. Other types (numbers, compounds …) are not needed by the analysis.
 */
import type { H5File } from './file.ts';
import { globalHeapObject } from './global-heap.ts';
import type { Attribute } from './messages.ts';
import { DT } from './messages.ts';

/**
 * One byte string per element, or undefined when the type is not text/bytes. `f` holds the
 * attribute message (the file, or a heap object for dense storage); `file` is the HDF5 file
 * itself, where global heap collections live.
 */
export async function attributeBytes(f: H5File, file: H5File, a: Attribute, max: number): Promise<Uint8Array[] | undefined> {
  const t = a.type;
  const count = Math.min(a.count, 4096);
  const textual = t.cls === DT.STRING || t.cls === DT.OPAQUE || (t.cls === DT.FIXED && t.size === 1);
  if (textual) {
    if (t.cls === DT.FIXED) {
      return a.valueSize > max ? undefined : [(await f.win.bytes(a.valuePos, a.valueSize, 'attribute value')).slice()];
    }
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = a.valuePos + i * t.size;
      if (at + t.size > a.valuePos + a.valueSize || t.size > max) break;
      const b = await f.win.bytes(at, t.size, 'attribute value');
      const nul = t.cls === DT.STRING ? b.indexOf(0) : -1;
      out.push((nul >= 0 ? b.subarray(0, nul) : b).slice());
    }
    return out;
  }
  const vlenBytes = t.cls === DT.VLEN && (t.vlenKind === 1 || (t.base !== undefined && t.base.size === 1 && (t.base.cls === DT.FIXED || t.base.cls === DT.OPAQUE)));
  if (!vlenBytes) return undefined;
  const ref = 4 + f.offsetSize + 4;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = a.valuePos + i * ref;
    if (at + ref > a.valuePos + a.valueSize) break;
    await f.at(at, ref, 'variable-length reference');
    const len = f.win.u32(at);
    const coll = f.addr(at + 4);
    const index = f.win.u32(at + 4 + f.offsetSize);
    const collection = coll === undefined ? undefined : coll - f.base + file.base;
    if (collection === undefined || len === 0) {
      out.push(new Uint8Array(0));
      continue;
    }
    const obj = await globalHeapObject(file, collection, index, max);
    out.push(obj.subarray(0, Math.min(len * (t.vlenKind === 1 ? 1 : (t.base?.size ?? 1)), obj.length)));
  }
  return out;
}
