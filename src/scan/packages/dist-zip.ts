/**
 * A wheel or zip sdist through the scanner's hardened zip reader. Python's zipfile (what pip
 * installs with) reads only the central directory, checks each local name against it and each
 * member's CRC: an archive that readers would see differently, or that zipfile refuses, is a
 * problem rather than something to guess about.
 */
import { crc32 } from 'node:zlib';
import type { ByteSource, ScanContext } from '../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from '../engine/errors.ts';
import { resolveLimits } from '../engine/limits.ts';
import { listZip, type ZipEntry } from '../formats/zip/reader.ts';
import { openMember } from '../formats/zip/member.ts';
import { FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION } from '../formats/zip/structures.ts';
import type { DistReport } from './dist-report.ts';

export interface ZipMember {
  readonly entry: ZipEntry;
  /** The name as Python's zipfile sees it: cut at the first NUL. */
  readonly path: string;
}

export interface ZipArchive {
  readonly src: ByteSource;
  readonly members: readonly ZipMember[];
  /** By Python path; zipfile's lookup returns the last directory entry of a name. */
  readonly byPath: ReadonlyMap<string, ZipMember>;
  readonly signal: AbortSignal;
}

/**
 * The listing oddities that are no problem for a wheel or sdist: data before the archive (zipfile
 * reads past it), and unsafe names (reported as unsafe paths). Every other one makes zipfile refuse
 * the archive or readers disagree on its content. Matched this way round, a listing message
 * reworded or added is a problem until it is known to be harmless.
 */
const HARMLESS_ANOMALIES = [/bytes precede the archive$/, /^unsafe member name /];

const AES = 99;

function isEncrypted(e: ZipEntry): boolean {
  return (e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || e.method === AES;
}

function pythonName(name: string): string {
  const nul = name.indexOf('\0');
  return nul < 0 ? name : name.slice(0, nul);
}

/** Lists the archive and accounts every member; null when nothing could be listed. */
export async function openZip(src: ByteSource, report: DistReport, signal: AbortSignal): Promise<ZipArchive | null> {
  let entries: readonly ZipEntry[];
  let hasCentral: boolean;
  try {
    const listing = await listZip(src, resolveLimits({ maxMembers: report.limits.maxEntries }));
    entries = listing.entries;
    hasCentral = listing.hasCentral;
    for (const a of listing.anomalies) {
      if (!HARMLESS_ANOMALIES.some((re) => re.test(a))) report.problem(`zip structure: ${a}`);
    }
  } catch (err) {
    if (err instanceof ScanLimitError) report.problem(`more than ${report.limits.maxEntries} archive members`);
    else if (err instanceof ScanFormatError || err instanceof ScanUnscannableError) report.problem(`unreadable zip: ${err.message}`);
    else throw err;
    return null;
  }
  const members: ZipMember[] = [];
  const byPath = new Map<string, ZipMember>();
  const seen = new Set<string>();
  let encrypted = 0;
  let firstEncrypted = '';
  for (const e of entries) {
    const m: ZipMember = { entry: e, path: pythonName(e.name) };
    members.push(m);
    report.entry(m.path, m.path.endsWith('/') ? 'dir' : 'file', e.usize, e.name);
    if (e.localName !== undefined) report.unsafeName(e.localName);
    if (e.dataOffset + e.csize > src.size) report.problem(`member ${m.path} is truncated`);
    if (isEncrypted(e)) {
      if (encrypted++ === 0) firstEncrypted = m.path;
    }
    if (seen.has(m.path)) report.problem(`duplicate member name ${JSON.stringify(m.path)}`);
    seen.add(m.path);
    // Members hidden from the central directory are invisible to zipfile: never its answer.
    if (hasCentral && !e.inCentral) continue;
    const prev = byPath.get(m.path);
    if (prev === undefined || (e.inCentral && (!prev.entry.inCentral || (e.centralIndex ?? 0) > (prev.entry.centralIndex ?? 0)))) {
      byPath.set(m.path, m);
    }
  }
  if (encrypted > 0) report.problem(`${encrypted} encrypted member${encrypted === 1 ? '' : 's'} (${firstEncrypted}${encrypted > 1 ? ', …' : ''}) cannot be read`);
  return { src, members, byPath, signal };
}

function memberContext(cap: number, signal: AbortSignal): ScanContext {
  return {
    limits: resolveLimits({ maxMemberBytes: cap }),
    depth: 0,
    member: '',
    signal,
    // Members are inflated by streams, which wait: the signal is checked as they go.
    checkpoint: () => (signal.aborted ? Promise.reject(new ScanAbortedError('timeout')) : Promise.resolve()),
    report: () => undefined,
    scanNested: () => Promise.reject(new Error('python-dist reads members, it does not scan them')),
    refineFormat: () => undefined,
  };
}

export interface MemberContent {
  /** The member's bytes, or null when they could not be read. */
  readonly bytes: Uint8Array | null;
  /** Why the bytes are missing or not to be trusted as zipfile would return them. */
  readonly problem: string | null;
}

/** Reads a member under a byte cap, checking size and CRC as zipfile would. */
export async function readZipMember(zip: ZipArchive, m: ZipMember, cap: number): Promise<MemberContent> {
  const e = m.entry;
  if (isEncrypted(e)) return { bytes: null, problem: `${m.path} is encrypted` };
  if (e.usize > cap || (e.method === 0 && e.csize > cap)) return { bytes: null, problem: `${m.path} is larger than ${cap} bytes` };
  let bytes: Uint8Array;
  try {
    const content = await openMember(zip.src, e, memberContext(cap, zip.signal));
    bytes = await content.read(0, Math.min(content.size, cap + 1));
  } catch (err) {
    if (err instanceof ScanLimitError) return { bytes: null, problem: `${m.path} is larger than ${cap} bytes` };
    if (err instanceof ScanAbortedError) return { bytes: null, problem: 'the inspection ran out of time' };
    if (err instanceof ScanFormatError || err instanceof ScanUnscannableError) return { bytes: null, problem: `${m.path}: ${err.message}` };
    throw err;
  }
  if (bytes.length > cap) return { bytes: null, problem: `${m.path} is larger than ${cap} bytes` };
  if (e.method === 0 && bytes.length < e.csize) return { bytes, problem: `${m.path} is truncated` };
  // A streamed member listed only by its local header has no trustworthy size or CRC to compare.
  const unverifiable = !e.inCentral && (e.flags & FLAG_DESCRIPTOR) !== 0;
  if (!unverifiable && bytes.length !== e.usize) {
    return { bytes, problem: `${m.path} holds ${bytes.length} bytes but declares ${e.usize}` };
  }
  if (!unverifiable && (crc32(bytes) >>> 0) !== e.crc) return { bytes, problem: `${m.path} fails its CRC check` };
  return { bytes, problem: null };
}
