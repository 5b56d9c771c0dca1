/**
 * What changed in a version since the one before it, for the reviewer of a quarantine: the files
 * added, removed and changed (by content digest) and the install scripts before and after, and
 * for one file the line diff. The version before it is the package's newest other version
 * published earlier (upstream publish time, as the metadata phase reads it). Ecosystems list and
 * read a version's files from its verified artifact (`PackageSource.files`, `readFiles`); this
 * module compares them and bounds the report.
 */
import { AirlockError, sha256Of, digestHex, type Purl } from '../core/index.ts';
import { unifiedDiff } from './text-diff.ts';
import type { Json, QuarantineRecord, RequestContext } from '../storage/ports/index.ts';
import type { PackageSource, PackageSources } from './package-sources.ts';
import type { VersionCandidate } from './types.ts';

export interface VersionFile {
  readonly kind: 'file' | 'symlink' | 'hardlink';
  readonly size: number;
  /** sha256 hex of a file's content; of its target for a link. */
  readonly sha256: string;
}

/** A version's files as its verified artifact holds them, by package-relative path. */
export interface VersionFiles {
  readonly version: string;
  readonly files: ReadonlyMap<string, VersionFile>;
  /** The install scripts its own manifest declares (name → command). */
  readonly installScripts: Readonly<Record<string, Json>>;
}

export interface FileChange {
  readonly path: string;
  /** Size before (null: added). */
  readonly before: number | null;
  /** Size after (null: removed). */
  readonly after: number | null;
}

export interface ChangeReport {
  readonly purl: Purl;
  readonly version: string;
  /** The version compared against; null for a package's first release. */
  readonly base: string | null;
  readonly added: readonly FileChange[];
  readonly removed: readonly FileChange[];
  readonly changed: readonly FileChange[];
  readonly unchanged: number;
  /** How many of each there are (the lists stop at `MAX_LISTED`). */
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number };
  readonly truncated: boolean;
  readonly installScripts: { readonly before: Readonly<Record<string, Json>> | null; readonly after: Readonly<Record<string, Json>> };
}

/** Changes listed per kind; the counts give the rest. */
export const MAX_LISTED = 500;

/** The package's newest other version published before `version` (null: none, or no publish times). */
export function baseVersionOf(candidates: readonly VersionCandidate[], version: string): string | null {
  const at = (c: VersionCandidate | undefined): number => {
    const t = c?.facts['published_at'];
    return typeof t === 'string' ? Date.parse(t) : Number.NaN;
  };
  const target = at(candidates.find((c) => c.subject.version === version));
  if (Number.isNaN(target)) return null;
  let best: string | null = null;
  let bestAt = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    const t = at(c);
    if (c.subject.version === version || Number.isNaN(t) || t >= target || t <= bestAt) continue;
    best = c.subject.version;
    bestAt = t;
  }
  return best;
}

/** `after` against `before` (null: everything in `after` is added). */
export function compareFiles(purl: Purl, before: VersionFiles | null, after: VersionFiles): ChangeReport {
  const added: FileChange[] = [];
  const removed: FileChange[] = [];
  const changed: FileChange[] = [];
  let unchanged = 0;
  const old = before?.files ?? new Map<string, VersionFile>();
  for (const [path, f] of after.files) {
    const o = old.get(path);
    if (o === undefined) added.push({ path, before: null, after: f.size });
    else if (o.kind !== f.kind || o.sha256 !== f.sha256) changed.push({ path, before: o.size, after: f.size });
    else unchanged++;
  }
  for (const [path, o] of old) if (!after.files.has(path)) removed.push({ path, before: o.size, after: null });
  const byPath = (a: FileChange, b: FileChange): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const counts = { added: added.length, removed: removed.length, changed: changed.length };
  return {
    purl,
    version: after.version,
    base: before?.version ?? null,
    added: added.sort(byPath).slice(0, MAX_LISTED),
    removed: removed.sort(byPath).slice(0, MAX_LISTED),
    changed: changed.sort(byPath).slice(0, MAX_LISTED),
    unchanged,
    counts,
    truncated: counts.added > MAX_LISTED || counts.removed > MAX_LISTED || counts.changed > MAX_LISTED,
    installScripts: { before: before?.installScripts ?? null, after: after.installScripts },
  };
}

/** One side of a file's diff: the file as that version has it (null: the version has no such file). */
export interface DiffSide {
  readonly version: string;
  readonly size: number;
  /** Of its content; null when it is larger than the bytes read (`MAX_DIFF_FILE_BYTES`). */
  readonly sha256: string | null;
  /** Whether it reads as text (UTF-8 without NUL bytes, within the size read): only text is diffed. */
  readonly text: boolean;
}

