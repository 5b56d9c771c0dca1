/**
 * The query sets of the look-alike equivalence test (`equivalence.test.ts`): every popular name
 * asked of an index built from the other half of the list, and a large seeded set of perturbed
 * names asked of the index as shipped — typos of every kind, double typos, homoglyphs (ASCII and
 * Unicode), separator changes, affixes and digits, scope changes, reordered and dropped words,
 * dropped vowels, random names and edge cases (very long, empty-ish, non-ASCII).
 *
 * Deterministic: the same lists give the same queries in the same order. Written for the test
 * and independent of the engine's own tables.
 */
import { seededRandom } from '../../../../test/support/seeded-random.ts';
import type { PopularName } from '../types.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALPHABET = `${LETTERS}0123456789`;
/** A few QWERTY neighbours per key (test data only; the engine has its own layout). */
const NEAR: Readonly<Record<string, string>> = {
  a: 'qwsz', b: 'vghn', c: 'xdfv', d: 'serfcx', e: 'wsdr', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', i: 'ujko',
  j: 'huikmn', k: 'jiolm', l: 'kop', m: 'njk', n: 'bhjm', o: 'iklp', p: 'ol', q: 'wa', r: 'edft', s: 'awedxz',
  t: 'rfgy', u: 'yhji', v: 'cfgb', w: 'qase', x: 'zsdc', y: 'tghu', z: 'asx',
};
const ASCII_LOOKALIKES: readonly (readonly [string, string])[] = [
  ['o', '0'], ['l', '1'], ['i', '1'], ['l', 'i'], ['i', 'l'], ['m', 'rn'], ['w', 'vv'], ['d', 'cl'], ['s', '5'], ['e', '3'], ['a', '4'], ['b', '8'], ['g', '9'],
];
const UNICODE_LOOKALIKES: Readonly<Record<string, string>> = { a: 'аα', e: 'еé', o: 'оο', c: 'с', p: 'р', x: 'х', i: 'іı', s: 'ѕ', y: 'у', k: 'к' };
const PREFIXES = ['node-', 'js-', 'py-', 'python-', 'react-', 'vue-', 'the-', 'fast-', 'secure-', 'get-', '@types/'];
const SUFFIXES = ['-js', 'js', '-cli', '-utils', '-dev', '-lib', '-api', '-core', '-sdk', '-plus', '-official', '2', '-2', '3', '-v2', '-1.0.0', '-4.18.2', '-123456', '.js', '_py', 'py', '-node', '-helper', 's'];
const SCOPES = ['evil', 'x', 'types', 'babel', 'npm', 'ctrl', 'angular', 'aws-sdk', 'vue', 'nodejs', 'js', 'lodash'];
const SEPARATORS = ['-', '_', '.', ''];

type Rand = () => number;

const pickFrom = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const at = (rand: Rand, s: string): number => Math.floor(rand() * Math.max(s.length, 1));

function omit(rand: Rand, s: string): string {
  const i = at(rand, s);
  return s.slice(0, i) + s.slice(i + 1);
}
function insert(rand: Rand, s: string): string {
  const i = Math.floor(rand() * (s.length + 1));
  return s.slice(0, i) + pickFrom(rand, [...ALPHABET]) + s.slice(i);
}
function repeat(rand: Rand, s: string): string {
  const i = at(rand, s);
  return s.slice(0, i + 1) + s.slice(i);
}
function substitute(rand: Rand, s: string): string {
  const i = at(rand, s);
  return s.slice(0, i) + pickFrom(rand, [...LETTERS]) + s.slice(i + 1);
}
function keyboard(rand: Rand, s: string): string {
  const i = at(rand, s);
  const near = NEAR[s[i] ?? ''];
  return near === undefined ? substitute(rand, s) : s.slice(0, i) + pickFrom(rand, [...near]) + s.slice(i + 1);
}
function transpose(rand: Rand, s: string): string {
  if (s.length < 2) return `${s}${s}`;
  const i = Math.floor(rand() * (s.length - 1));
  return s.slice(0, i) + (s[i + 1] as string) + (s[i] as string) + s.slice(i + 2);
}
const EDITS = [omit, insert, repeat, substitute, keyboard, transpose];
function edit(rand: Rand, s: string): string {
  return pickFrom(rand, EDITS)(rand, s);
}

