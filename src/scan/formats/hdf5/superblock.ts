/** HDF5 superblock, versions 0–3: field sizes, base address and the root group's object header. */
import { FormatParseError } from '../common/errors.ts';
import { SourceWindow } from '../common/source-window.ts';
import type { ByteSource } from '../../types.ts';
import { H5File } from './file.ts';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Superblock {
  readonly file: H5File;
  readonly version: number;
  readonly root: number;
}

export async function readSuperblock(source: ByteSource): Promise<Superblock> {
  // Metadata is scattered between datasets: small windows keep the bytes read close to what is needed.
  const win = new SourceWindow(source, 'hdf5', 8192);
  await win.ensure(0, Math.min(source.size, 128), 'superblock');
  for (let i = 0; i < 8; i++) {
    if (win.u8(i) !== HDF5_SIGNATURE[i]) throw new FormatParseError('hdf5.signature', 'no HDF5 signature at offset 0', 0);
  }
  if (source.size < 16) throw new FormatParseError('hdf5.truncated', 'file ends inside the superblock', 0);
  const version = win.u8(8);
  let offsetSize: number;
  let lengthSize: number;
  let p: number;
  if (version === 0 || version === 1) {
    offsetSize = win.u8(13);
    lengthSize = win.u8(14);
    p = version === 0 ? 24 : 28;
  } else if (version === 2 || version === 3) {
    offsetSize = win.u8(9);
    lengthSize = win.u8(10);
    p = 12;
  } else {
    throw new FormatParseError('hdf5.superblock.version', `unsupported superblock version ${version}`, 8);
  }
  for (const [what, v] of [['offsets', offsetSize], ['lengths', lengthSize]] as const) {
    if (v !== 2 && v !== 4 && v !== 8) throw new FormatParseError('hdf5.superblock.sizes', `size of ${what} ${v} is not 2, 4 or 8`, 8);
  }
  await win.ensure(p, Math.min(source.size - p, 4 * offsetSize + 40), 'superblock');
  const raw = new H5File(win, offsetSize, lengthSize, 0);
  const base = raw.addr(p) ?? 0;
  const file = new H5File(win, offsetSize, lengthSize, base);
  let root: number | undefined;
  if (version <= 1) {
    // base, free-space info, end of file, driver info, then the root symbol table entry
    // (link name offset, object header address, …).
    root = file.addr(p + 4 * offsetSize + offsetSize);
  } else {
    // base, superblock extension, end of file, root group object header.
    root = file.addr(p + 3 * offsetSize);
  }
  if (root === undefined || root >= source.size) {
    throw new FormatParseError('hdf5.superblock.root', `root group address ${String(root)} is outside the file`, p);
  }
  return { file, version, root };
}
