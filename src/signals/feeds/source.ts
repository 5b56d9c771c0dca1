/**
 * Reading an OSV feed from disk: a directory tree of `*.json` records (the ossf/malicious-packages
 * layout, or a flat folder) or a zip of them. Everything is bounded; a record that claims to be
 * OSV but is malformed is reported with its path, and nothing of a failed import is kept — the
 * caller gets records only when every record parsed.
 */
import { open, opendir, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DEFAULT_OSV_LIMITS, OsvRecordError, parseOsvRecord, type OsvParseLimits } from './osv.ts';
import { DEFAULT_ZIP_LIMITS, zipEntries, ZipFormatError, type RandomAccessSource, type ZipLimits } from './zip-reader.ts';
import { ADVISORY_KINDS, type AdvisoryKind, type FeedRecord } from './types.ts';

export interface FeedReadLimits {
  readonly zip: ZipLimits;
  readonly osv: OsvParseLimits;
  /** Files visited in a directory tree. */
  readonly maxFiles: number;
  readonly maxDepth: number;
  /** Errors kept in the report (the count is always exact). */
  readonly maxReportedErrors: number;
}

export const DEFAULT_FEED_LIMITS: FeedReadLimits = {
  zip: DEFAULT_ZIP_LIMITS,
  osv: DEFAULT_OSV_LIMITS,
  maxFiles: 2_000_000,
  maxDepth: 16,
  maxReportedErrors: 50,
};

export interface FeedEntryError {
  readonly entry: string;
  readonly message: string;
}

export interface FeedReadResult {
  readonly source: string;
  readonly format: 'directory' | 'zip';
  /** Deduplicated by record id and package (the most recently modified wins). */
  readonly records: readonly FeedRecord[];
  readonly entries: number;
  readonly skipped: number;
  readonly errorCount: number;
  readonly errors: readonly FeedEntryError[];
}

export class FeedReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedReadError';
  }
}

function fileSource(fh: FileHandle, size: number): RandomAccessSource {
  return {
    size,
    async read(position, length) {
      if (position < 0 || position + length > size) throw new ZipFormatError(`read of ${length} bytes at ${position} is outside the file`);
      const buf = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, position + done);
        if (bytesRead === 0) throw new ZipFormatError('file ended early (changed while reading?)');
        done += bytesRead;
      }
      return buf;
    },
  };
}

async function* walk(root: string, limits: FeedReadLimits): AsyncGenerator<string> {
  let files = 0;
  async function* inner(dir: string, depth: number): AsyncGenerator<string> {
    if (depth > limits.maxDepth) throw new FeedReadError(`${dir}: deeper than ${limits.maxDepth} levels`);
    const handle = await opendir(dir);
    const names: { name: string; dir: boolean; file: boolean }[] = [];
    for await (const e of handle) names.push({ name: e.name, dir: e.isDirectory(), file: e.isFile() });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      // Symbolic links are not followed: a feed is plain files.
      if (e.dir) yield* inner(full, depth + 1);
      else if (e.file && e.name.endsWith('.json')) {
        files++;
        if (files > limits.maxFiles) throw new FeedReadError(`${root}: more than ${limits.maxFiles} JSON files`);
        yield full;
      }
    }
  }
  yield* inner(root, 0);
}

class Collector {
  readonly byKey = new Map<string, FeedRecord>();
  readonly errors: FeedEntryError[] = [];
  errorCount = 0;
  entries = 0;
  skipped = 0;
  private readonly feed: string;
  private readonly limits: FeedReadLimits;
  private readonly kinds: readonly AdvisoryKind[];
  constructor(feed: string, limits: FeedReadLimits, kinds: readonly AdvisoryKind[]) {
    this.kinds = kinds;
    this.feed = feed;
    this.limits = limits;
  }

  add(entry: string, bytes: Uint8Array): void {
    this.entries++;
    try {
      const result = parseOsvRecord(bytes, { feed: this.feed, entry, limits: this.limits.osv, kinds: this.kinds });
      if (result.kind === 'skipped') {
        this.skipped++;
        return;
      }
      for (const rec of result.records) {
        const key = `${rec.id}\u0000${rec.ecosystem}\u0000${rec.name}`;
        const prev = this.byKey.get(key);
        if (prev === undefined || Date.parse(rec.modified) >= Date.parse(prev.modified)) this.byKey.set(key, rec);
      }
    } catch (err) {
      if (!(err instanceof OsvRecordError)) throw err;
      this.error(entry, err.message);
    }
  }

  error(entry: string, message: string): void {
    this.errorCount++;
    if (this.errors.length < this.limits.maxReportedErrors) this.errors.push({ entry, message });
  }
}

/**
 * Reads every OSV record of a feed directory or zip. Per-record problems are collected (the
 * caller refuses the import when `errorCount > 0`); problems with the archive itself throw.
 */
export async function readOsvFeed(path: string, feed: string, limits: FeedReadLimits = DEFAULT_FEED_LIMITS, kinds: readonly AdvisoryKind[] = ADVISORY_KINDS): Promise<FeedReadResult> {
  const info = await stat(path).catch((err: unknown) => {
    throw new FeedReadError(`${path}: ${(err as Error).message}`, { cause: err });
  });
  const collector = new Collector(feed, limits, kinds);
  let format: 'directory' | 'zip';
  if (info.isDirectory()) {
    format = 'directory';
    for await (const file of walk(path, limits)) {
      const entry = relative(path, file).split(sep).join('/');
      const size = (await stat(file)).size;
      if (size > limits.osv.maxRecordBytes) {
        collector.entries++;
        collector.error(entry, `record is larger than ${limits.osv.maxRecordBytes} bytes`);
        continue;
      }
      const fh = await open(file, 'r');
      try {
        collector.add(entry, await fileSource(fh, size).read(0, size));
      } finally {
        await fh.close();
      }
    }
  } else if (info.isFile()) {
    format = 'zip';
    const fh = await open(path, 'r');
    try {
      for await (const { name, bytes } of zipEntries(fileSource(fh, info.size), (n) => n.endsWith('.json'), limits.zip)) {
        collector.add(name, bytes);
      }
    } catch (err) {
      if (err instanceof ZipFormatError) throw new FeedReadError(`${path}: ${err.message}`, { cause: err });
      throw err;
    } finally {
      await fh.close();
    }
  } else {
    throw new FeedReadError(`${path}: neither a directory nor a file`);
  }
  return {
    source: path,
    format,
    records: [...collector.byKey.values()],
    entries: collector.entries,
    skipped: collector.skipped,
    errorCount: collector.errorCount,
    errors: collector.errors,
  };
}
