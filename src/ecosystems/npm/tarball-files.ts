/**
 * Reads a few named files out of an npm tarball (a stream: gzip → tar), never extracting
 * anything: the gate asks for the files an install hook runs (`node install.js`) so their content
 * can be analysed. Paths are package-relative (`install.js`, `scripts/setup.sh`, without the
 * `package/` prefix npm strips); each file is read up to a byte cap and all of them up to another,
 * the last entry of a name wins (as on extraction), and the reading stops early once the archive
 * is done or broken.
 * Bounded like the inspection: entry count, total size and extended headers.
 */
import type { Readable } from 'node:stream';
import type { ArtifactFile, ArtifactReadBounds } from '../../gate/index.ts';
import type { TarEntry, TarVisitor } from './tar-reader.ts';
import { DEFAULT_INSPECT_LIMITS, walkTarball, type InspectLimits } from './tarball-inspect.ts';

/** At most this many paths per request (candidates of the files hooks load: `x`, `x.js`, …). */
const MAX_FILES = 4096;

class FilesVisitor implements TarVisitor {
  readonly files = new Map<string, ArtifactFile>();
  readonly #wanted: ReadonlySet<string>;
  readonly #bounds: ArtifactReadBounds;
  #current: string | null = null;
  #declared = 0;
  #chunks: Buffer[] = [];
  #size = 0;
  #total = 0;

  constructor(wanted: ReadonlySet<string>, bounds: ArtifactReadBounds) {
    this.#wanted = wanted;
    this.#bounds = bounds;
  }

  entry(e: TarEntry): void {
    this.#close();
    const rel = e.type === 'file' ? e.at : null;
    if (rel !== null && this.#wanted.has(rel)) {
      // The last entry of a name wins, as on extraction: an earlier one gives its bytes back.
      this.#total -= this.files.get(rel)?.bytes.length ?? 0;
      this.#current = rel;
      this.#declared = e.size;
      this.#chunks = [];
      this.#size = 0;
    }
  }

  data(chunk: Uint8Array): void {
    if (this.#current === null) return;
    const room = Math.min(this.#bounds.maxBytesEach - this.#size, this.#bounds.maxTotalBytes - this.#total);
    if (room <= 0) return;
    const take = chunk.subarray(0, room);
    this.#chunks.push(Buffer.from(take));
    this.#size += take.length;
    this.#total += take.length;
  }

  end(): void {
    this.#close();
  }

  #close(): void {
    if (this.#current !== null) this.files.set(this.#current, { bytes: Buffer.concat(this.#chunks, this.#size), size: this.#declared });
    this.#current = null;
    this.#chunks = [];
    this.#size = 0;
  }
}

/**
 * The named files of the tarball (absent when missing, not regular files, or when the archive
 * breaks before them), each with its size: fewer bytes than the size means a bound or damage cut
 * it. Never throws for a corrupt archive: what was read before the damage is returned (the
 * inspection reports the damage and the policy fails closed on it).
 */
export async function readTarballFiles(
  source: AsyncIterable<Uint8Array> | Readable,
  paths: readonly string[],
  bounds: ArtifactReadBounds,
  limits: InspectLimits = DEFAULT_INSPECT_LIMITS,
): Promise<Map<string, ArtifactFile>> {
  const wanted = new Set(paths.slice(0, MAX_FILES));
  const v = new FilesVisitor(wanted, { maxBytesEach: Math.max(0, bounds.maxBytesEach), maxTotalBytes: Math.max(0, bounds.maxTotalBytes) });
  if (wanted.size === 0) return v.files;
  try {
    await walkTarball(source, v, limits);
  } catch {
    v.end();
  }
  return v.files;
}
