/**
 * A package's own `npm-shrinkwrap.json`. npm honours the shrinkwrap of a dependency whose
 * registry manifest says `_hasShrinkwrap`: it installs that package's dependencies as the file
 * pins them, fetching each from its `resolved` URL. A URL on another host, a git repository or a
 * local path is fetched straight from there, past Airlock: shown with npm 11, a package that
 * passed the gate brought in a dependency Airlock never saw, from another server, and npm ran
 * its postinstall. So the inspection reads the file (the root one, the last of its name, as on
 * extraction, compared folded as on a case-insensitive disk) and lists where each pinned
 * dependency comes from; the adapter then tells the registry's own URLs, which npm sends back
 * through Airlock (`replace-registry-host`), from the others.
 *
 * Lockfile versions 1 (`dependencies`, nested) and 2–3 (`packages`) are read, as npm reads them
 * (`core/npm-lockfile.ts`, which the pre-flight check of a project's lockfile uses too). Bounded: the file's
 * size, the entries walked and the sources kept. A file npm would read but Airlock cannot is an
 * `error`: its sources are unknown.
 */

import { npmLockEntries, type PlainObject } from '../../core/index.ts';
import { parseTarballJson } from './facts.ts';
import type { Json } from '../../storage/ports/index.ts';

/** Bytes of npm-shrinkwrap.json read; a larger one is an error (its sources unknown). */
export const MAX_SHRINKWRAP_BYTES = 32 * 1024 * 1024;
/** Entries walked, and sources kept for the adapter to classify. */
const MAX_ENTRIES = 100_000;
const MAX_DEPTH = 64;
const MAX_SOURCES = 4096;

/** One pinned dependency that names where it comes from. */
export interface ShrinkwrapSource {
  /** Its place in the tree (`node_modules/a/node_modules/b`). */
  readonly path: string;
  /** What npm fetches or links: a URL, a git or file spec, a link's target. */
  readonly from: string;
  /** A link (`link: true`): npm links a folder instead of fetching a package. */
  readonly link: boolean;
}

export interface ShrinkwrapRead {
  /** Dependencies pinned. */
  readonly entries: number;
  /** The pinned dependencies that name a source (the first `MAX_SOURCES`). */
  readonly sources: readonly ShrinkwrapSource[];
  /** More named a source than were kept: the rest are unknown. */
  readonly more: boolean;
  /** Why the file could not be read (too large, not JSON, not a lockfile object); null when read. */
  readonly error: string | null;
}

/** A version field that is not a version (v1 lockfiles write git and URL dependencies there). */
const SPEC_NOT_VERSION = /^(?!npm:)(?:[a-z][a-z0-9+.-]*:|\.{0,2}\/|~\/|[^@/\s]+\/[^@/\s]+(?:#|$))/i;

function read(doc: PlainObject): ShrinkwrapRead {
  const walk = npmLockEntries(doc, { maxEntries: MAX_ENTRIES, maxDepth: MAX_DEPTH });
  const sources: ShrinkwrapSource[] = [];
  let more = walk.cut !== null;
  let entries = 0;
  for (const { path, entry } of walk.entries) {
    // Bundled dependencies ship in the tarball (`inBundle` in versions 2-3, `bundled` in 1).
    if (entry['inBundle'] === true || entry['bundled'] === true) continue;
    entries++;
    const link = entry['link'] === true;
    const resolved = entry['resolved'];
    const version = entry['version'];
    const from = typeof resolved === 'string' && resolved !== '' ? resolved : typeof version === 'string' && SPEC_NOT_VERSION.test(version) ? version : null;
    if (from === null && !link) continue;
    if (sources.length >= MAX_SOURCES) more = true;
    else sources.push({ path: path.slice(0, 512), from: (from ?? '').slice(0, 1024), link });
  }
  return { entries, sources, more, error: null };
}

/** The shrinkwrap's sources, from its bytes (hostile JSON). */
export function readShrinkwrap(bytes: Buffer): ShrinkwrapRead {
  const parsed = parseTarballJson(bytes);
  return 'problem' in parsed ? { entries: 0, sources: [], more: false, error: `npm-shrinkwrap.json ${parsed.problem}` } : read(parsed.object);
}

/** Collects the root npm-shrinkwrap.json while the tar reader walks the archive. */
export class ShrinkwrapFile {
  #chunks: Buffer[] | null = null;
  #size = 0;
  #tooLarge = false;
  #seen = false;
  #reading = false;

  /** A file begins (`TarEntry.folded`, its size): the root shrinkwrap is kept, the last one wins. */
  file(folded: string | null, size: number): void {
    this.#reading = folded === 'npm-shrinkwrap.json';
    if (!this.#reading) return;
    this.#seen = true;
    this.#tooLarge = size > MAX_SHRINKWRAP_BYTES;
    this.#chunks = [];
    this.#size = 0;
  }

  /** Data of the current file (valid only during the call). */
  data(chunk: Uint8Array): void {
    if (!this.#reading || this.#tooLarge || this.#chunks === null) return;
    this.#chunks.push(Buffer.from(chunk));
    this.#size += chunk.length;
  }

  /** The current file ends. */
  close(): void {
    this.#reading = false;
  }

  /** The shrinkwrap read, or null when the archive has none. */
  result(): ShrinkwrapRead | null {
    if (!this.#seen) return null;
    if (this.#tooLarge || this.#chunks === null) return { entries: 0, sources: [], more: false, error: `npm-shrinkwrap.json is larger than ${MAX_SHRINKWRAP_BYTES} bytes` };
    return readShrinkwrap(Buffer.concat(this.#chunks, this.#size));
  }
}

/** Sources listed in the facts (all are counted). */
const MAX_LISTED = 32;

/**
 * `tarball.shrinkwrap`: null without one; else how many dependencies it pins, those it would have
 * npm fetch or link from outside the registry (`external`: `node_modules/x from <source>`, the
 * first 32, and `external_count`), and `error` when the file could not be read in full. A source
 * is the registry's when it is an http(s) URL `onRegistry` accepts (the upstream's origin, which
 * npm rewrites to Airlock); links, git, file and other hosts' URLs are external.
 */
export function shrinkwrapFacts(read: ShrinkwrapRead | null, onRegistry: (url: URL) => boolean): Json {
  if (read === null) return null;
  const external: string[] = [];
  let count = 0;
  for (const s of read.sources) {
    if (!s.link && registryUrl(s.from, onRegistry)) continue;
    count++;
    if (external.length < MAX_LISTED) external.push(`${s.path} from ${s.link ? `a link to ${s.from}` : s.from}`);
  }
  const error = read.error ?? (read.more ? `it pins more dependencies, or nests them deeper, than Airlock reads (${MAX_SOURCES} sources, ${MAX_ENTRIES} entries, ${MAX_DEPTH} levels)` : null);
  return { entries: read.entries, external, external_count: count, error };
}

function registryUrl(from: string, onRegistry: (url: URL) => boolean): boolean {
  let url: URL;
  try {
    url = new URL(from);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && onRegistry(url);
}
