/**
 * Every entry of an npm tarball as npm would extract it (a stream: gzip → tar), never extracting
 * anything: package-relative path, size and the sha256 of the content (of the target, for a
 * link), for a reviewer's comparison of two versions. The last entry of a path wins, as on
 * extraction; entries npm writes nowhere in the package folder are left out. Bounded like the
 * inspection (entries, total size, extended headers), to `MAX_LISTED_FILES` files and to
 * `MAX_LISTED_PATH` characters a path.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AirlockError, digestHex, sha256Of } from '../../core/index.ts';
import type { VersionFile } from '../../gate/index.ts';
import type { TarEntry, TarVisitor } from './tar-reader.ts';
import { DEFAULT_INSPECT_LIMITS, walkTarball, type InspectLimits } from './tarball-inspect.ts';

/** Files compared per version: a reviewer's diff of more is not a review. */
export const MAX_LISTED_FILES = 20_000;
/** Longer paths (a tar header may carry a megabyte) are listed cut, with a digest of the whole to keep them apart. */
export const MAX_LISTED_PATH = 1024;

function listedPath(path: string): string {
  if (path.length <= MAX_LISTED_PATH) return path;
  return `${path.slice(0, MAX_LISTED_PATH)}…#${digestHex(sha256Of(path)).slice(0, 16)}`;
}

class ListingVisitor implements TarVisitor {
  readonly files = new Map<string, VersionFile>();
  #path: string | null = null;
  #kind: VersionFile['kind'] = 'file';
  #size = 0;
  #hash: Hash | null = null;

  entry(e: TarEntry): void {
    this.#close();
    if (e.at === null || e.type === 'directory') return;
    const path = listedPath(e.at);
    if (!this.files.has(path) && this.files.size >= MAX_LISTED_FILES) {
      throw new AirlockError('LIMIT_EXCEEDED', `the tarball holds more than ${MAX_LISTED_FILES} files; too many to compare`);
    }
    this.#path = path;
    this.#kind = e.type;
    this.#size = e.size;
    this.#hash = createHash('sha256');
    if (e.type !== 'file') this.#hash.update(e.linkTarget ?? '');
  }

  data(chunk: Uint8Array): void {
    if (this.#kind === 'file') this.#hash?.update(chunk);
  }

  end(): void {
    this.#close();
  }

  #close(): void {
    if (this.#path !== null && this.#hash !== null) {
      // Re-inserted: the last entry of a path is the one extracted.
      this.files.delete(this.#path);
      this.files.set(this.#path, { kind: this.#kind, size: this.#size, sha256: this.#hash.digest('hex') });
    }
    this.#path = null;
    this.#hash = null;
  }
}

export async function listTarballFiles(source: AsyncIterable<Uint8Array> | Readable | Buffer, limits: InspectLimits = DEFAULT_INSPECT_LIMITS): Promise<ReadonlyMap<string, VersionFile>> {
  const visitor = new ListingVisitor();
  try {
    await walkTarball(source, visitor, limits);
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    throw new AirlockError('SCAN_ERROR', `the tarball cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return visitor.files;
}
