/**
 * What a verified model manifest says of one file of the repository the gateway serves, given
 * the sha256 of the bytes it is about to serve:
 *
 * - `ignored`: the path is, or is inside, one of the manifest's ignore paths (those the signature
 *   records and model_signing's defaults: `.git`, `.gitattributes`, `.github`, `.gitignore`,
 *   `model.sig`) — the signature says nothing of it;
 * - `signed`: the manifest lists the path with this digest;
 * - `mismatch`: the manifest lists the path with another digest (the file was changed after
 *   signing);
 * - `unsigned`: the manifest does not list the path (a file added after signing).
 *
 * A single-file model (model_signing signed a file, not a directory: its one resource is named
 * `.`) is a repository whose only non-ignored file is that file, whatever it is called: every
 * non-ignored path is compared with the one digest, so the model file is `signed` and any other
 * non-ignored file is `mismatch` (a second file cannot be part of a single-file model).
 *
 * `path` is the file's path in the repository as the Hub lists it (POSIX, relative, no `./`);
 * names are compared exactly (case-sensitive), as model_signing compares them.
 */
import type { ModelFileCoverage, ModelManifest } from './types.ts';

/** Whether `path` is, or is inside, one of the manifest's ignore paths. */
export function isIgnoredModelPath(manifest: ModelManifest, path: string): boolean {
  return manifest.ignorePaths.some((p) => path === p || path.startsWith(`${p}/`));
}

export function modelFileCoverage(manifest: ModelManifest, path: string, sha256: string): ModelFileCoverage {
  if (isIgnoredModelPath(manifest, path)) return 'ignored';
  const single = manifest.files.size === 1 ? manifest.files.get('.') : undefined;
  const digest = single ?? manifest.files.get(path);
  if (digest === undefined) return 'unsigned';
  return digest === sha256.toLowerCase() ? 'signed' : 'mismatch';
}
