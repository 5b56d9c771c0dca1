/**
 * A tar sdist walked forward once, with the semantics of Python's tarfile (what pip and build
 * frontends extract with): ustar prefixes, GNU long names and links (`L`, `K`), pax `path`,
 * `linkpath` and `size` records (a global header setting one of them is a problem: tarfile
 * renames every member after a global path, and frames by a global size only under a local
 * header), data skipped only for regular and unknown types, and the first zero block ends the
 * archive. Only PKG-INFO and pyproject.toml are read; everything else is skipped unread. Headers
 * are decoded by core/tar, which is stricter than tarfile where tools disagree: a number with
 * bytes after its NUL and a path prefix without the ustar magic (tarfile joins it, tar and uv do
 * not) are problems, not read one way.
 */
import { TAR_BLOCK, TarHeaderError, isUstar, tarChecksum, tarLinkName, tarName, tarPadding, tarSize } from '../../core/tar/header.ts';
import { TarExtensions, parsePax, tarExtensionKind } from '../../core/tar/pax.ts';
import type { ForwardReader } from './forward-reader.ts';
import type { DistReport, EntryKind } from './dist-report.ts';
import type { SdistFacts } from './sdist.ts';

function kindOf(type: string, name: string): EntryKind | 'sparse' {
  switch (type) {
    case '0':
    case '7':
      return 'file';
    case '\0':
      // v7 tar: a regular file whose name ends with a slash is a directory.
      return name.endsWith('/') ? 'dir' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'dir';
    case 'S':
      return 'sparse';
    default:
      return 'other';
  }
}

/** Global pax records that would name or size members other than their own headers do. */
const GLOBAL_REFUSED = ['path', 'linkpath', 'size'];

/** Types tarfile knows; data follows the header only for regular files and unknown types. */
const KNOWN_TYPES = new Set(['0', '\0', '1', '2', '3', '4', '5', '6', '7']);

export async function walkSdistTar(reader: ForwardReader, report: DistReport, facts: SdistFacts, signal: AbortSignal): Promise<void> {
  try {
    await walk(reader, report, facts, signal);
  } catch (err) {
    // A header that cannot be decoded (a number, a pax record), named by its offset.
    if (!(err instanceof TarHeaderError)) throw err;
    report.problem(err.message);
  }
}

async function walk(reader: ForwardReader, report: DistReport, facts: SdistFacts, signal: AbortSignal): Promise<void> {
  const { limits } = report;
  const maxHeaders = 2 * limits.maxEntries + 16;
  const extBudget = 64 * limits.maxTextFileBytes;
  let headers = 0;
  let members = 0;
  let extBytes = 0;
  let otherBytes = 0;
  // Bounded by extBudget over the whole archive, below.
  const ext = new TarExtensions(extBudget);
  const globalPax = new Map<string, string>();
  const truncated = (): void => report.problem('tar archive is truncated');

  for (;;) {
    if (signal.aborted) {
      report.problem('the inspection ran out of time');
      return;
    }
    const at = reader.position;
    const h = await reader.read(TAR_BLOCK);
    if (h.length === 0) {
      report.problem(headers === 0 ? 'empty archive' : 'tar archive ends without an end-of-archive marker (truncated?)');
      return;
    }
    if (h.length < TAR_BLOCK) return truncated();
    if (h.every((x) => x === 0)) return;
    if (tarChecksum(h) === 'mismatch') {
      report.problem(headers === 0 ? 'not a tar archive' : `bad tar header checksum at ${at}: the rest of the archive is unread`);
      return;
    }
    if (++headers > maxHeaders) {
      report.problem(`more than ${maxHeaders} tar headers`);
      return;
    }
    let size = tarSize(h, at);
    const type = String.fromCharCode(h[156] as number);
    const extension = tarExtensionKind(h[156] as number);

    if (extension !== null) {
      extBytes += size;
      if (size > limits.maxTextFileBytes || extBytes > extBudget) {
        report.problem(`tar extended header of ${size} bytes at ${at} exceeds the limit`);
        return;
      }
      const data = await reader.read(size);
      if (data.length < size || (await reader.skip(tarPadding(size))) < tarPadding(size)) return truncated();
      if (extension === 'pax-global') {
        parsePax(data, at, globalPax);
        // tarfile names every member after it by a global path (the inspection would read PKG-INFO
        // where pip extracts setup.py); the other records it applies under a local pax header.
        const names = GLOBAL_REFUSED.find((k) => globalPax.has(k));
        if (names !== undefined) {
          report.problem(`tar header at ${at} is a global pax header setting ${names}: Python's tarfile applies it to the members after it`);
          return;
        }
      } else ext.add(extension, data, at, globalPax);
      continue;
    }

    // Long names and pax records override the header's own name (ustar prefix and name).
    const name = ext.path(tarName(h));
    const target = ext.linkPath(tarLinkName(h));
    size = ext.size(size, at);
    ext.clear();

    const kind = kindOf(type, name);
    if (kind === 'sparse') {
      report.problem(`GNU sparse member ${name} is not supported`);
      return;
    }
    if (!isUstar(h) && h[345] !== 0) {
      report.problem(`tar header at ${at} has a path prefix without the ustar magic: Python's tarfile joins it to the name, tar and uv do not`);
      return;
    }
    if (++members > limits.maxEntries) {
      report.problem(`more than ${limits.maxEntries} archive members`);
      return;
    }
    if (!report.entry(name, kind, size)) return;
    if (kind === 'symlink' || kind === 'hardlink') report.link(name, target, kind);
    const wanted = facts.want(name, kind);
    const hasData = kind === 'file' || !KNOWN_TYPES.has(type);
    if (!hasData) continue;
    if (kind !== 'file') {
      otherBytes += size;
      if (otherBytes + report.unpackedSize > limits.maxUnpackedBytes) {
        report.problem(`declared unpacked size exceeds the limit of ${limits.maxUnpackedBytes} bytes`);
        return;
      }
    }
    if (wanted !== null && size > wanted.cap) report.problem(`${name} is larger than ${wanted.cap} bytes`);
    if (wanted !== null && size <= wanted.cap) {
      const data = await reader.read(size);
      if (data.length < size) return truncated();
      facts.content(wanted, data);
    } else if ((await reader.skip(size)) < size) return truncated();
    if ((await reader.skip(tarPadding(size))) < tarPadding(size)) return truncated();
  }
}
