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
  readonly type?: 'file' | 'symlink' | 'directory';
  readonly linkTarget?: string;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(path: string, size: number, typeflag: string, mode: number, linkTarget = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(path, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(499162500, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(linkTarget, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(len: number): Buffer {
  return Buffer.alloc((512 - (len % 512)) % 512);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
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
    const data = f.type === 'symlink' || f.type === 'directory' ? Buffer.alloc(0) : Buffer.from(f.content);
    const flag = f.type === 'symlink' ? '2' : f.type === 'directory' ? '5' : '0';
    let name = f.path;
    if (Buffer.byteLength(f.path) > 99) {
      const pax = Buffer.from(paxRecord('path', f.path));
      parts.push(header('PaxHeader/long', pax.length, 'x', 0o644), pax, pad(pax.length));
      name = f.path.slice(0, 99);
    }
    parts.push(header(name, data.length, flag, f.mode ?? 0o644, f.linkTarget ?? ''), data, pad(data.length));
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

const inPackage = (f: TarFile): TarFile => ({ ...f, path: f.path.startsWith('package/') ? f.path : `package/${f.path}` });

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
