/**
 * Test support: archives written by the system's GNU tar in a given format, and the blocks of
 * such an archive, so the header decoding is tested against real bytes rather than our own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { paxRecord } from './npm-registry/tarball.ts';

export interface RealTarFile {
  readonly path: string;
  readonly content?: string;
  /** A symbolic link to this target instead of a file. */
  readonly link?: string;
}

/** The uncompressed archive `tar --format=<format>` writes for these files, in this order. */
export function realTar(format: 'gnu' | 'pax' | 'ustar' | 'v7', files: readonly RealTarFile[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-tar-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      if (f.link !== undefined) symlinkSync(f.link, join(dir, f.path));
      else writeFileSync(join(dir, f.path), f.content ?? '');
    }
    const args = [`--format=${format}`, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--no-recursion', '-cf', '-', '-C', dir, ...files.map((f) => f.path)];
    const r = spawnSync('tar', args, { maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr.toString()}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 512-byte block at `offset`, as a copy (tests change bytes in it). */
export function block(archive: Uint8Array, offset: number): Uint8Array {
  return Uint8Array.from(archive.subarray(offset, offset + 512));
}

/** Writes the POSIX (unsigned) checksum of a changed header into its field. */
export function resum(h: Uint8Array): Uint8Array {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.set(Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'latin1'), 148);
  return h;
}

/** A local pax header (`x`) holding these records, header and padded data, to put before an entry. */
export function paxHeader(records: Readonly<Record<string, string>>): Buffer {
  const text = Object.entries(records).map(([k, v]) => paxRecord(k, v)).join('');
  const archive = realTar('ustar', [{ path: 'PaxHeader', content: text }]);
  const out = Buffer.from(archive.subarray(0, 512 + Math.ceil(Buffer.byteLength(text) / 512) * 512));
  out[156] = 0x78;
  resum(out.subarray(0, 512));
  return out;
}

/** Writes `size` into a header's size field in GNU base-256 form. */
export function base256Size(h: Uint8Array, size: number): Uint8Array {
  h.fill(0, 124, 136);
  h[124] = 0x80;
  for (let i = 135, v = size; i > 124; i--, v = Math.floor(v / 256)) h[i] = v % 256;
  return resum(h);
}

/** Writes `size` into a header's size field in octal (a header that claims other than its data). */
export function octalSize(h: Uint8Array, size: number): Uint8Array {
  h.set(Buffer.from(`${size.toString(8).padStart(11, '0')}\0`, 'latin1'), 124);
  return resum(h);
}
