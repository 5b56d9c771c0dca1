/** Member paths of Python distributions: what is unsafe to extract, what is native code, where files land. */

/** Absolute, `..` segments, backslashes, drive letters or NUL: unsafe to extract as given. */
export function isUnsafePath(p: string): boolean {
  return (
    p.startsWith('/') ||
    p.includes('\\') ||
    p.includes('\0') ||
    /^[A-Za-z]:/.test(p) ||
    p.split('/').includes('..')
  );
}

/** Resolves `..` and `.`; null when the path climbs above the archive root. */
function normalize(segments: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const s of segments) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(s);
  }
  return out;
}

/**
 * A tar link whose target leaves the extraction directory: symlinks resolve against the link's
 * own directory, hard links against the archive root.
 */
export function linkEscapes(name: string, target: string, kind: 'symlink' | 'hardlink'): boolean {
  if (target === '') return false;
  if (target.startsWith('/') || target.includes('\\') || target.includes('\0') || /^[A-Za-z]:/.test(target)) return true;
  const base = kind === 'symlink' ? name.split('/').slice(0, -1) : [];
  return normalize([...base, ...target.split('/')]) === null;
}

/** `.so` (versioned too: `libfoo.so.1.2`), `.pyd`, `.dll`, `.dylib`. */
export function isNativeLibrary(p: string): boolean {
  return /\.(?:so(?:\.\d+)*|pyd|dll|dylib)$/i.test(p);
}

/** Leading `./` segments dropped (some tar writers emit them); used to locate files, not to judge safety. */
export function stripDotSlash(p: string): string {
  let s = p;
  while (s.startsWith('./')) s = s.slice(2);
  return s;
}

/** The first path segment (pip's view of a wheel's top-level directories). */
export function topSegment(p: string): string {
  const i = p.indexOf('/');
  return i < 0 ? p : p.slice(0, i);
}

/** A `.pth` installed into site-packages: at the wheel root or at the root of `<x>.data/purelib|platlib/`. */
export function isSitePth(p: string): boolean {
  return /^[^/]+\.pth$/.test(p) || /^[^/]+\.data\/(?:purelib|platlib)\/[^/]+\.pth$/.test(p);
}

/** A file under `<x>.data/scripts/`: installed into the scripts directory as an executable. */
export function isDataScript(p: string): boolean {
  return /^[^/]+\.data\/scripts\/./.test(p) && !p.endsWith('/');
}
