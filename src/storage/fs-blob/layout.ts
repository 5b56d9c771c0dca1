import { join } from 'node:path';
import { digestHex, parseSha256Digest } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';

/**
 * On-disk layout of the filesystem blob store, all under one data directory (one filesystem,
 * so a staging file can be renamed atomically into place):
 *
 *   <dataDir>/blobs/sha256/<aa>/<64 hex>    committed blobs, content-addressed
 *   <dataDir>/blobs/staging/<owner>/<id>    uploads in progress, one folder per store instance
 */
export interface FsBlobLayout {
  readonly blobsDir: string;
  readonly sha256Dir: string;
  readonly stagingDir: string;
}

export function fsBlobLayout(dataDir: string): FsBlobLayout {
  const blobsDir = join(dataDir, 'blobs');
  return { blobsDir, sha256Dir: join(blobsDir, 'sha256'), stagingDir: join(blobsDir, 'staging') };
}

/** The fan-out directory and file path of a digest. Re-validates the digest (no path games). */
export function blobLocation(layout: FsBlobLayout, digest: Sha256Digest): { readonly dir: string; readonly file: string } {
  const hex = digestHex(parseSha256Digest(digest));
  const dir = join(layout.sha256Dir, hex.slice(0, 2));
  return { dir, file: join(dir, hex) };
}
