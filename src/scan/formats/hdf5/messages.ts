/**
 * Decoding of the HDF5 header messages the scanner needs: datatype (class and element size),
 * dataspace (element count), attribute (name, type, space, value bytes), link (name, hard/soft/
 * external target), link info and attribute info (dense storage addresses), symbol table.
 */
import { FormatParseError } from '../common/errors.ts';
import type { H5File } from './file.ts';
import type { RawMessage } from './object-header.ts';

export const DT = { FIXED: 0, FLOAT: 1, TIME: 2, STRING: 3, BITFIELD: 4, OPAQUE: 5, COMPOUND: 6, REFERENCE: 7, ENUM: 8, VLEN: 9, ARRAY: 10 } as const;

export interface Datatype {
  readonly cls: number;
  readonly size: number;
  /** Variable-length: 1 = string, 0 = sequence. */
  readonly vlenKind?: number;
  /** Variable-length sequences: the base type. */
  readonly base?: Datatype;
}

/** Parses the datatype at `pos` (window must hold `max` bytes). */
export function parseDatatype(f: H5File, pos: number, max: number, depth = 0): Datatype {
  if (max < 8) throw new FormatParseError('hdf5.datatype', `datatype at ${pos} is truncated`, pos);
  const b0 = f.win.u8(pos);
  const cls = b0 & 0x0f;
  const bits = f.win.u8(pos + 1) | (f.win.u8(pos + 2) << 8);
  const size = f.win.u32(pos + 4);
  if (cls > 10) throw new FormatParseError('hdf5.datatype', `unknown datatype class ${cls} at ${pos}`, pos);
  if (cls === DT.VLEN) {
    const base = depth < 8 && max > 8 ? parseDatatype(f, pos + 8, max - 8, depth + 1) : undefined;
    return base === undefined ? { cls, size, vlenKind: bits & 0x0f } : { cls, size, vlenKind: bits & 0x0f, base };
  }
  return { cls, size };
}

/** Element count of the dataspace at `pos`: 1 for scalar, 0 for null, the product of dims otherwise. */
export function parseDataspace(f: H5File, pos: number, max: number): number {
  if (max < 4) throw new FormatParseError('hdf5.dataspace', `dataspace at ${pos} is truncated`, pos);
  const version = f.win.u8(pos);
  const rank = f.win.u8(pos + 1);
  let dimsAt: number;
  if (version === 1) {
    dimsAt = pos + 8;
  } else if (version === 2) {
    const type = f.win.u8(pos + 3);
    if (type === 0) return 1;
    if (type === 2) return 0;
    dimsAt = pos + 4;
  } else {
    throw new FormatParseError('hdf5.dataspace', `unknown dataspace version ${version} at ${pos}`, pos);
  }
  if (rank === 0) return 1;
  if (dimsAt + rank * f.lengthSize > pos + max) throw new FormatParseError('hdf5.dataspace', `dataspace at ${pos} is truncated`, pos);
  let n = 1;
  for (let i = 0; i < rank; i++) {
    n *= f.len(dimsAt + i * f.lengthSize);
    if (!Number.isSafeInteger(n)) throw new FormatParseError('hdf5.dataspace', `dataspace at ${pos} is too large`, pos);
  }
  return n;
}

export interface Attribute {
  readonly name: string;
  readonly type: Datatype;
  readonly count: number;
  /** Offset and size of the raw value bytes. */
  readonly valuePos: number;
  readonly valueSize: number;
  /** Datatype or dataspace stored as a shared message (not decoded). */
  readonly shared: boolean;
}

const UTF8 = new TextDecoder('utf-8');

