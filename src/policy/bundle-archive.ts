/**
 * The files of a policy bundle archive (OPA's format: a gzipped tar), read from bytes under
 * limits. Hostile input: the compressed and the unpacked size, the number of entries, each path's
 * length and each file's size are capped; header checksums are checked; links, devices and
 * anything but regular files and directories are refused, and so are paths that step out of the
 * bundle (`..`), are not written one way only (`a//b`, `./a`, `\`), or name a file twice. Nothing
 * is written to disk: the files come back in memory, by their path inside the bundle.
 *
 * A single leading `/` (or `./`) is the bundle's root, not the filesystem's: `opa build` writes every
 * entry as `/policy.rego`, `/data.json`, `tar -C dir .` as `./policy.rego`, and OPA reads them
 * bundle-relative, as this does. Anything more (`//etc`, `/./a`, `a/../b`) is refused.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { AirlockError } from '../core/index.ts';
import { TAR_BLOCK, TarHeaderError, isZeroBlock, tarChecksum, tarName, tarSize } from '../core/tar/header.ts';
import { TarExtensions, tarExtensionKind } from '../core/tar/pax.ts';

const gunzipAsync = promisify(gunzip);

export interface BundleArchiveLimits {
  /** Bytes of the gzipped archive. */
  readonly maxCompressedBytes: number;
  /** Bytes of the tar once decompressed (headers and padding included). */
  readonly maxUnpackedBytes: number;
  /** Entries (files and directories). */
  readonly maxFiles: number;
  /** Characters of one entry's path. */
  readonly maxPathLength: number;
  /** Bytes of one file. */
  readonly maxFileBytes: number;
}

export const DEFAULT_BUNDLE_ARCHIVE_LIMITS: BundleArchiveLimits = Object.freeze({
  maxCompressedBytes: 16 * 1024 * 1024,
  maxUnpackedBytes: 64 * 1024 * 1024,
  maxFiles: 2000,
  maxPathLength: 1024,
  maxFileBytes: 8 * 1024 * 1024,
});

export interface BundleFile {
  /** The path inside the bundle, without a leading `/` (`airlock/policy.rego`). */
  readonly path: string;
  readonly bytes: Buffer;
}

const latin1 = new TextDecoder('latin1');
/** Bytes of the extended headers (pax, GNU long names) of one entry. */
const MAX_EXTENDED_BYTES = 64 * 1024;

function refuse(message: string): never {
  throw new AirlockError('POLICY_ERROR', `policy bundle: ${message}`);
}

/** The entry's path inside the bundle, or a refusal saying why it cannot be one. */
export function bundlePath(raw: string, maxLength: number): string {
  const shown = JSON.stringify(raw.slice(0, 200));
  if (raw.length > maxLength) refuse(`the path ${shown}… is longer than ${maxLength} characters`);
  if (raw.includes('\\')) refuse(`the path ${shown} contains a backslash`);
  if (/[\0-\x1f\x7f]/.test(raw)) refuse(`the path ${shown} contains a control character`);
  const rel = raw.startsWith('./') ? raw.slice(2) : raw.startsWith('/') ? raw.slice(1) : raw;
  if (rel === '') refuse(`the path ${shown} names no file`);
  const parts = rel.split('/');
  for (const p of parts) {
    if (p === '..') refuse(`the path ${shown} steps out of the bundle (..)`);
    if (p === '' || p === '.') refuse(`the path ${shown} is not in normal form (an absolute path, an empty or a . component)`);
  }
  if (/^[A-Za-z]:$/.test(parts[0] as string)) refuse(`the path ${shown} names a drive`);
  return rel;
}

