/**
 * Writes PyTorch-layout zip archives (stored members, data aligned to 64 bytes with an "FB"
 * padding extra field, as torch.save does) straight to a file handle. Tensor members are
 * written as holes: the file is sparse, so a multi-GB checkpoint costs no disk and little time.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export interface Member {
  readonly name: string;
  /** Bytes of the member, or the length of an all-zero (sparse) member. */
  readonly data: Uint8Array | number;
}

const ZERO = new Uint8Array(1 << 20);

function zeroCrc(n: number): number {
  let c = 0;
  for (let left = n; left > 0; left -= ZERO.length) c = crc32(ZERO.subarray(0, Math.min(ZERO.length, left)), c);
  return c >>> 0;
}

function le(n: number, width: 2 | 4 | 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return out;
}

export async function writeTorchZip(fh: FileHandle, members: readonly Member[]): Promise<number> {
  const enc = new TextEncoder();
  const central: number[][] = [];
  let pos = 0;
  const crcCache = new Map<number, number>();
  for (const m of members) {
    const name = enc.encode(m.name);
    const size = typeof m.data === 'number' ? m.data : m.data.length;
    let crc: number;
    if (typeof m.data === 'number') {
      crc = crcCache.get(size) ?? zeroCrc(size);
      crcCache.set(size, crc);
    } else crc = crc32(m.data) >>> 0;
    const zip64 = size >= 0xffffffff;
    const z64extra = zip64 ? [0x01, 0x00, 16, 0, ...le(size, 8), ...le(size, 8)] : [];
    const fixed = 30 + name.length + z64extra.length + 4;
    const pad = (64 - ((pos + fixed) % 64)) % 64;
    const extra = [...z64extra, 0x46, 0x42, ...le(pad, 2), ...new Array<number>(pad).fill(0x5a)];
    const sz = zip64 ? 0xffffffff : size;
    const local = [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0x21, ...le(crc, 4), ...le(sz, 4), ...le(sz, 4), ...le(name.length, 2), ...le(extra.length, 2)];
    const header = Uint8Array.from([...local, ...name, ...extra]);
    await fh.write(header, 0, header.length, pos);
    const dataPos = pos + header.length;
    if (typeof m.data !== 'number') await fh.write(m.data, 0, m.data.length, dataPos);
    const cz64 = zip64 || pos >= 0xffffffff;
    const cextra = cz64 ? [0x01, 0x00, 24, 0, ...le(size, 8), ...le(size, 8), ...le(pos, 8)] : [];
    central.push([
      0x50, 0x4b, 0x01, 0x02, 45, 3, 45, 0, 0, 0, 0, 0, 0, 0, 0x21, 0, ...le(crc, 4), ...le(cz64 ? 0xffffffff : size, 4),
      ...le(cz64 ? 0xffffffff : size, 4), ...le(name.length, 2), ...le(cextra.length, 2), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ...le(cz64 ? 0xffffffff : pos, 4), ...name, ...cextra,
    ]);
    pos = dataPos + size;
  }
  const cdStart = pos;
  const cd = Uint8Array.from(central.flat());
  await fh.write(cd, 0, cd.length, pos);
  pos += cd.length;
  const tail = [
    // zip64 end record and locator, then the classic end record
    0x50, 0x4b, 0x06, 0x06, ...le(44, 8), 45, 3, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...le(members.length, 8), ...le(members.length, 8),
    ...le(cd.length, 8), ...le(cdStart, 8),
    0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0, ...le(pos, 8), 1, 0, 0, 0,
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, ...le(Math.min(members.length, 0xffff), 2), ...le(Math.min(members.length, 0xffff), 2),
    ...le(Math.min(cd.length, 0xffffffff), 4), ...le(Math.min(cdStart, 0xffffffff), 4), 0, 0,
  ];
  const t = Uint8Array.from(tail);
  await fh.write(t, 0, t.length, pos);
  pos += t.length;
  await fh.truncate(pos);
  return pos;
}
