/**
 * A minimal zip writer for tests (stored and deflated entries, optional zip64 records, and knobs
 * to produce the malformed archives the reader must refuse). Test tooling, not product code.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface TestZipEntry {
  readonly name: string;
  readonly data: Uint8Array | string;
  readonly method?: 0 | 8;
  /** Lie about the CRC / the uncompressed size / set the encryption flag. */
  readonly badCrc?: boolean;
  readonly declaredSize?: number;
  readonly encrypted?: boolean;
  readonly methodOverride?: number;
}

export interface TestZipOptions {
  readonly zip64?: boolean;
  /** Point every central-directory entry at the first local header (overlapping entries). */
  readonly overlap?: boolean;
  readonly trailing?: Uint8Array;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function makeZip(entries: readonly TestZipEntry[], options: TestZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const firstOffset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : Buffer.from(e.data);
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = (e.badCrc === true ? crc32(data) ^ 1 : crc32(data)) >>> 0;
    const size = e.declaredSize ?? data.length;
    const name = Buffer.from(e.name, 'utf8');
    const flags = 0x0800 | (e.encrypted === true ? 1 : 0);
    const m = e.methodOverride ?? method;
    const local = Buffer.concat([u32(0x04034b50), u16(20), u16(flags), u16(m), u16(0), u16(0), u32(crc), u32(body.length), u32(size), u16(name.length), u16(0), name, body]);
    const at = options.overlap === true ? firstOffset : offset;
    const zip64 = options.zip64 === true;
    const extra = zip64 ? Buffer.concat([u16(0x0001), u16(24), u64(size), u64(body.length), u64(at)]) : Buffer.alloc(0);
    central.push(
      Buffer.concat([
        u32(0x02014b50), u16(45), u16(45), u16(flags), u16(m), u16(0), u16(0), u32(crc),
        u32(zip64 ? 0xffffffff : body.length), u32(zip64 ? 0xffffffff : size), u16(name.length), u16(extra.length), u16(0),
        u16(0), u16(0), u32(0), u32(zip64 ? 0xffffffff : at), name, extra,
      ]),
    );
    locals.push(local);
    offset += local.length;
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  const parts: Buffer[] = [...locals, cd];
  if (options.zip64 === true) {
    const recAt = cdOffset + cd.length;
    parts.push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(entries.length), u64(entries.length), u64(cd.length), u64(cdOffset)]));
    parts.push(Buffer.concat([u32(0x07064b50), u32(0), u64(recAt), u32(1)]));
    parts.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0)]));
  } else {
    parts.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(cd.length), u32(cdOffset), u16(0)]));
  }
  if (options.trailing !== undefined) parts.push(Buffer.from(options.trailing));
  return Buffer.concat(parts);
}

export function memorySource(bytes: Uint8Array): { size: number; read(position: number, length: number): Promise<Uint8Array> } {
  return {
    size: bytes.length,
    async read(position, length) {
      if (position < 0 || position + length > bytes.length) throw new Error('read outside the buffer');
      return bytes.subarray(position, position + length);
    },
  };
}
