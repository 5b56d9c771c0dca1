/**
 * Renders what a client sees from an upstream packument: hidden versions removed (with their
 * `time` entries), dist-tags recomputed, `dist.tarball` and `dist.attestations.url` pointing at
 * Airlock. The full document is spliced from the upstream bytes — everything not edited stays
 * byte-exact (integrity, signatures, readme …); the abbreviated document is built from the
 * visible versions' manifests.
 */
import type { NpmPackageName } from '../../core/index.ts';
import { objectMembers } from './json-scan.ts';
import type { PackumentIndex, VersionSpan } from './packument-index.ts';
import { attestationsPath, tarballPath } from './urls.ts';
import { ByteSink } from './byte-sink.ts';

export interface ViewShape {
  /** Base URL of the repository as clients reach it, ending in `/`. */
  readonly base: string;
  readonly name: NpmPackageName;
  readonly hidden: ReadonlySet<string>;
  readonly distTags: Readonly<Record<string, string>>;
  readonly tagsChanged: boolean;
  /** New `modified` time when versions are hidden; null keeps the upstream value. */
  readonly modified: string | null;
  /** `policyRestrictions` (JSON text) telling npm which versions are withheld and why; null: none. */
  readonly restrictions: string | null;
}

/** The `policyRestrictions` member npm-pick-manifest understands (npm.md §3.3, pinned installs). */
export function policyRestrictions(name: string, versions: Iterable<string>, message: string): string {
  const entries: Record<string, { name: string; version: string }> = {};
  for (const v of versions) entries[v] = { name, version: v };
  return JSON.stringify({ message, versions: entries });
}

/** Bytes the rewritten URLs may add over the upstream's (two per version: tarball, attestations). */
function urlSlack(idx: PackumentIndex, shape: ViewShape): number {
  return idx.versions.size * 2 * (shape.base.length + shape.name.length + 64);
}

/** Bytes a full rendering may add over the upstream document: the URLs and a `policyRestrictions` member. */
function urlGrowth(idx: PackumentIndex, shape: ViewShape): number {
  return urlSlack(idx, shape) + (shape.restrictions?.length ?? 0) + 1024;
}

function versionValue(b: Buffer, v: VersionSpan, shape: ViewShape, out: ByteSink): void {
  spliced(b, v.start, v.end, v, shape, out);
}

/** Bytes [from, to) of a version with its tarball and attestations URLs (when inside) rewritten. */
function spliced(b: Buffer, from: number, to: number, v: VersionSpan, shape: ViewShape, out: ByteSink): void {
  const tarball = v.tarStart >= from && v.tarEnd <= to;
  const attestations = v.attStart >= from && v.attEnd <= to;
  // Both lie in `dist`, in either order: the attestations URL is written before the tarball's
  // when it comes first, else after it.
  const attestationsUrl = attestations ? shape.base + attestationsPath(shape.name, v.version) : null;
  const attestationsFirst = !(tarball && v.tarStart < v.attStart);
  let cursor = from;
  if (attestationsUrl !== null && attestationsFirst) cursor = replaced(b, cursor, v.attStart, v.attEnd, attestationsUrl, out);
  if (tarball) cursor = replaced(b, cursor, v.tarStart, v.tarEnd, shape.base + tarballPath(shape.name, v.version), out);
  if (attestationsUrl !== null && !attestationsFirst) cursor = replaced(b, cursor, v.attStart, v.attEnd, attestationsUrl, out);
  out.bytes(b, cursor, to);
}

/** Bytes [cursor, start), then `url` as a JSON string in place of [start, end); returns `end`. */
function replaced(b: Buffer, cursor: number, start: number, end: number, url: string, out: ByteSink): number {
  out.bytes(b, cursor, start);
  out.text(JSON.stringify(url));
  return end;
}

/**
 * The separator bytes before a kept member: the original ones (comma and whitespace), minus
 * the comma for the first member written.
 */
function separator(out: ByteSink, b: Buffer, sepStart: number, memberStart: number, first: boolean): void {
  let comma = -1;
  for (let i = sepStart; i < memberStart; i++) {
    if (b[i] === 0x2c) {
      comma = i;
      break;
    }
  }
  if (!first) {
    if (comma === -1) out.byte(0x2c);
    out.bytes(b, sepStart, memberStart);
    return;
  }
  out.bytes(b, comma === -1 ? sepStart : comma + 1, memberStart);
}

function versionsValue(b: Buffer, idx: PackumentIndex, shape: ViewShape, out: ByteSink): void {
  const obj = idx.versionsObject;
  if (obj === null) return;
  out.byte(0x7b);
  let first = true;
  for (const v of idx.versions.values()) {
    if (shape.hidden.has(v.version)) continue;
    separator(out, b, v.sepStart, v.memberStart, first);
    out.bytes(b, v.memberStart, v.start);
    first = false;
    versionValue(b, v, shape, out);
  }
  out.bytes(b, obj.lastMemberEnd, obj.end);
}

