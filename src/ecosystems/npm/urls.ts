/** Airlock's own URLs for npm artifacts, relative to the repository's base URL. */
import { npmNameParts, type NpmPackageName } from '../../core/index.ts';

/** The conventional tarball file name: `<basename>-<version>.tgz` (no scope). */
export function tarballFilename(name: NpmPackageName, version: string): string {
  return `${npmNameParts(name).basename}-${version}.tgz`;
}

/** `<name>/-/<file>`; scoped names keep their slash (`@scope/name/-/name-1.0.0.tgz`), as npm does. */
export function tarballPath(name: NpmPackageName, version: string): string {
  return `${name}/-/${tarballFilename(name, version)}`;
}

/** The version a conventional tarball file name stands for, or null when it does not fit. */
export function versionFromFilename(name: NpmPackageName, filename: string): string | null {
  const prefix = `${npmNameParts(name).basename}-`;
  if (!filename.startsWith(prefix) || !filename.endsWith('.tgz')) return null;
  const version = filename.slice(prefix.length, -'.tgz'.length);
  return version === '' ? null : version;
}

/** The name as one path segment: `@scope%2fname` for scoped packages. */
export function escapedName(name: NpmPackageName): string {
  return name.replace('/', '%2f');
}

/** The attestation document's key in the document cache (the client-facing endpoint and the artifact check share it). */
export function attestationsKey(name: NpmPackageName, version: string): string {
  return `attestations:${name}@${version}`;
}

export function attestationsPath(name: NpmPackageName, version: string): string {
  return `-/npm/v1/attestations/${escapedName(name)}@${version}`;
}
