/**
 * Does a path stored in a model file stay inside the model's directory? Used for ONNX external
 * data locations, TensorFlow save/restore prefixes, Keras vocabulary files. Judged on the string
 * alone, for both POSIX and Windows readers, since the scanner cannot see the loader's
 * filesystem: anything that is absolute, climbs with `..`, names a drive, a share, a device or a
 * URL scheme, or expands (`~`, `$VAR`, `%VAR%`) escapes.
 */

/** Returns why `location` escapes its base directory, or `undefined` when it stays inside. */
export function pathEscape(location: string): string | undefined {
  if (location.length === 0) return 'empty path';
  if (location.includes('\0')) return 'contains a NUL byte';
  if (location.includes('\ufffd')) return 'contains bytes that are not UTF-8';
  if (location.startsWith('/')) return 'absolute POSIX path';
  if (location.startsWith('\\\\') || location.startsWith('//')) return 'UNC or device path';
  if (location.startsWith('\\')) return 'rooted Windows path';
  if (/^[A-Za-z]:/.test(location)) return 'Windows drive path';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) return 'URL or scheme-qualified path';
  if (location.startsWith('~')) return 'home-directory path';
  if (/\$\{?[A-Za-z_]|%[A-Za-z_][A-Za-z0-9_]*%/.test(location)) return 'contains an environment-variable reference';
  const segments = location.split(/[\\/]+/);
  for (const s of segments) {
    if (s === '..') return 'climbs out of the directory with ..';
    // Windows strips trailing dots and spaces: "... " and ".. ." resolve to "..".
    if (/^\.\.[. ]*$/.test(s)) return 'climbs out of the directory with a dotted segment';
  }
  return undefined;
}