export interface FileDiff {
  readonly purl: Purl;
  readonly path: string;
  readonly base: string | null;
  readonly before: DiffSide | null;
  readonly after: DiffSide | null;
  /**
   * `diff -u` of the two (`--- a/<path>`, `+++ b/<path>`; an absent side is empty), '' when they
   * are the same; null when it is not diffed, and `note` says why.
   */
  readonly unified: string | null;
  readonly added: number;
  readonly removed: number;
  readonly truncated: boolean;
  readonly note: string | null;
}

/** Bytes of each side read and diffed; a bigger file is only compared by digest. */
export const MAX_DIFF_FILE_BYTES = 1024 * 1024;
/** 20,000 lines a side and 1,000 changed lines: tens of milliseconds and a few MB at most. */
const DIFF_LIMITS = { maxLines: 20_000, maxEdits: 1000, maxOutputBytes: 512 * 1024 } as const;
const MAX_PATH = 1024;

function side(version: string, bytes: Buffer | undefined, size: number | undefined): { side: DiffSide; text: string | null } | null {
  if (bytes === undefined || size === undefined) return null;
  let text: string | null = null;
  if (size <= MAX_DIFF_FILE_BYTES && bytes.length === size && !bytes.includes(0)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = null;
    }
  }
  return { side: { version, size, sha256: bytes.length === size ? digestHex(sha256Of(bytes)) : null, text: text !== null }, text };
}

/** The changes a quarantined (or reviewed) version brings, fetched through its repository. */
export class VersionChanges {
  readonly #sources: PackageSources;

  constructor(deps: { readonly sources: PackageSources }) {
    this.#sources = deps.sources;
  }

  /** The version before the held one in its repository's listing (null: its first release). */
  async #base(source: PackageSource, rec: QuarantineRecord, request: RequestContext): Promise<string | null> {
    if (source.listing === undefined) throw new AirlockError('BAD_REQUEST', `repository ${rec.repo} does not list its versions`);
    const listing = await source.listing(rec.name, request);
    return baseVersionOf(listing.candidates, rec.version);
  }

  async of(rec: QuarantineRecord, request: RequestContext): Promise<ChangeReport> {
    const source = this.#sources.find(rec.ecosystem, rec.repo);
    if (source.files === undefined) throw new AirlockError('BAD_REQUEST', `repository ${rec.repo} cannot list the files of its versions`);
    const base = await this.#base(source, rec, request);
    const after = await source.files(rec.name, rec.version, request);
    const before = base === null ? null : await source.files(rec.name, base, request);
    return compareFiles(rec.purl, before, after);
  }

  /** The line diff of one file (package-relative path, as `of` lists it) against the version before. */
  async diff(rec: QuarantineRecord, path: string, request: RequestContext): Promise<FileDiff> {
    if (path === '' || path.length > MAX_PATH) throw new AirlockError('BAD_REQUEST', `the file path must be 1 to ${MAX_PATH} characters`);
    const source = this.#sources.find(rec.ecosystem, rec.repo);
    if (source.readFiles === undefined) throw new AirlockError('BAD_REQUEST', `repository ${rec.repo} cannot read the files of its versions`);
    const base = await this.#base(source, rec, request);
    const bounds = { maxBytesEach: MAX_DIFF_FILE_BYTES, maxTotalBytes: MAX_DIFF_FILE_BYTES };
    const read = async (version: string): Promise<ReturnType<typeof side>> => {
      const f = (await source.readFiles?.(rec.name, version, [path], bounds, request))?.get(path);
      return side(version, f?.bytes, f?.size);
    };
    const after = await read(rec.version);
    const before = base === null ? null : await read(base);
    const result = { purl: rec.purl, path, base, before: before?.side ?? null, after: after?.side ?? null };
    const none = { unified: null, added: 0, removed: 0, truncated: false };
    if (before === null && after === null) throw new AirlockError('NOT_FOUND', `neither ${rec.version} nor ${base ?? 'a version before it'} has the file ${JSON.stringify(path.slice(0, 200))}`);
    if ((before !== null && before.text === null) || (after !== null && after.text === null)) {
      const big = [before, after].some((s) => s !== null && s.side.size > MAX_DIFF_FILE_BYTES);
      return { ...result, ...none, note: big ? `larger than ${MAX_DIFF_FILE_BYTES} bytes: not diffed (the list of changes compares it by digest)` : 'not text (binary, or not UTF-8): compared by digest only' };
    }
    const d = unifiedDiff(before?.text ?? '', after?.text ?? '', { from: before === null ? '/dev/null' : `a/${path}`, to: after === null ? '/dev/null' : `b/${path}` }, DIFF_LIMITS);
    if (d.kind === 'too-long') return { ...result, ...none, note: `more than ${DIFF_LIMITS.maxLines} lines: compared by digest only` };
    if (d.kind === 'too-different') return { ...result, ...none, note: `more than ${DIFF_LIMITS.maxEdits} lines differ: compared by digest only` };
    return { ...result, unified: d.unified, added: d.added, removed: d.removed, truncated: d.truncated, note: d.truncated ? `the diff is cut at ${DIFF_LIMITS.maxOutputBytes} bytes` : null };
  }
}
