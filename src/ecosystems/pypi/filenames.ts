/** What a distribution file's name says: which project and version, and for wheels the tags. */
import { normalizePypiName, parsePep440 } from '../../core/index.ts';

export type DistKind = 'wheel' | 'sdist';

export interface DistName {
  readonly kind: DistKind;
  /** As written in the filename, not normalized. */
  readonly version: string;
  /** wheel tags (python-abi-platform), null for sdists */
  readonly tags: string | null;
}

// Longest first: `.tar.gz` must not be taken for something else ending in `.gz`.
const SDIST_SUFFIXES = ['.tar.bz2', '.tar.gz', '.tar.xz', '.tgz', '.zip'] as const;
const TAG_RE = /^[A-Za-z0-9_.]+$/;
const BUILD_RE = /^[0-9][A-Za-z0-9_.]*$/;
// parsePep440 forgives surrounding whitespace; a filename must not carry any.
const VERSION_CHARS_RE = /^[A-Za-z0-9.!+_-]+$/;

/**
 * The version a distribution file is of, for the project `normalizedName` (PEP 503-normalized).
 * Wheels: `{name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl`. Sdists: `.tar.gz` and the legacy
 * `.zip`, `.tar.bz2`, `.tgz`, `.tar.xz`; their name part may itself hold dashes, so the split is
 * the one where the prefix normalizes to the project and the rest is a PEP 440 version. Null for
 * other formats (.egg, .exe, .msi …), another project's files, or versions that do not parse.
 */
export function parseDistFilename(filename: string, normalizedName: string): DistName | null {
  if (filename.length > 255 || filename.includes('/') || filename.includes('\\')) return null;
  if (filename.endsWith('.whl')) return wheelName(filename.slice(0, -'.whl'.length), normalizedName);
  const suffix = SDIST_SUFFIXES.find((s) => filename.endsWith(s));
  return suffix === undefined ? null : sdistName(filename.slice(0, -suffix.length), normalizedName);
}

function wheelName(stem: string, normalizedName: string): DistName | null {
  // PEP 427 escapes `-` in every part to `_`, so the dashes split the parts exactly.
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const [name = '', version = '', build = ''] = parts;
  if (parts.length === 6 && !BUILD_RE.test(build)) return null;
  const tags = parts.slice(-3);
  if (!tags.every((t) => TAG_RE.test(t)) || !isVersion(version) || !isProject(name, normalizedName)) return null;
  return { kind: 'wheel', version, tags: tags.join('-') };
}

function sdistName(stem: string, normalizedName: string): DistName | null {
  for (let dash = stem.indexOf('-'); dash !== -1; dash = stem.indexOf('-', dash + 1)) {
    const version = stem.slice(dash + 1);
    if (isProject(stem.slice(0, dash), normalizedName) && isVersion(version)) return { kind: 'sdist', version, tags: null };
  }
  return null;
}

function isVersion(text: string): boolean {
  return VERSION_CHARS_RE.test(text) && parsePep440(text) !== null;
}

function isProject(text: string, normalizedName: string): boolean {
  try {
    return normalizePypiName(text) === normalizedName;
  } catch {
    return false; // not a valid project name, so not this project
  }
}