/** Decodes an attribute message at `pos` (window must hold `size` bytes). */
export function parseAttribute(f: H5File, pos: number, size: number): Attribute {
  const end = pos + size;
  const version = f.win.u8(pos);
  const flags = f.win.u8(pos + 1);
  const nameSize = f.win.u16(pos + 2);
  const typeSize = f.win.u16(pos + 4);
  const spaceSize = f.win.u16(pos + 6);
  const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  let p: number;
  if (version === 1 || version === 2) p = pos + 8;
  else if (version === 3) p = pos + 9;
  else throw new FormatParseError('hdf5.attribute', `unknown attribute message version ${version} at ${pos}`, pos);
  if (p + pad(nameSize) + pad(typeSize) + pad(spaceSize) > end) throw new FormatParseError('hdf5.attribute', `attribute at ${pos} is truncated`, pos);
  const nameBytes = f.win.slice(p, nameSize);
  const nul = nameBytes.indexOf(0);
  const name = UTF8.decode(nul >= 0 ? nameBytes.subarray(0, nul) : nameBytes);
  p += pad(nameSize);
  const shared = version >= 2 && (flags & 0x03) !== 0;
  const type = shared ? { cls: -1, size: 0 } : parseDatatype(f, p, typeSize);
  p += pad(typeSize);
  const count = shared ? 0 : parseDataspace(f, p, spaceSize);
  p += pad(spaceSize);
  const valueSize = Math.min(end - p, Math.max(0, count * type.size));
  return { name, type, count, valuePos: p, valueSize, shared };
}

export type LinkTarget = { readonly kind: 'hard'; readonly addr: number } | { readonly kind: 'soft'; readonly path: string } | { readonly kind: 'external'; readonly file: string; readonly path: string } | { readonly kind: 'other'; readonly type: number };

export interface Link {
  readonly name: string;
  readonly target: LinkTarget;
}

/** Link message (also the payload of dense-storage link records). */
export function parseLink(f: H5File, pos: number, size: number): Link {
  const end = pos + size;
  const flags = f.win.u8(pos + 1);
  let p = pos + 2;
  let type = 0;
  if ((flags & 0x08) !== 0) type = f.win.u8(p++);
  if ((flags & 0x04) !== 0) p += 8;
  if ((flags & 0x10) !== 0) p++;
  const lenBytes = 1 << (flags & 0x03);
  const nameLen = f.uint(p, lenBytes) ?? 0;
  p += lenBytes;
  if (p + nameLen > end) throw new FormatParseError('hdf5.link', `link at ${pos} is truncated`, pos);
  const name = UTF8.decode(f.win.slice(p, nameLen));
  p += nameLen;
  if (type === 0) {
    const addr = f.addr(p);
    if (addr === undefined) throw new FormatParseError('hdf5.link', `hard link ${JSON.stringify(name)} has no address`, pos);
    return { name, target: { kind: 'hard', addr } };
  }
  if (type === 1 || type === 64) {
    const len = f.win.u16(p);
    const body = f.win.slice(p + 2, Math.min(len, end - p - 2));
    if (type === 1) return { name, target: { kind: 'soft', path: UTF8.decode(body) } };
    const parts = UTF8.decode(body.subarray(1)).split('\0');
    return { name, target: { kind: 'external', file: parts[0] ?? '', path: parts[1] ?? '' } };
  }
  return { name, target: { kind: 'other', type } };
}

export interface DenseStorage {
  readonly heap: number | undefined;
  readonly nameIndex: number | undefined;
}

/** Link info (0x02) and attribute info (0x15) share this layout. */
export function parseDenseInfo(f: H5File, m: RawMessage): DenseStorage {
  const flags = f.win.u8(m.pos + 1);
  const p = m.pos + 2 + ((flags & 0x01) !== 0 ? (m.type === 0x02 ? 8 : 2) : 0);
  return { heap: f.addr(p), nameIndex: f.addr(p + f.offsetSize) };
}

export interface SymbolTable {
  readonly btree: number;
  readonly heap: number;
}

export function parseSymbolTable(f: H5File, m: RawMessage): SymbolTable {
  const btree = f.addr(m.pos);
  const heap = f.addr(m.pos + f.offsetSize);
  if (btree === undefined || heap === undefined) throw new FormatParseError('hdf5.symbol-table', `symbol table message at ${m.pos} has undefined addresses`, m.pos);
  return { btree, heap };
}
