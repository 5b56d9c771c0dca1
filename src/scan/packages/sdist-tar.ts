/**
 * A tar sdist walked forward once, with the semantics of Python's tarfile (what pip and build
 * frontends extract with): ustar prefixes, GNU long names and links (`L`, `K`), pax `path`,
 * `linkpath` and `size` records (global ones only under a local header, as tarfile applies
 * them), data skipped only for regular and unknown types, and the first zero block ends the
 * archive. Only PKG-INFO and pyproject.toml are read; everything else is skipped unread.
 */
import { checksumOk } from '../formats/archives/tar.ts';
import type { ForwardReader } from './forward-reader.ts';
import type { DistReport, EntryKind } from './dist-report.ts';
import type { SdistFacts } from './sdist.ts';

const BLOCK = 512;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** tarfile's `nts`: up to the first NUL. */
function nts(b: Uint8Array, start = 0, len = b.length - start): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return utf8.decode(z < 0 ? s : s.subarray(0, z));
}

/** tarfile's `nti`: octal text, or GNU base-256 (0x80; 0xff is negative and refused). */
function nti(b: Uint8Array, start: number, len: number): number | undefined {
  const first = b[start] as number;
  if (first === 0x80) {
    let v = 0;
    for (let i = 1; i < len; i++) v = v * 256 + (b[start + i] as number);
    return Number.isSafeInteger(v) ? v : undefined;
  }
  if (first === 0xff) return undefined;
  const t = nts(b, start, len).trim();
  if (t === '') return 0;
  return /^[0-7]+$/.test(t) ? Number.parseInt(t, 8) : undefined;
}

/** pax records, `"<length> <key>=<value>\n"`, parsed by their length as tarfile does. */
function paxRecords(data: Uint8Array, into: Map<string, string>): boolean {
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    let p = pos;
    while (p < data.length && (data[p] as number) >= 0x30 && (data[p] as number) <= 0x39) p++;
    const length = Number.parseInt(utf8.decode(data.subarray(pos, p)), 10);
    if (p === pos || data[p] !== 0x20 || !(length > 0) || pos + length > data.length) return false;
    const eq = data.indexOf(0x3d, p + 1);
    if (eq < 0 || eq >= pos + length - 1) return false;
    into.set(utf8.decode(data.subarray(p + 1, eq)), utf8.decode(data.subarray(eq + 1, pos + length - 1)));
    pos += length;
  }
  return true;
}

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

/** Types tarfile knows; data follows the header only for regular files and unknown types. */
const KNOWN_TYPES = new Set(['0', '\0', '1', '2', '3', '4', '5', '6', '7']);

export async function walkSdistTar(reader: ForwardReader, report: DistReport, facts: SdistFacts, signal: AbortSignal): Promise<void> {
  const { limits } = report;
  const maxHeaders = 2 * limits.maxEntries + 16;
  const extBudget = 64 * limits.maxTextFileBytes;
  let headers = 0;
  let members = 0;
  let extBytes = 0;
  let otherBytes = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  const globalPax = new Map<string, string>();
  const truncated = (): void => report.problem('tar archive is truncated');

  for (;;) {
    if (signal.aborted) {
      report.problem('the inspection ran out of time');
      return;
    }
    const at = reader.position;
    const h = await reader.read(BLOCK);
    if (h.length === 0) {
      report.problem(headers === 0 ? 'empty archive' : 'tar archive ends without an end-of-archive marker (truncated?)');
      return;
    }
    if (h.length < BLOCK) return truncated();
    if (h.every((x) => x === 0)) return;
    if (!checksumOk(h)) {
      report.problem(headers === 0 ? 'not a tar archive' : `bad tar header checksum at ${at}: the rest of the archive is unread`);
      return;
    }
    if (++headers > maxHeaders) {
      report.problem(`more than ${maxHeaders} tar headers`);
      return;
    }
    let size = nti(h, 124, 12);
    if (size === undefined) {
      report.problem(`unreadable tar size field at ${at}`);
      return;
    }
    const type = String.fromCharCode(h[156] as number);
    const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

    if (type === 'L' || type === 'K' || type === 'x' || type === 'X' || type === 'g') {
      extBytes += size;
      if (size > limits.maxTextFileBytes || extBytes > extBudget) {
        report.problem(`tar extended header of ${size} bytes at ${at} exceeds the limit`);
        return;
      }
      const data = await reader.read(size);
      if (data.length < size || (await reader.skip(padding(size))) < padding(size)) return truncated();
      if (type === 'L') longName = nts(data);
      else if (type === 'K') longLink = nts(data);
      else {
        const into = type === 'g' ? globalPax : (pax ??= new Map(globalPax));
        if (!paxRecords(data, into)) {
          report.problem(`malformed pax header at ${at}`);
          return;
        }
      }
      continue;
    }

    // tarfile: the ustar prefix joins the name for all but GNU types; long names and pax override.
    const prefix = nts(h, 345, 155);
    let name = nts(h, 0, 100);
    if (prefix !== '') name = `${prefix}/${name}`;
    name = pax?.get('path') ?? longName ?? name;
    const target = pax?.get('linkpath') ?? longLink ?? nts(h, 157, 100);
    const paxSize = pax?.get('size');
    if (paxSize !== undefined) {
      if (!/^\d+$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize))) {
        report.problem(`unreadable pax size of ${name}`);
        return;
      }
      size = Number(paxSize);
    }
    longName = undefined;
    longLink = undefined;
    pax = undefined;

    const kind = kindOf(type, name);
    if (kind === 'sparse') {
      report.problem(`GNU sparse member ${name} is not supported`);
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
    if ((await reader.skip(padding(size))) < padding(size)) return truncated();
  }
}
