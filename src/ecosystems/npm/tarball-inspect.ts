/**
 * Content facts from an npm tarball, read as a stream (gzip → tar) under limits, never
 * extracting anything: the package's own package.json (install scripts, name, version, the
 * commands it links into node_modules/.bin), a `binding.gyp` (npm then runs `node-gyp rebuild`
 * on install), the install scripts of the packages it bundles under node_modules/, file count
 * and unpacked size, native binaries, links and unsafe paths. Pure: bytes in, facts out.
 */
import { createGunzip, gunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { oneShotChunkSize, releaseBytes, releaseLastView, type PlainObject } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import { installScripts, parseTarballJson, scriptConfig } from './facts.ts';
import { BundledScripts } from './bundled-scripts.ts';
import { binFacts, binTargetsOf } from './bin-names.ts';
import { dependencySourcesOf, MAX_SOURCES_LISTED } from './manifest-reader.ts';
import { declaredOf, type DeclaredManifest } from './manifest-confusion.ts';
import { TarFormatError, TarReader, type TarEntry, type TarVisitor } from './tar-reader.ts';
import { ShrinkwrapFile, type ShrinkwrapRead } from './shrinkwrap.ts';

export interface InspectLimits {
  readonly maxEntries: number;
  readonly maxUnpackedBytes: number;
  readonly maxManifestBytes: number;
}

export const DEFAULT_INSPECT_LIMITS: InspectLimits = Object.freeze({
  maxEntries: 200_000,
  maxUnpackedBytes: 4 * 1024 ** 3,
  maxManifestBytes: 1024 ** 2,
});

const MAX_LISTED = 64;
/** File paths kept for `directories.bin` (npm links every file under it as a command). */
const MAX_PATHS_KEPT = 20_000;
const NATIVE_EXTENSIONS = /\.(node|so|dll|dylib|exe)$|\.so\.\d/i;

function nativeMagic(head: Uint8Array): string | null {
  if (head.length < 4) return head[0] === 0x4d && head[1] === 0x5a ? 'pe' : null;
  const [a, b, c, d] = head as unknown as [number, number, number, number];
  if (a === 0x7f && b === 0x45 && c === 0x4c && d === 0x46) return 'elf';
  if ((a === 0xfe && b === 0xed && c === 0xfa && (d === 0xce || d === 0xcf)) || ((a === 0xce || a === 0xcf) && b === 0xfa && c === 0xed && d === 0xfe)) return 'mach-o';
  if (a === 0x4d && b === 0x5a) return 'pe';
  return null;
}

export interface TarballInspection {
  /** Facts for `input.facts.tarball` (without size and digests, which the caller adds). */
  readonly facts: { [k: string]: Json };
  /** The manifest's name and version as found in the tarball (null when unreadable). */
  readonly manifestName: string | null;
  readonly manifestVersion: string | null;
  /** Why the tarball could not be read completely; facts are then partial. */
  readonly error: string | null;
  /** Why its package.json could not be read (missing, too large, not JSON): its install scripts are then unknown. */
  readonly manifestError: string | null;
  /** Its own npm-shrinkwrap.json, read: where the dependencies it pins come from (null: none). */
  readonly shrinkwrap: ShrinkwrapRead | null;
  /** What its package.json declares of dependencies and install hooks, to compare with the registry's manifest (null when unreadable). */
  readonly declared: DeclaredManifest | null;
}

function unsafe(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[\\/]/).includes('..');
}

/** Collects facts entry by entry as the tar reader walks the archive. */
class FactsVisitor implements TarVisitor {
  files = 0;
  unpacked = 0;
  links = 0;
  bindingGyp = false;
  readonly binaries: string[] = [];
  binaryCount = 0;
  readonly unsafePaths: string[] = [];
  /** The root package.json; null until seen. */
  manifest: Buffer[] | null = null;
  #manifestPath: string | null = null;
  manifestSize = 0;
  manifestTooLarge = false;
  readonly #maxManifest: number;
  #rel: string | null = null;
  #isFile = false;
  #isManifest = false;
  #head = Buffer.alloc(0);
  /** Install scripts of the packages bundled under node_modules/, which npm runs too. */
  readonly bundled: BundledScripts;
  /** The root npm-shrinkwrap.json, which npm follows for the package's dependencies. */
  readonly shrinkwrap = new ShrinkwrapFile();
  /** The files' package-relative paths, for `directories.bin`; `pathsComplete` false once cut short. */
  readonly paths: string[] = [];
  pathsComplete = true;

  constructor(maxManifestBytes: number) {
    this.#maxManifest = maxManifestBytes;
    this.bundled = new BundledScripts(maxManifestBytes);
  }