function timeValue(b: Buffer, start: number, end: number, shape: ViewShape, out: ByteSink): void {
  if (b[start] !== 0x7b) {
    out.bytes(b, start, end);
    return;
  }
  const members = objectMembers(b, start).members;
  out.byte(0x7b);
  let first = true;
  let prevEnd = start + 1;
  for (const m of members) {
    const sepStart = prevEnd;
    prevEnd = m.valueEnd;
    if (shape.hidden.has(m.key) && m.key !== 'created' && m.key !== 'modified') continue;
    separator(out, b, sepStart, m.keyStart, first);
    out.bytes(b, m.keyStart, m.valueStart);
    first = false;
    if (m.key === 'modified' && shape.modified !== null) out.text(JSON.stringify(shape.modified));
    else out.bytes(b, m.valueStart, m.valueEnd);
  }
  out.bytes(b, prevEnd, end);
}

export function renderFull(b: Buffer, idx: PackumentIndex, shape: ViewShape): Buffer {
  const out = new ByteSink(b.length + urlGrowth(idx, shape));
  const filtering = shape.hidden.size > 0;
  let cursor = 0;
  const restrictions = shape.restrictions;
  for (const m of idx.top) {
    const edit =
      m.key === 'versions' ||
      (m.key === 'policyRestrictions' && restrictions !== null) ||
      (m.key === 'dist-tags' && shape.tagsChanged) ||
      (filtering && (m.key === 'time' || (m.key === 'modified' && shape.modified !== null)));
    if (!edit) continue;
    out.bytes(b, cursor, m.valueStart);
    if (m.key === 'versions') versionsValue(b, idx, shape, out);
    else if (m.key === 'dist-tags') out.text(JSON.stringify(shape.distTags));
    else if (m.key === 'policyRestrictions') out.text(restrictions ?? 'null');
    else if (m.key === 'time') timeValue(b, m.valueStart, m.valueEnd, shape, out);
    else out.text(JSON.stringify(shape.modified));
    cursor = m.valueEnd;
  }
  const last = idx.top[idx.top.length - 1];
  if (restrictions !== null && last !== undefined && !idx.top.some((m) => m.key === 'policyRestrictions')) {
    out.bytes(b, cursor, last.valueEnd);
    out.text(`,"policyRestrictions":${restrictions}`);
    cursor = last.valueEnd;
  }
  out.bytes(b, cursor, b.length);
  return out.result();
}

/**
 * The abbreviated document, spliced from the full one: per visible version only the
 * install-relevant members (runs the index pass found), copied byte for byte (dist with
 * Airlock's URLs).
 */
export function renderAbbreviated(b: Buffer, idx: PackumentIndex, shape: ViewShape): Buffer {
  const modified = shape.modified ?? idx.time['modified'] ?? null;
  const head = `{"name":${JSON.stringify(idx.name)},${modified === null ? '' : `"modified":${JSON.stringify(modified)},`}"dist-tags":${JSON.stringify(shape.distTags)},"versions":{`;
  const runs = idx.versions.corgi;
  // Sized from the runs the index found, so the buffer is never outgrown: a guess outgrown by a
  // big package (typescript's abbreviated form is 4.9 MB, half its document) held the old buffer
  // and one twice its size at once, at the height of a cold install's memory.
  const tail = shape.restrictions === null ? '}}' : `},"policyRestrictions":${shape.restrictions}}`;
  let size = Buffer.byteLength(head) + Buffer.byteLength(tail) + urlSlack(idx, shape);
  for (const v of idx.versions.values()) {
    if (shape.hidden.has(v.version)) continue;
    // The key as written (a key JSON must escape, or not ASCII, only makes the buffer grow), its
    // braces and commas.
    size += v.version.length + 6 + (v.corgiTo - v.corgiFrom) / 2;
    for (let r = v.corgiFrom; r < v.corgiTo; r += 2) size += (runs[r + 1] as number) - (runs[r] as number);
  }
  const out = new ByteSink(size);
  out.text(head);
  let first = true;
  for (const v of idx.versions.values()) {
    if (shape.hidden.has(v.version)) continue;
    if (!first) out.byte(0x2c);
    out.text(JSON.stringify(v.version));
    out.byte(0x3a);
    out.byte(0x7b);
    first = false;
    for (let r = v.corgiFrom; r < v.corgiTo; r += 2) {
      if (r > v.corgiFrom) out.byte(0x2c);
      spliced(b, runs[r] as number, runs[r + 1] as number, v, shape, out);
    }
    out.byte(0x7d);
  }
  out.text(tail);
  return out.result();
}

/** One version document (`GET /<name>/<version>`), spliced like the full packument. */
export function renderVersion(b: Buffer, v: VersionSpan, shape: ViewShape): Buffer {
  const out = new ByteSink(v.end - v.start + 2 * (shape.base.length + shape.name.length + 64));
  versionValue(b, v, shape, out);
  return out.result();
}
