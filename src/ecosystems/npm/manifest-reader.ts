/**
 * The parts of one version's manifest that facts and downloads need, read from the packument's
 * bytes without parsing the rest (readme copies, file lists, keywords …): small fields are
 * parsed, dependency maps are only counted. Repeated keys resolve to the last occurrence, as in
 * JSON.parse.
 */
import { countEntries, forEachMember, KeySet, scanValue } from './json-scan.ts';

export const PARSED_FIELDS = [
  'name',
  'version',
  'deprecated',
  'scripts',
  'hasInstallScript',
  'maintainers',
  '_npmUser',
  'license',
  'licenses',
  'repository',
  'bin',
  'dist',
] as const;

export const COUNTED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies'] as const;

export type ParsedField = (typeof PARSED_FIELDS)[number];
export type CountedField = (typeof COUNTED_FIELDS)[number];

export interface ManifestExtract {
  /** Present keys only; values are untrusted JSON. */
  readonly fields: Partial<Record<ParsedField, unknown>>;
  readonly counts: Partial<Record<CountedField, number>>;
}

const KEYS = new KeySet([...PARSED_FIELDS, ...COUNTED_FIELDS]);
const utf8 = new TextDecoder('utf-8');

/** Read the manifest object starting at `start` (at '{'); null when the value is not an object. */
export function readManifest(b: Uint8Array, start: number): ManifestExtract | null {
  if (b[start] !== 0x7b) return null;
  const fields: Partial<Record<ParsedField, unknown>> = {};
  const counts: Partial<Record<CountedField, number>> = {};
  forEachMember(b, start, 2, (ks, ke, vs) => {
    const i = KEYS.match(b, ks, ke);
    if (i === -1) return -1;
    if (i < PARSED_FIELDS.length) {
      const end = scanValue(b, vs, 3);
      fields[PARSED_FIELDS[i] as ParsedField] = JSON.parse(utf8.decode(b.subarray(vs, end))) as unknown;
      return end;
    }
    const { count, end } = countEntries(b, vs, 3);
    counts[COUNTED_FIELDS[i - PARSED_FIELDS.length] as CountedField] = count;
    return end;
  });
  return { fields, counts };
}
