import { parseSha256Digest, type Sha256Digest } from '../../core/index.ts';

/** Blob digests read per page by `blobDigestPages`. */
export const BLOB_PAGE = 500;

/**
 * Every distinct blob digest a table refers to, read in keyset pages (`page(after, limit)`: the
 * digests above `after`, in order, at most `limit`), so no statement stays open while the
 * consumer awaits. Used by the sweep's reference listings.
 */
export async function* blobDigestPages(page: (after: string, limit: number) => Promise<readonly string[]>): AsyncGenerator<Sha256Digest> {
  let after = '';
  for (;;) {
    const blobs = await page(after, BLOB_PAGE);
    for (const blob of blobs) {
      after = blob;
      yield parseSha256Digest(blob);
    }
    if (blobs.length < BLOB_PAGE) return;
  }
}
