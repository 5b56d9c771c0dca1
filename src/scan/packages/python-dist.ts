/**
 * Inspection of Python distribution files (wheels, sdists): the facts a gate judges a package
 * by — its exact core metadata, what runs at install, build or interpreter start, native code,
 * paths unsafe to extract — read under limits, never executed. The format is identified by
 * magic bytes (zip for wheels; gzip'd tar, plain tar or legacy zip for sdists), not by name.
 * Bad archive content never throws: it is reported in `problem` with whatever was learnt.
 */
import type { ByteSource } from '../types.ts';
import { ScanFormatError } from '../engine/errors.ts';
import { looksLikeTar } from '../formats/archives/tar.ts';
import { DistReport } from './dist-report.ts';
import { openZip } from './dist-zip.ts';
import { GunzipReader, SourceReader, type ForwardReader } from './forward-reader.ts';
import { inspectSdistZip, SdistFacts } from './sdist.ts';
import { walkSdistTar } from './sdist-tar.ts';
import { inspectWheelZip } from './wheel.ts';
import type { PythonMetadataFields } from './dist-text.ts';

export type { PythonMetadataFields } from './dist-text.ts';

export interface PythonDistLimits {
  /** Archive members (tar: entries other than extended headers). */
  readonly maxEntries: number;
  /** METADATA / PKG-INFO larger than this is a problem (and is not returned). */
  readonly maxMetadataBytes: number;
  /** `.pth`, entry_points.txt, pyproject.toml (and tar long-name / pax headers) read for facts. */
  readonly maxTextFileBytes: number;
  /** Sum of declared member sizes beyond this is a problem; a tar.gz is not inflated past it. */
  readonly maxUnpackedBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const DEFAULT_PYTHON_DIST_LIMITS: PythonDistLimits = Object.freeze({
  maxEntries: 100_000,
  maxMetadataBytes: 1 * MiB,
  maxTextFileBytes: 256 * KiB,
  maxUnpackedBytes: 8 * GiB,
});

export interface PthFile {
  readonly path: string;
  /** A line starting with `import ` or `import\t` (site.py executes those at every interpreter start). */
  readonly executes: boolean;
  /** The executable lines, first 16, each cut to 512 chars. */
  readonly lines: readonly string[];
}

export interface PythonDistInspection {
  readonly kind: 'wheel' | 'sdist';
  /** Regular files. */
  readonly fileCount: number;
  /** Sum of the declared sizes of regular files. */
  readonly unpackedSize: number;
  /** Members whose path is absolute, has `..` segments, backslashes, drive letters or NUL, and tar links pointing outside (`name -> target`) — first 64. */
  readonly unsafePaths: readonly string[];
  /** Wheel: the exact bytes of `<name>-<ver>.dist-info/METADATA` (the one dist-info dir at the root). Sdist: `<top>/PKG-INFO` bytes. Null when absent or unreadable. */
  readonly metadata: Buffer | null;
  /** Parsed from `metadata` (RFC 822 headers, first occurrence; values cut to 1024 chars). */
  readonly metadataFields: PythonMetadataFields;
  /** Wheels: `.pth` files at the root of site-packages (top level or `<x>.data/purelib|platlib/`); at most 64, executing ones first. */
  readonly pthFiles: readonly PthFile[];
  /** console_scripts and gui_scripts names from the wheel's entry_points.txt, first 64. */
  readonly commands: readonly string[];
  /** Sdist: `setup.py` in the project directory (`<top>/` or the archive root). Wheels: false. */
  readonly hasSetupPy: boolean;
  /**
   * Sdist: the setup.py building runs (of the PKG-INFO's directory, else the first one found),
   * decoded as UTF-8, for the install-behaviour analysis; null when there is none or it is a link.
   * One larger than `maxTextFileBytes` is a problem, not read.
   */
  readonly setupPy: { readonly path: string; readonly text: string } | null;
  /** Sdist: pyproject.toml `[build-system] build-backend`, null when absent. Wheels: null. */
  readonly buildBackend: string | null;
  /** Wheel: files under `<x>.data/scripts/` (installed as executables), first 64. */
  readonly dataScripts: readonly string[];
  /** Native code shipped: paths ending .so (versioned too), .pyd, .dll, .dylib — first 64. */
  readonly nativeLibraries: readonly string[];
  /** Why the archive could not be read completely (corrupt, truncated, encrypted, ambiguous, a limit hit), or null. */
  readonly problem: string | null;
}

type Container = 'zip' | 'gzip' | 'tar' | 'bzip2' | 'xz' | 'unknown';

function sniff(head: Uint8Array): Container {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0) return 'xz';
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return 'zip';
  return looksLikeTar(head) ? 'tar' : 'unknown';
}

function checkLimits(limits: PythonDistLimits): void {
  for (const key of ['maxEntries', 'maxMetadataBytes', 'maxTextFileBytes', 'maxUnpackedBytes'] as const) {
    const v = limits[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`python dist limit ${key} must be a non-negative finite number, got ${String(v)}`);
    }
  }
}

async function walkTar(reader: ForwardReader, report: DistReport, signal: AbortSignal): Promise<void> {
  const facts = new SdistFacts(report);
  try {
    await walkSdistTar(reader, report, facts, signal);
  } catch (err) {
    if (!(err instanceof ScanFormatError)) throw err;
    report.problem(err.message);
  } finally {
    await reader.close();
    facts.finish();
  }
}

/**
 * Inspects a wheel or an sdist. Throws only for I/O errors from `source` (and a `RangeError`
 * for invalid limits); everything wrong with the content is in `problem`.
 */
export async function inspectPythonDist(
  source: ByteSource,
  kind: 'wheel' | 'sdist',
  limits: PythonDistLimits = DEFAULT_PYTHON_DIST_LIMITS,
  /** Ends the inspection early (a deadline): what is left unread is a problem, never a pass. */
  signal: AbortSignal = new AbortController().signal,
): Promise<PythonDistInspection> {
  if (kind !== 'wheel' && kind !== 'sdist') throw new TypeError(`unknown distribution kind ${String(kind)}`);
  checkLimits(limits);
  const report = new DistReport(limits);
  const container = source.size === 0 ? 'unknown' : sniff(await source.read(0, 512));
  if (source.size === 0) {
    report.problem('empty file');
  } else if (kind === 'wheel') {
    if (container !== 'zip') report.problem('not a zip archive (a wheel must be one)');
    else {
      const zip = await openZip(source, report, signal);
      if (zip !== null) await inspectWheelZip(zip, report);
    }
  } else if (container === 'zip') {
    const zip = await openZip(source, report, signal);
    if (zip !== null) await inspectSdistZip(zip, report);
  } else if (container === 'gzip') {
    await walkTar(new GunzipReader(source), report, signal);
  } else if (container === 'tar') {
    await walkTar(new SourceReader(source), report, signal);
  } else if (container === 'bzip2' || container === 'xz') {
    // Legacy .tar.bz2 / .tar.xz sdists (no longer accepted by PyPI, PEP 625) are not unpacked here.
    report.problem(`${container}-compressed sdists are not supported`);
  } else {
    report.problem('not a gzip, tar or zip archive');
  }
  return report.result(kind);
}
