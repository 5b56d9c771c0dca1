/**
 * Copies Airlock keeps of upstream bytes (a cached document, a verified tarball) read back from
 * the blob store. The store checks a whole read against the address and removes a corrupt blob;
 * a copy that is missing, corrupt or not the size its record says is `StoredCopyGone`, and the
 * caller fetches (and verifies) it afresh: nothing corrupt is served or judged.
 */
import { AirlockError, isAirlockError, type Sha256Digest } from '../../core/index.ts';
import { BlobCorruptError, type BlobStore } from '../../storage/ports/index.ts';
import type { SourceLogger } from './document-source.ts';

export class StoredCopyGone extends AirlockError {
  constructor(message: string) {
    super('STORAGE_ERROR', message);
  }
}

/** `label` names the copy in messages: `the cached document packument:x`, `the stored tarball sha256:…`. */
export function logCorrupt(label: string, why: string, log: SourceLogger | undefined): void {
  log?.warn({ copy: label, why }, 'a stored copy was corrupt; removed, to be fetched again');
}

/** A copy found corrupt and removed: logged, and the error to throw. */
export function copyGone(label: string, why: string, log: SourceLogger | undefined): StoredCopyGone {
  logCorrupt(label, why, log);
  return new StoredCopyGone(`${label} was corrupt (${why}); it is removed and will be fetched again`);
}

export function copyMissing(label: string): StoredCopyGone {
  return new StoredCopyGone(`${label} is missing from the blob store; it will be fetched again`);
}

export const NO_MATCH = 'its bytes no longer match their digest';

/**
 * The whole copy (its record's blob and size) in one buffer. One larger than recorded cannot be
 * that content any more: it is removed too.
 */
export async function readStoredCopy(blobs: BlobStore, blob: Sha256Digest, size: number, label: string, log: SourceLogger | undefined): Promise<Buffer> {
  let bytes: Buffer | null;
  try {
    bytes = await blobs.read(blob, { maxBytes: size });
  } catch (err) {
    if (err instanceof BlobCorruptError) throw copyGone(label, NO_MATCH, log);
    if (!isAirlockError(err, 'LIMIT_EXCEEDED')) throw err;
    await blobs.delete(blob);
    throw copyGone(label, 'it is larger than recorded', log);
  }
  if (bytes === null) throw copyMissing(label);
  return bytes;
}
