/**
 * Builds real npm tarballs in tests: a gzip'd ustar archive with `package/…` entries (pax
 * headers for long paths), and the `integrity`/`shasum` a registry would publish for it.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface TarFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  readonly mode?: number;
  readonly type?: 'file' | 'symlink' | 'directory' | 'hardlink';
  readonly linkTarget?: string;
  /**
   * A header written the way real clients read differently (tests of hostile archives). The
   * path of such an entry is taken as given, without `package/` put in front.
   */
  readonly raw?: RawHeader;
}

/** Changes to an entry's header, each a form some tar readers read one way and some another. */
export interface RawHeader {
  /** The type flag, e.g. `x` (pax), `g` (global pax), `L` (GNU long name), `X`, `N`, `V`. */
  readonly typeflag?: string;
  /** `v7`: no magic; `gnu`: GNU's `ustar  \0`; default POSIX `ustar\0` `00`. */
  readonly magic?: 'ustar' | 'gnu' | 'v7';
  /** The ustar prefix field, written whatever the magic. */
  readonly prefix?: string;
  /** The 12 bytes of the size field, instead of the data's size in octal. */
  readonly sizeField?: Uint8Array;
  /** The size the header claims, instead of the data's. */
  readonly claimedSize?: number;
  /** The checksum as a signed sum of the bytes, as some old archivers wrote it. */
  readonly signedChecksum?: boolean;
  /** The checksum in eight octal digits with nothing after them, or in GNU base-256. */
  readonly checksumField?: 'eight-digits' | 'base-256';
  /** Leave the name field empty (the path then comes from a pax header before it). */
  readonly emptyName?: boolean;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(path: string, size: number, typeflag: string, mode: number, linkTarget = '', raw: RawHeader = {}): Buffer {
  const h = Buffer.alloc(512);
  if (raw.emptyName !== true) h.write(path, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  if (raw.sizeField === undefined) h.write(octal(raw.claimedSize ?? size, 12), 124, 'ascii');
  else h.set(raw.sizeField.subarray(0, 12), 124);
  h.write(octal(499162500, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(raw.typeflag ?? typeflag, 156, 'latin1');
  h.write(linkTarget, 157, 100, 'utf8');
  if (raw.magic === 'gnu') h.write('ustar  \0', 257, 'ascii');
  else if (raw.magic !== 'v7') h.write('ustar\0' + '00', 257, 'ascii');
  if (raw.prefix !== undefined) h.write(raw.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += raw.signedChecksum === true && b > 127 ? b - 256 : b;
  if (raw.checksumField === 'eight-digits') h.write(sum.toString(8).padStart(8, '0'), 148, 'ascii');
  else if (raw.checksumField === 'base-256') h.set([0x80, 0, 0, 0, 0, 0, sum >> 8, sum & 0xff], 148);
  else h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(len: number): Buffer {
  return Buffer.alloc((512 - (len % 512)) % 512);
}

/** One pax record, `<length> <key>=<value>\n`, its length in bytes counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let len = bytes + 1;
  while (String(len).length + bytes !== len) len = String(len).length + bytes;
  return `${len}${body}`;
}

/**
 * An uncompressed tar archive of the files, in order. `strayZeroBlockAfter` writes one zero block
 * after that many entries: a lone zero block is not the end of the archive (that takes two), and
 * node-tar, which npm extracts with, reads on past it.
 */
export function tar(files: readonly TarFile[], options: { readonly strayZeroBlockAfter?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [i, f] of files.entries()) {
    if (i === options.strayZeroBlockAfter) parts.push(Buffer.alloc(512));
    const flag = f.type === 'symlink' ? '2' : f.type === 'hardlink' ? '1' : f.type === 'directory' ? '5' : '0';
    const data = flag === '0' || f.raw !== undefined ? Buffer.from(f.content) : Buffer.alloc(0);
    let name = f.path;
    if (Buffer.byteLength(f.path) > 99) {
      const pax = Buffer.from(paxRecord('path', f.path));
      parts.push(header('PaxHeader/long', pax.length, 'x', 0o644), pax, pad(pax.length));
      name = f.path.slice(0, 99);
    }
    parts.push(header(name, data.length, flag, f.mode ?? 0o644, f.linkTarget ?? '', f.raw), data, pad(data.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface BuiltTarball {
  readonly bytes: Buffer;
  /** `sha512-<base64>` */
  readonly integrity: string;
  /** sha1 hex */
  readonly shasum: string;
  readonly fileCount: number;
  readonly unpackedSize: number;
}

export function digestsOf(bytes: Uint8Array): { integrity: string; shasum: string } {
  return {
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  };
}

/**
 * Unusual archive layouts npm still extracts: `strayZeroBlockAfter` (see `tar`), and `afterEnd`,
 * files in a second archive after the first one's end-of-archive marker, which node-tar ignores
 * and tar-stream (yarn 1) reads on into.
 */
export interface TarballLayout {
  readonly strayZeroBlockAfter?: number;
  readonly afterEnd?: readonly TarFile[];
}

/** Under `package/` unless already there; an entry with a raw header is written exactly as given. */
const inPackage = (f: TarFile): TarFile => (f.raw !== undefined || f.path.startsWith('package/') ? f : { ...f, path: `package/${f.path}` });

/** A package tarball: `package/package.json` from the manifest plus extra files. */
export function packageTarball(manifest: Readonly<Record<string, unknown>>, extra: readonly TarFile[] = [], layout: TarballLayout = {}): BuiltTarball {
  const files: TarFile[] = [
    { path: 'package/package.json', content: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: 'package/index.js', content: `module.exports = ${JSON.stringify(`${String(manifest['name'])}@${String(manifest['version'])}`)};\n` },
    ...extra.map(inPackage),
  ];
  const archive = tar(files, layout);
  const bytes = gzipSync(layout.afterEnd === undefined ? archive : Buffer.concat([archive, tar(layout.afterEnd.map(inPackage))]), { level: 6 });
  const regular = files.filter((f) => (f.type ?? 'file') === 'file');
  return {
    bytes,
    ...digestsOf(bytes),
    fileCount: regular.length,
    unpackedSize: regular.reduce((n, f) => n + Buffer.byteLength(f.content), 0),
  };
}
