/**
 * The PyPI facts Airlock puts in `input.facts` (documented in docs/facts/pypi.md). Metadata-phase
 * facts come from the files a project page lists for a version; the artifact phase adds `tarball`
 * (the generic name of an artifact's content facts) from the inspection of the wheel or sdist.
 * Every list is bounded: a hostile page or archive cannot blow up the policy input.
 */
import { digestHex, normalizePypiName, samePep440, sha256Of } from '../../core/index.ts';
import type { Facts } from '../../gate/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import type { PythonDistInspection } from '../../scan/index.ts';
import type { ListedFile } from './project-service.ts';

const MAX_TEXT = 1024;
const MAX_LIST = 64;

function text(x: string | null): string | null {
  return x === null ? null : x.slice(0, MAX_TEXT);
}

/** What pip runs to install a version that ships no wheel: the sdist's build (setup.py or its build backend). */
export const SDIST_BUILD = 'pip builds the sdist, which runs its setup.py or build backend';

/** The earliest upload time of these files (RFC 3339), or null when the index gives none (HTML pages never do). */
export function earliestUpload(files: readonly ListedFile[]): string | null {
  let first: string | null = null;
  for (const f of files) {
    const t = f.file.uploadTime;
    if (t !== null && (first === null || Date.parse(t) < Date.parse(first))) first = t;
  }
  return first === null ? null : new Date(Date.parse(first)).toISOString();
}

/**
 * A version's metadata-phase facts, from its files on the project page. A version with no wheel
 * runs code when pip installs it (it builds the sdist), so it has an install script; one with
 * wheels need not (pip prefers a wheel it can use).
 */
export function versionFacts(files: readonly ListedFile[], packageCreatedAt: string | null): Facts {
  const wheels = files.filter((f) => f.kind === 'wheel').length;
  const sdists = files.length - wheels;
  // Yanked when every file of it is (PEP 592 yanks files; PyPI yanks a release's files together).
  const yanked = files.every((f) => f.file.yanked !== false) ? (files.find((f) => typeof f.file.yanked === 'string')?.file.yanked ?? true) : false;
  const requiresPython = files.find((f) => f.file.requiresPython !== null)?.file.requiresPython ?? null;
  return {
    published_at: earliestUpload(files),
    package_created_at: packageCreatedAt,
    deprecated: null,
    yanked: typeof yanked === 'string' ? yanked.slice(0, MAX_TEXT) : yanked,
    requires_python: text(requiresPython),
    has_install_script: wheels === 0,
    install_scripts: wheels === 0 ? { build: SDIST_BUILD } : {},
    integrity_algorithms: ['sha256'],
    files: { count: files.length, wheels, sdists, names: files.slice(0, MAX_LIST).map((f) => f.file.filename) },
    provenance: files.some((f) => f.file.provenance !== null),
  };
}

/** Whether two project names are one (PEP 503): `Acme_Billing` is `acme-billing`; an invalid name is no name. */
export function sameName(a: string, b: string): boolean {
  try {
    return normalizePypiName(a) === normalizePypiName(b);
  } catch {
    return false;
  }
}

/**
 * Whether a wheel's METADATA is, byte for byte, the core metadata file (PEP 658) the page lists
 * for it by sha256. pip resolves a version's dependencies from that file before it downloads the
 * wheel, and the policy judges the wheel's own: the two must be one text. True when there is
 * nothing to compare (an sdist, no hash on the page, no METADATA read).
 */
function servedMetadataMatches(listed: ListedFile, inspection: PythonDistInspection): boolean {
  const advertised = listed.file.coreMetadata;
  const want = typeof advertised === 'object' ? advertised['sha256']?.toLowerCase() : undefined;
  if (inspection.kind !== 'wheel' || want === undefined || inspection.metadata === null) return true;
  return digestHex(sha256Of(inspection.metadata)) === want;
}

/**
 * The artifact's content facts (`input.facts.tarball`): what the wheel or sdist is, what it runs
 * and whether its own metadata names the project and version it is listed as.
 */
export function distributionFacts(listed: ListedFile, project: string, size: number, sha256: string, inspection: PythonDistInspection): { [k: string]: Json } {
  const m = inspection.metadataFields;
  const executingPth = inspection.pthFiles.filter((p) => p.executes);
  const installScripts: { [k: string]: Json } = {};
  // What building the sdist runs: its setup.py (the text, for the install-behaviour analysis), or its build backend.
  if (inspection.kind === 'sdist') {
    if (inspection.setupPy !== null) installScripts['setup.py'] = inspection.setupPy.text;
    else installScripts['build'] = inspection.hasSetupPy ? 'setup.py (a link)' : inspection.buildBackend === null ? SDIST_BUILD : `the build backend ${inspection.buildBackend.slice(0, 200)}`;
  }
  for (const p of executingPth.slice(0, MAX_LIST)) installScripts[`startup:${p.path}`] = p.lines.join('\n');
  const mismatch: string[] = [];
  if (m.name !== null && !sameName(m.name, project)) mismatch.push(`its metadata names the project ${m.name.slice(0, 200)}`);
  if (m.version !== null && !samePep440(m.version, listed.version)) mismatch.push(`its metadata names the version ${m.version.slice(0, 100)}`);
  if (!servedMetadataMatches(listed, inspection)) mismatch.push('its METADATA is not the core metadata file the index serves for it (their sha256 differ), which pip resolves from');
  return {
    kind: inspection.kind,
    filename: listed.file.filename,
    size,
    sha256,
    integrity_verified: true,
    verified_algorithms: ['sha256'],
    file_count: inspection.fileCount,
    unpacked_size: inspection.unpackedSize,
    unsafe_paths: inspection.unsafePaths.slice(0, MAX_LIST),
    inspection_error: inspection.problem,
    metadata_name: text(m.name),
    metadata_version: text(m.version),
    metadata_mismatch: mismatch.length === 0 ? null : mismatch.join('; '),
    requires_dist: m.requiresDist.slice(0, MAX_LIST).map((r) => r.slice(0, 256)),
    has_install_script: Object.keys(installScripts).length > 0,
    install_scripts: installScripts,
    startup_hooks: executingPth.slice(0, MAX_LIST).map((p) => p.path),
    commands: inspection.commands.slice(0, MAX_LIST),
    data_scripts: inspection.dataScripts.slice(0, MAX_LIST),
    native_libraries: inspection.nativeLibraries.slice(0, MAX_LIST),
  };
}
