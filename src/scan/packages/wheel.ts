/**
 * Wheels (PEP 427/491) as pip installs them: the one `.dist-info` directory at the root holds
 * METADATA and entry_points.txt; `.pth` files at the root of site-packages run at interpreter
 * start; `<x>.data/scripts/` become executables.
 */
import { LIST_MAX, type DistReport } from './dist-report.ts';

/** `.pth` files read at most (each up to `maxTextFileBytes`): a real wheel has one or two. */
const MAX_PTH_READS = 2 * LIST_MAX;
import { readZipMember, type ZipArchive } from './dist-zip.ts';
import { isDataScript, isSitePth, topSegment } from './dist-paths.ts';
import { decodeText, parseCommands, parsePth } from './dist-text.ts';

export async function inspectWheelZip(zip: ZipArchive, report: DistReport): Promise<void> {
  const { limits } = report;
  // pip: every first path segment ending in `.dist-info` is a metadata directory; one is allowed.
  const distInfo = new Set<string>();
  for (const m of zip.members) {
    const top = topSegment(m.path);
    if (top.endsWith('.dist-info')) distInfo.add(top);
    if (isDataScript(m.path) && report.dataScripts.length < LIST_MAX) report.dataScripts.push(m.path);
  }
  if (distInfo.size > 1) {
    const names = [...distInfo].slice(0, 4).join(', ');
    report.problem(`${distInfo.size} .dist-info directories at the root (${names}${distInfo.size > 4 ? ', …' : ''})`);
  } else if (distInfo.size === 1) {
    const dir = [...distInfo][0] as string;
    const metadata = zip.byPath.get(`${dir}/METADATA`);
    if (metadata !== undefined) {
      const read = await readZipMember(zip, metadata, limits.maxMetadataBytes);
      if (read.problem !== null) report.problem(read.problem);
      // Served as the PEP 658 file: only bytes zipfile itself would return.
      else if (read.bytes !== null) report.setMetadata(read.bytes);
    }
    const entryPoints = zip.byPath.get(`${dir}/entry_points.txt`);
    if (entryPoints !== undefined) {
      const read = await readZipMember(zip, entryPoints, limits.maxTextFileBytes);
      if (read.problem !== null) report.problem(read.problem);
      if (read.bytes !== null) report.commands.push(...parseCommands(decodeText(read.bytes), LIST_MAX));
    }
  }
  // One read per name (the copy zipfile returns; duplicates and hidden members are problems of
  // their own), and a bounded number: past it, a .pth file is unread, so counted as executing.
  let reads = 0;
  for (const m of zip.byPath.values()) {
    if (!isSitePth(m.path) || m.path.endsWith('/')) continue;
    if (reads++ >= MAX_PTH_READS) {
      report.problem(`more than ${MAX_PTH_READS} .pth files`);
      report.pth(Object.freeze({ path: m.path, executes: true, lines: Object.freeze([]) }));
      continue;
    }
    const read = await readZipMember(zip, m, limits.maxTextFileBytes);
    if (read.problem !== null) report.problem(read.problem);
    // Unread means unknown: counted as executing (fail closed).
    const pth = read.bytes === null ? { executes: true, lines: [] } : parsePth(read.bytes);
    report.pth(Object.freeze({ path: m.path, executes: pth.executes, lines: Object.freeze([...pth.lines]) }));
  }
}
