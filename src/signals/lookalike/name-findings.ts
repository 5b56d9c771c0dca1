/**
 * Findings about a name on its own, whatever it imitates: characters outside ASCII, invisible
 * characters, letters from several scripts. Registries that allow such names make them easy to
 * mistake for others, so each is a signal by itself.
 */
import { foldUnicode, invisibleCharacters } from './confusables.ts';
import { isAsciiName } from './names.ts';

export interface NameFindings {
  readonly non_ascii: boolean;
  /** Code points (`U+200B` …) of invisible characters in the name. */
  readonly invisible: readonly string[];
  /** Unicode scripts of the letters, when more than one (e.g. `Latin`, `Cyrillic`). */
  readonly mixed_scripts: readonly string[];
  /** The name folded to ASCII look-alikes (equal to the name when it is plain ASCII). */
  readonly ascii_folded: string;
}

const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Han', 'Arabic', 'Hebrew', 'Cherokee'] as const;
const SCRIPT_RES = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

function scriptsOf(text: string): string[] {
  const found = new Set<string>();
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    const hit = SCRIPT_RES.find(([, re]) => re.test(ch));
    found.add(hit === undefined ? 'Other' : hit[0]);
  }
  return [...found].sort();
}

export function nameFindings(name: string): NameFindings {
  const scripts = scriptsOf(name);
  return {
    non_ascii: !isAsciiName(name),
    invisible: invisibleCharacters(name),
    mixed_scripts: scripts.length > 1 ? scripts : [],
    ascii_folded: foldUnicode(name),
  };
}
