/**
 * Module specifiers a JavaScript file loads with a literal string: `require('./x')`,
 * `import('./x')`, `import './x'`, `import … from './x'` and `export … from './x'`. Found by
 * pattern, not by parsing: a specifier in a comment or a string is listed too, which only makes
 * the install-hook analysis read a file more. A specifier computed at run time cannot be found;
 * the obfuscation rules look for that. Each pattern is linear on hostile input (no nested
 * quantifiers). At most `MAX_SPECIFIERS` + 1 distinct specifiers are listed per file: one past the
 * bound on what the reader follows, which it then reports rather than cutting silently.
 */

const MAX_SPECIFIERS = 16_384;
const PATTERNS: readonly RegExp[] = [
  /\brequire\s{0,64}\(\s{0,64}(['"`])([^'"`\n]{1,1024})\1\s{0,64}\)/g,
  /\bimport\s{0,64}\(\s{0,64}(['"`])([^'"`\n]{1,1024})\1/g,
  /\bimport\s{0,64}(['"])([^'"\n]{1,1024})\1/g,
  /\bfrom\s{0,64}(['"])([^'"\n]{1,1024})\1/g,
];

/** The distinct literal module specifiers of a script, in order of appearance per pattern. */
export function moduleSpecifiers(source: string): string[] {
  const out = new Set<string>();
  for (const re of PATTERNS) {
    for (const m of source.matchAll(re)) {
      const spec = (m[2] as string).trim();
      if (spec !== '' && !spec.includes('${')) out.add(spec);
      if (out.size > MAX_SPECIFIERS) return [...out];
    }
  }
  return [...out];
}
