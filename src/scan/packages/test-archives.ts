/**
 * Test support: tiny writers of real archives — ZIP (stored or deflated members, CRC-32, central
 * directory) and ustar (pax and GNU long-name headers, links), gzip'd or not. Headers can be
 * made to lie (flags, declared sizes) to build hostile samples.
 */
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

export interface ZipInput {
  readonly name: string;
  readonly data?: string | Uint8Array;
  readonly method?: 'store' | 'deflate';
  /** General-purpose flag bits to add (1 = encrypted). */
  readonly flags?: number;
  /** Uncompressed size written in both headers instead of the real one. */
  readonly declaredSize?: number;
  /** CRC written in both headers instead of the real one. */
  readonly declaredCrc?: number;
}

const bytesOf = (d: string | Uint8Array | undefined): Buffer => (typeof d === 'string' ? Buffer.from(d, 'utf8') : Buffer.from(d ?? new Uint8Array(0)));

export function buildZip(members: readonly ZipInput[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = bytesOf(m.data);
    const deflate = (m.method ?? 'deflate') === 'deflate';
    const body = deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(m.name, 'utf8');
    const flags = 0x0800 | (m.flags ?? 0);
    const crc = m.declaredCrc ?? crc32(data) >>> 0;
    const usize = m.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(0x031e, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(deflate ? 8 : 0, 10);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(usize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE((m.name.endsWith('/') ? 0o40755 : 0o100644) * 0x10000, 38);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, eocd]);
}

export interface TarInput {
  readonly name: string;
  readonly data?: string | Uint8Array;
  /** Type flag: '0' file (default), '5' directory, '2' symlink, '1' hard link. */
  readonly type?: string;
  readonly linkname?: string;
  /** Records of a pax extended header ('x') written before the entry. */
  readonly pax?: Readonly<Record<string, string>>;
  /** Writes the name in a GNU `././@LongLink` ('L') header before the entry. */
  readonly gnuLongName?: boolean;
}

function header(name: string, size: number, type: string, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  const field = (s: string, at: number, len: number): void => void Buffer.from(s, 'utf8').subarray(0, len).copy(h, at);
  field(name, 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${size.toString(8).padStart(11, '0')}\0`, 124, 12);
  field('14000000000\0', 136, 12);
  field('        ', 148, 8);
  field(type, 156, 1);
  field(linkname, 157, 100);
  field('ustar\0' + '00', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

const pad = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export function buildTar(members: readonly TarInput[], options: { readonly endMarker?: boolean } = {}): Buffer {
  const out: Buffer[] = [];
  const extended = (name: string, type: string, data: Buffer): void => {
    out.push(header(name, data.length, type), data, pad(data.length));
  };
  for (const m of members) {
    const data = bytesOf(m.data);
    if (m.pax !== undefined) {
      extended(`PaxHeaders/${m.name.slice(0, 80)}`, 'x', Buffer.from(Object.entries(m.pax).map(([k, v]) => paxRecord(k, v)).join(''), 'utf8'));
    }
    if (m.gnuLongName === true) extended('././@LongLink', 'L', Buffer.from(`${m.name}\0`, 'utf8'));
    const type = m.type ?? '0';
    const size = type === '0' ? data.length : 0;
    out.push(header(m.name, size, type, m.linkname), type === '0' ? data : Buffer.alloc(0), pad(size));
  }
  if (options.endMarker !== false) out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

export function buildTarGz(members: readonly TarInput[]): Buffer {
  return gzipSync(buildTar(members));
}
