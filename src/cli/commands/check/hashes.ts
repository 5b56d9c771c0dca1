/**
 * Whether a requirements file's `--hash` pins name files the index lists. pip in hash-checking
 * mode installs any file whose hash is pinned, from wherever it finds it (`--find-links`, another
 * index, a cache): a pin of a file the index does not list for that version is a file that does
 * not come through Airlock, or another release than the one checked. The index lists sha256
 * digests (the check result's `distributions`), so sha256 pins are compared; pins of other
 * algorithms cannot be and are reported as such.
 */
import type { Requirement } from './requirements.ts';
import type { Result } from './render.ts';

export interface HashFinding {
  readonly path: string;
  readonly name: string;
  readonly version: string;
  readonly why: string;
}

function listedDigests(r: Result | undefined): Set<string> | null {
  const d = r?.['distributions'];
  if (!Array.isArray(d)) return null;
  const out = new Set<string>();
  for (const f of d as unknown[]) {
    const sha = (f as { readonly sha256?: unknown } | null)?.sha256;
    if (typeof sha === 'string') out.add(sha.toLowerCase());
  }
  return out;
}

/**
 * The pins of files the index does not list for the requirement's version. `results[i]` is the
 * check of `requirements[i]`; a requirement that was not judged (not found, an error) is already
 * reported by its result and is not looked at here.
 */
export function requirementHashes(requirements: readonly Requirement[], results: readonly Result[]): HashFinding[] {
  const out: HashFinding[] = [];
  requirements.forEach((req, i) => {
    if (req.hashes.length === 0) return;
    const listed = listedDigests(results[i]);
    if (listed === null) return;
    // A specifier's requirement: the version it resolved to (pip's hash-checking mode refuses it unpinned, but the pins are compared all the same).
    const version = typeof results[i]?.['version'] === 'string' ? (results[i]?.['version'] as string) : (req.version ?? req.specifier ?? '');
    const at = { path: `line ${req.line}`, name: req.name, version };
    for (const h of req.hashes) {
      if (h.algorithm !== 'sha256') out.push({ ...at, why: `${h.algorithm}:${h.hex.slice(0, 16)}… cannot be compared (the index lists sha256 digests)` });
      else if (!listed.has(h.hex)) out.push({ ...at, why: `sha256:${h.hex.slice(0, 16)}… is the hash of no file the index lists for ${req.name}==${version}` });
    }
  });
  return out;
}
