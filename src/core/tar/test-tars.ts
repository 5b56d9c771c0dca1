/**
 * Test support: archives written by the system's GNU tar in a given format, and the blocks of
 * such an archive, so the header decoding is tested against real bytes rather than our own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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