function asciiHomoglyph(rand: Rand, s: string): string {
  const options = ASCII_LOOKALIKES.filter(([from]) => s.includes(from));
  if (options.length === 0) return edit(rand, s);
  const [from, to] = pickFrom(rand, options);
  return rand() < 0.5 ? s.replace(from, to) : s.split(from).join(to);
}
function unicodeHomoglyph(rand: Rand, s: string): string {
  const idx = [...s].map((c, i) => (UNICODE_LOOKALIKES[c] === undefined ? -1 : i)).filter((i) => i >= 0);
  if (idx.length === 0) return `${s}\u200b`;
  const i = pickFrom(rand, idx);
  return s.slice(0, i) + pickFrom(rand, [...(UNICODE_LOOKALIKES[s[i] as string] as string)]) + s.slice(i + 1);
}
function separators(rand: Rand, s: string): string {
  const { scope, base } = split(s);
  const words = base.split(/[-_.]+/).filter((w) => w !== '');
  if (words.length >= 2) return join(scope, words.join(pickFrom(rand, SEPARATORS)));
  const i = 1 + Math.floor(rand() * Math.max(base.length - 1, 1));
  return join(scope, base.slice(0, i) + pickFrom(rand, ['-', '_', '.']) + base.slice(i));
}
function affix(rand: Rand, s: string): string {
  return rand() < 0.45 ? pickFrom(rand, PREFIXES) + split(s).base : s + pickFrom(rand, SUFFIXES);
}
function scopeChange(rand: Rand, s: string): string {
  const { scope, base } = split(s);
  switch (Math.floor(rand() * 5)) {
    case 0:
      return scope === null ? `@${pickFrom(rand, SCOPES)}/${base}` : base;
    case 1:
      return scope === null ? `${pickFrom(rand, SCOPES)}-${base}` : `${scope}-${base}`;
    case 2:
      return scope === null ? `@${base}/${base}` : `@${edit(rand, scope)}/${base}`;
    case 3:
      return scope === null ? `@${base}/core` : `@${scope}${pickFrom(rand, ['-js', 'js', '-io', '_'])}/${base}`;
    default:
      return `@${pickFrom(rand, SCOPES)}/${scope === null ? base : `${scope}-${base}`}`;
  }
}
function reorder(rand: Rand, s: string): string {
  const { scope, base } = split(s);
  const words = base.split(/[-_.]+/).filter((w) => w !== '');
  if (words.length < 2) return edit(rand, s);
  const i = Math.floor(rand() * (words.length - 1));
  [words[i], words[i + 1]] = [words[i + 1] as string, words[i] as string];
  return join(scope, words.join('-'));
}
function dropWord(rand: Rand, s: string): string {
  const { scope, base } = split(s);
  const words = base.split(/[-_.]+/).filter((w) => w !== '');
  if (words.length < 2) return omit(rand, s);
  words.splice(Math.floor(rand() * words.length), 1);
  return join(scope, words.join('-'));
}
function dropVowels(_rand: Rand, s: string): string {
  const { scope, base } = split(s);
  return join(scope, base.slice(0, 1) + base.slice(1).replace(/[aeiouy]/g, ''));
}
function doubleEdit(rand: Rand, s: string): string {
  return edit(rand, edit(rand, s));
}
function caseChange(rand: Rand, s: string): string {
  const i = at(rand, s);
  return s.slice(0, i) + (s[i] ?? '').toUpperCase() + s.slice(i + 1);
}
function randomName(rand: Rand): string {
  const len = 3 + Math.floor(rand() * 18);
  let s = '';
  for (let i = 0; i < len; i++) s += rand() < 0.12 && i > 0 && i < len - 1 ? '-' : pickFrom(rand, [...LETTERS]);
  return s;
}

function split(s: string): { scope: string | null; base: string } {
  if (s.startsWith('@')) {
    const slash = s.indexOf('/');
    if (slash > 1) return { scope: s.slice(1, slash), base: s.slice(slash + 1) };
  }
  return { scope: null, base: s };
}
function join(scope: string | null, base: string): string {
  return scope === null ? base : `@${scope}/${base}`;
}

const PERTURBATIONS: readonly ((rand: Rand, s: string) => string)[] = [
  omit, insert, repeat, substitute, keyboard, transpose, doubleEdit, doubleEdit,
  asciiHomoglyph, unicodeHomoglyph, separators, affix, affix, scopeChange, reorder, dropWord, dropVowels, caseChange,
];

/** Hand-picked edge cases: limits of the analysed length, empty and odd spellings. */
function edgeCases(names: readonly PopularName[]): string[] {
  const first = names[0]?.name ?? 'a';
  return [
    '', '@', '@/', '/', '-', '--', '@x/', '@/x', 'a', 'ab', 'x'.repeat(96), 'x'.repeat(97), 'ab'.repeat(60),
    `${first}-`.repeat(20), `${first}`.repeat(30), `${'a'.repeat(255)}b`, `${'a'.repeat(300)}`, 'ＬＯＤＡＳＨ', 'ｌodash',
    'l\u0307odash', 'lo\u00addash', 'ŀodash', 'react\u200d', '\u0000react', 'REACT', 'React-DOM', '@Babel/Core',
  ];
}

export interface QuerySet {
  /** Popular names split by rank parity: each half asked of an index built from the other. */
  readonly halves: readonly [readonly PopularName[], readonly PopularName[]];
  /** Asked of the index built from the whole list (plus the internal names below). */
  readonly full: readonly string[];
  readonly internal: readonly string[];
}

/** Internal names of the test index, and queries near them (dependency confusion, look-alikes). */
const INTERNAL = ['acme-billing', '@acme/billing', 'acme-secrets', '@acme/secrets-manager', 'internal-auth-client', 'acmecorp-ui', '@acmecorp/ui', 'billing-core'];

export function equivalenceQueries(names: readonly PopularName[], seed: number, perName: number): QuerySet {
  const rand = seededRandom(seed);
  const even = names.filter((_, i) => i % 2 === 0);
  const odd = names.filter((_, i) => i % 2 === 1);
  const full: string[] = [...edgeCases(names)];
  for (const p of names) full.push(p.name);
  for (const name of INTERNAL) {
    full.push(name);
    for (let k = 0; k < 6; k++) full.push(pickFrom(rand, PERTURBATIONS)(rand, name));
  }
  for (const p of names) {
    for (let k = 0; k < perName; k++) full.push(pickFrom(rand, PERTURBATIONS)(rand, p.name));
  }
  for (let k = 0; k < names.length / 4; k++) full.push(randomName(rand));
  return { halves: [even, odd], full, internal: INTERNAL };
}
