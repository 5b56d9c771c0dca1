/**
 * The two name spellings Python packaging uses: PEP 503 project names (URLs, the index's own
 * keys) and the escaped form in file names (wheel and PEP 625 sdist names, `.dist-info` folders).
 */

/** PEP 503: lower-case, each run of `-`, `_`, `.` becomes one `-`. `Foo_Bar.baz` → `foo-bar-baz`. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The distribution name as it appears in file names: each run of `-`, `_`, `.` becomes `_`, lower-case. */
export function fileNameComponent(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}

/** The version a distribution file name carries (wheel: second field; sdist: after the last `-`). */
export function versionOfFilename(filename: string): string {
  if (filename.endsWith('.whl')) return filename.split('-')[1] ?? '';
  const base = filename.replace(/\.(tar\.gz|tar\.bz2|tgz|zip)$/, '');
  return base.slice(base.lastIndexOf('-') + 1);
}

/** Orders versions by their numeric release segments (enough for fixtures; not full PEP 440). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : -1) : 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}