  entry(e: TarEntry): void {
    this.#close();
    if (unsafe(e.path) && this.unsafePaths.length < MAX_LISTED) this.unsafePaths.push(e.path.slice(0, 256));
    if (e.type === 'symlink' || e.type === 'hardlink') this.links++;
    this.#rel = e.at;
    this.#isFile = e.type === 'file';
    // Compared folded: on a case-insensitive disk (macOS, Windows) `PACKAGE.JSON` is the same file.
    this.#isManifest = this.#isFile && e.folded === 'package.json';
    this.shrinkwrap.file(this.#isFile ? e.folded : null, e.size);
    if (!this.#isFile) return;
    this.files++;
    this.unpacked += e.size;
    if (e.folded === 'binding.gyp') this.bindingGyp = true;
    if (e.at !== null && e.folded !== null) {
      this.bundled.file(e.at, e.folded, e.size);
      if (this.paths.length < MAX_PATHS_KEPT) this.paths.push(e.at);
      else this.pathsComplete = false;
    }
    if (this.#isManifest) {
      // npm would keep whichever came last, and a differently written path can be the one it
      // keeps while a reader of the first sees a harmless manifest: two is not inspectable.
      if (this.#manifestPath !== null) throw new TarFormatError(`more than one package.json at the package root (${this.#manifestPath.slice(0, 100)}, ${e.path.slice(0, 100)})`);
      this.#manifestPath = e.path;
      this.manifest = [];
      this.manifestSize = 0;
      this.manifestTooLarge = e.size > this.#maxManifest;
    }
  }

  data(chunk: Uint8Array): void {
    if (!this.#isFile) return;
    if (this.#head.length < 4) this.#head = Buffer.concat([this.#head, chunk.subarray(0, 4 - this.#head.length)]);
    if (this.#isManifest && !this.manifestTooLarge && this.manifest !== null) {
      this.manifest.push(Buffer.from(chunk));
      this.manifestSize += chunk.length;
    }
    this.bundled.data(chunk);
    this.shrinkwrap.data(chunk);
  }

  end(): void {
    this.#close();
  }

  #close(): void {
    this.bundled.close();
    this.shrinkwrap.close();
    if (this.#isFile && this.#rel !== null && (nativeMagic(this.#head) !== null || NATIVE_EXTENSIONS.test(this.#rel))) {
      this.binaryCount++;
      if (this.binaries.length < MAX_LISTED) this.binaries.push(this.#rel);
    }
    this.#rel = null;
    this.#isFile = false;
    this.#isManifest = false;
    this.#head = Buffer.alloc(0);
  }
}

function parseManifest(v: FactsVisitor, limits: InspectLimits): { manifest: PlainObject | null; error: string | null } {
  if (v.manifest === null) return { manifest: null, error: 'the tarball has no package.json' };
  if (v.manifestTooLarge) return { manifest: null, error: `package.json is larger than ${limits.maxManifestBytes} bytes` };
  const parsed = parseTarballJson(Buffer.concat(v.manifest, v.manifestSize));
  return 'problem' in parsed ? { manifest: null, error: `package.json ${parsed.problem}` } : { manifest: parsed.object, error: null };
}

/** Unpacked bytes a tarball held in memory may be inflated to in one piece (else it is streamed). */
const ONE_PIECE_UNPACKED_MAX = 16 * 1024 * 1024;
/** Larger than the small-buffer pool, so that a spent output chunk can be freed at once. */
const STREAM_CHUNK = 128 * 1024;

/** The whole tarball inflated in one thread-pool job, or null when it is bigger than `max` or broken. */
function inflateWhole(bytes: Buffer, max: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    gunzip(bytes, { maxOutputLength: max, chunkSize: oneShotChunkSize(bytes, max) }, (err, out) => resolve(err === null ? out : null));
  });
}

/**
 * Streams a gzipped tarball through `visitor` (gunzip → tar), never extracting anything, bounded
 * by the inspection limits: entry count, total unpacked size, extended headers. Rejects on a
 * broken archive or a limit passed. A tarball already in memory is inflated in one piece when
 * small; a big or broken one is streamed, so the visitor sees exactly what streaming shows.
 * Inflated bytes are freed as soon as the visitor has seen them (core/release-bytes.ts): a chunk
 * given to the visitor is valid only during the call.
 */
export async function walkTarball(source: AsyncIterable<Uint8Array> | Readable | Buffer, visitor: TarVisitor, limits: InspectLimits): Promise<void> {
  const reader = tarReaderFor(visitor, limits);
  if (Buffer.isBuffer(source)) {
    const whole = await inflateWhole(source, Math.min(ONE_PIECE_UNPACKED_MAX, limits.maxUnpackedBytes + 1));
    if (whole !== null) {
      try {
        reader.push(whole);
        reader.finish();
      } finally {
        releaseBytes(whole);
      }
      return;
    }
  }
  await pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : source, createGunzip({ chunkSize: STREAM_CHUNK }), tarSink(reader));
}

function tarReaderFor(visitor: TarVisitor, limits: InspectLimits): TarReader {
  return new TarReader({ maxEntries: limits.maxEntries, maxTotalBytes: limits.maxUnpackedBytes, maxExtendedHeaderBytes: 1024 * 1024 }, visitor);
}

/** Where inflated chunks go: into the tar reader, then freed (the visitor has seen them). */
function tarSink(reader: TarReader): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        reader.push(chunk);
        releaseLastView(chunk, STREAM_CHUNK);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    final(done) {
      try {
        reader.finish();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/**
 * A tarball inspected while its gzipped bytes arrive from elsewhere (a download being stored),
 * chunk by chunk. `write` resolves true once zlib has consumed the chunk, so the caller may free
 * it; false when the walk had already ended (a broken archive or a limit passed, which `end`
 * then reports) or zlib failed on it: such a chunk is left to the collector, as nothing says
 * zlib is done with it. `end` resolves with the inspection; `abort` gives up on it.
 */
export class TarballFeed {
  readonly #gunzip = createGunzip({ chunkSize: STREAM_CHUNK });
  readonly #inspection: Promise<TarballInspection>;

  constructor(limits: InspectLimits = DEFAULT_INSPECT_LIMITS) {
    this.#inspection = collectFacts(limits, (visitor) => pipeline(this.#gunzip, tarSink(tarReaderFor(visitor, limits))));
  }

  write(chunk: Uint8Array): Promise<boolean> {
    const gunzip = this.#gunzip;
    if (gunzip.destroyed || gunzip.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => {
      // zlib never calls back a write it failed on: the stream closes instead.
      const onClose = (): void => resolve(false);
      gunzip.once('close', onClose);
      gunzip.write(chunk, (err) => {
        gunzip.off('close', onClose);
        resolve(err === null || err === undefined);
      });
    });
  }

  end(): Promise<TarballInspection> {
    if (!this.#gunzip.destroyed) this.#gunzip.end();
    return this.#inspection;
  }

  async abort(): Promise<void> {
    this.#gunzip.destroy();
    await this.#inspection;
  }
}

export function inspectTarball(source: AsyncIterable<Uint8Array> | Readable | Buffer, limits: InspectLimits = DEFAULT_INSPECT_LIMITS): Promise<TarballInspection> {
  return collectFacts(limits, (visitor) => walkTarball(source, visitor, limits));
}

/** The facts a walk shows the visitor; a walk that fails is reported in `error`, never thrown. */
async function collectFacts(limits: InspectLimits, walk: (visitor: TarVisitor) => Promise<void>): Promise<TarballInspection> {
  const v = new FactsVisitor(limits.maxManifestBytes);
  let error: string | null = null;
  try {
    await walk(v);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const bundled = v.bundled.facts();
  error ??= bundled.truncated;
  const { manifest, error: manifestError } = parseManifest(v, limits);
  const scripts = installScripts(manifest?.['scripts'], v.bindingGyp);
  const name = manifest !== null && typeof manifest['name'] === 'string' ? manifest['name'] : null;
  const version = manifest !== null && typeof manifest['version'] === 'string' ? manifest['version'] : null;
  // npm installs from this file's dependencies, not the registry's manifest, whenever it reads the
  // installed package (no lockfile beside node_modules), and then resolves the missing dependencies
  // of the packages bundled in it too: those from outside the registry matter, in either.
  const own = manifest === null ? { sources: [], count: 0 } : dependencySourcesOf(manifest);
  const sources = { sources: [...own.sources, ...bundled.sources].slice(0, MAX_SOURCES_LISTED), count: own.count + bundled.sourceCount };
  // Read once: the facts list them, and the comparison with the registry's manifest uses them.
  const commands = manifest === null ? null : binTargetsOf(manifest, v.paths, v.pathsComplete);
  if (commands === 'unknown') error ??= 'the commands directories.bin installs could not be listed';
  const bins = commands === null || commands === 'unknown' ? { names: [], count: 0 } : binFacts(commands);
  return {
    facts: {
      file_count: v.files,
      unpacked_size: v.unpacked,
      install_scripts: scripts,
      // What the install scripts see of `config` (only when there are any: nothing else runs it).
      script_config: Object.keys(scripts).length === 0 ? {} : scriptConfig(manifest?.['config']),
      bundled_install_scripts: bundled.listed,
      bundled_install_script_count: bundled.count,
      has_install_script: Object.keys(scripts).length > 0 || bundled.count > 0,
      has_binding_gyp: v.bindingGyp,
      bin_names: bins.names,
      bin_count: bins.count,
      native_binaries: v.binaries,
      native_binary_count: v.binaryCount,
      link_count: v.links,
      unsafe_paths: v.unsafePaths,
      dependency_sources: sources.sources,
      dependency_source_count: sources.count,
      manifest_name: name === null ? null : name.slice(0, 214),
      manifest_version: version === null ? null : version.slice(0, 256),
      manifest_error: manifestError,
      inspection_error: error,
    },
    manifestName: name,
    manifestVersion: version,
    error,
    manifestError,
    shrinkwrap: v.shrinkwrap.result(),
    declared: manifest === null || commands === null ? null : declaredOf(manifest, false, commands),
  };
}