/** The tar inside a gzip, each regular file's bytes by its bundle path. */
export async function readBundleArchive(bytes: Buffer, limits: BundleArchiveLimits = DEFAULT_BUNDLE_ARCHIVE_LIMITS): Promise<readonly BundleFile[]> {
  if (bytes.length > limits.maxCompressedBytes) refuse(`the archive is ${bytes.length} bytes; at most ${limits.maxCompressedBytes}`);
  // A server that sends the .tar.gz with Content-Encoding: gzip has it decoded on the way: a tar.
  if (bytes.length >= TAR_BLOCK && bytes.length <= limits.maxUnpackedBytes && latin1.decode(bytes.subarray(257, 262)) === 'ustar') return readTar(bytes, limits);
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) refuse('not a gzip file (a bundle is a .tar.gz)');
  let tar: Buffer;
  try {
    tar = await gunzipAsync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') refuse(`the archive unpacks to more than ${limits.maxUnpackedBytes} bytes`);
    refuse(`the gzip stream is corrupt (${err instanceof Error ? err.message : String(err)})`);
  }
  return readTar(tar, limits);
}

function readTar(tar: Buffer, limits: BundleArchiveLimits): readonly BundleFile[] {
  try {
    return readTarEntries(tar, limits);
  } catch (err) {
    if (err instanceof TarHeaderError) refuse(err.message);
    throw err;
  }
}

function readTarEntries(tar: Buffer, limits: BundleArchiveLimits): readonly BundleFile[] {
  const files: BundleFile[] = [];
  const seen = new Set<string>();
  const ext = new TarExtensions(MAX_EXTENDED_BYTES);
  let entries = 0;
  let pos = 0;
  let ended = false;
  while (pos + TAR_BLOCK <= tar.length) {
    const at = pos;
    const h = tar.subarray(at, at + TAR_BLOCK);
    if (isZeroBlock(h)) {
      ended = true;
      break;
    }
    if (tarChecksum(h) === 'mismatch') refuse(`the tar header at byte ${at} has a wrong checksum (not a tar, or a corrupt one)`);
    const type = String.fromCharCode(h[156] as number);
    const kind = tarExtensionKind(h[156] as number);
    const own = tarSize(h, at);
    // Extended headers describe the entry after them, and a pax size is that entry's size.
    const size = kind === null ? ext.size(own, at) : own;
    const dataStart = at + TAR_BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) refuse('the tar archive is truncated');
    const data = tar.subarray(dataStart, dataEnd);
    pos = dataStart + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    if (++entries > limits.maxFiles * 2 + 16) refuse(`more than ${limits.maxFiles} entries`);
    if (kind === 'pax-global') continue; // global pax records (git archive's comment): nothing a bundle needs.
    if (kind !== null) {
      if (size > MAX_EXTENDED_BYTES) refuse('an extended header is larger than 64 KiB');
      ext.reserve(size, at);
      ext.add(kind, data, at);
      continue;
    }
    const name = ext.path(tarName(h));
    ext.clear();
    const isDir = type === '5' || ((type === '0' || type === '\0') && name.endsWith('/'));
    if (type === '1' || type === '2') refuse(`${JSON.stringify(name.slice(0, 200))} is a ${type === '2' ? 'symbolic' : 'hard'} link; a bundle holds regular files only`);
    if (!isDir && type !== '0' && type !== '\0' && type !== '7') refuse(`${JSON.stringify(name.slice(0, 200))} is a tar entry of type ${JSON.stringify(type)}; a bundle holds regular files and directories only`);
    if (isDir) {
      // The root itself (`./`, `/`) or a folder: checked as a path, nothing to keep.
      const dir = name.replace(/\/$/, '');
      if (dir !== '' && dir !== '.') bundlePath(dir, limits.maxPathLength);
      continue;
    }
    const path = bundlePath(name, limits.maxPathLength);
    if (files.length >= limits.maxFiles) refuse(`more than ${limits.maxFiles} files`);
    if (size > limits.maxFileBytes) refuse(`${path} is ${size} bytes; at most ${limits.maxFileBytes} a file`);
    if (seen.has(path)) refuse(`${path} appears twice in the archive`);
    seen.add(path);
    files.push({ path, bytes: Buffer.from(data) });
  }
  if (!ended && pos !== tar.length) refuse('the tar archive is truncated');
  if (ext.longName !== null || ext.pax !== null) refuse('the tar archive ends inside an entry');
  return files;
}
