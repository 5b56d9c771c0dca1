/**
 * Reads a few named files out of an npm tarball (a stream: gzip → tar), never extracting
 * anything: the gate asks for the files an install hook runs (`node install.js`) so their content
 * can be analysed. Paths are package-relative (`install.js`, `scripts/setup.sh`, without the
 * `package/` prefix npm strips); each file is read up to a byte cap, the last entry of a name
 * wins (as on extraction), and the reading stops early once the archive is done or broken.
 * Bounded like the inspection: entry count, total size and extended headers.
 */
import type { Readable } from 'node:stream';
import type { TarEntry, TarVisitor } from './tar-reader.ts';
import { DEFAULT_INSPECT_LIMITS, walkTarball, type InspectLimits } from './tarball-inspect.ts';

/** At most this many files per request. */
const MAX_FILES = 32;

class FilesVisitor implements TarVisitor {
  readonly files = new Map<string, Buffer>();
  readonly #wanted: ReadonlySet<string>;
  readonly #maxBytes: number;
  #current: string | null = null;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(wanted: ReadonlySet<string>, maxBytes: number) {
    this.#wanted = wanted;
    this.#maxBytes = maxBytes;
  }

  entry(e: TarEntry): void {
    this.#close();
    const rel = e.type === 'file' ? e.at : null;
    if (rel !== null && this.#wanted.has(rel)) {
      this.#current = rel;
      this.#chunks = [];
      this.#size = 0;
    }
  }

  data(chunk: Uint8Array): void {
    if (this.#current === null || this.#size >= this.#maxBytes) return;
    const take = chunk.subarray(0, this.#maxBytes - this.#size);
    this.#chunks.push(Buffer.from(take));
    this.#size += take.length;
  }

  end(): void {
    this.#close();
  }

  #close(): void {
    if (this.#current !== null) this.files.set(this.#current, Buffer.concat(this.#chunks, this.#size));
    this.#current = null;
    this.#chunks = [];
    this.#size = 0;
  }
}

/**
 * The named files of the tarball (absent when missing, not regular files, or when the archive
 * breaks before them). Never throws for a corrupt archive: what was read before the damage is
 * returned (the inspection reports the damage and the policy fails closed on it).
 */
export async function readTarballFiles(
  source: AsyncIterable<Uint8Array> | Readable,
  paths: readonly string[],
  maxBytesEach: number,
  limits: InspectLimits = DEFAULT_INSPECT_LIMITS,
): Promise<Map<string, Buffer>> {
  const wanted = new Set(paths.slice(0, MAX_FILES));
  const v = new FilesVisitor(wanted, Math.max(0, maxBytesEach));
  if (wanted.size === 0) return v.files;
  try {
    await walkTarball(source, v, limits);
  } catch {
    v.end();
  }
  return v.files;
}
