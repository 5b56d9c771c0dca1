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

/** Every member the collector reads: the parsed fields, then the counted ones. */
export const MANIFEST_FIELDS: readonly string[] = [...PARSED_FIELDS, ...COUNTED_FIELDS];
const KEYS = new KeySet(MANIFEST_FIELDS);

/** A validated JSON value: plain strings (no escapes) are decoded directly, the rest parsed. */
function parseValue(b: Buffer, start: number, end: number): unknown {
  if (b[start] === 0x22) {
    let k = start + 1;
    while (k < end - 1 && b[k] !== 0x5c) k++;
    if (k === end - 1) return b.toString('utf8', start + 1, end - 1);
  }
  return JSON.parse(b.toString('utf8', start, end)) as unknown;
}

/**
 * The last object or array parsed per field, by byte span in one buffer: the versions of a package
 * mostly repeat their maintainers, repository, scripts and publisher byte for byte, and a
 * repeated value is compared (natively) instead of decoded and parsed again. The manifests
 * then share that value, which no reader changes.
 */
export class RepeatedValues {
  readonly #b: Buffer;
  readonly #starts = new Int32Array(PARSED_FIELDS.length).fill(-1);
  readonly #ends = new Int32Array(PARSED_FIELDS.length);
  readonly #values: unknown[] = new Array<unknown>(PARSED_FIELDS.length);

  constructor(b: Buffer) {
    this.#b = b;
  }

  /** Field `i`'s value spanning [start, end) of the buffer this was made for. */
  parse(i: number, start: number, end: number): unknown {
    const b = this.#b;
    const c = b[start];
    if (c !== 0x7b && c !== 0x5b) return parseValue(b, start, end);
    const s = this.#starts[i] as number;
    const e = this.#ends[i] as number;
    if (s !== -1 && e - s === end - start && b.compare(b, s, e, start, end) === 0) return this.#values[i];
    const value = parseValue(b, start, end);
    this.#starts[i] = start;
    this.#ends[i] = end;
    this.#values[i] = value;
    return value;
  }
}

/**
 * Collects one manifest's fields member by member, so a caller already walking the version
 * object (the packument index pass) extracts the manifest in the same pass. Given the
 * `RepeatedValues` of the buffer, it reuses the previous version's value of a field when the
 * bytes are the same.
 */
export class ManifestCollector {
  readonly fields: Partial<Record<ParsedField, unknown>> = {};
  readonly counts: Partial<Record<CountedField, number>> = {};
  readonly #repeated: RepeatedValues | null;

  constructor(repeated: RepeatedValues | null = null) {
    this.#repeated = repeated;
  }

  #parse(i: number, b: Buffer, start: number, end: number): unknown {
    return this.#repeated === null ? parseValue(b, start, end) : this.#repeated.parse(i, start, end);
  }

  /** For `forEachMember`: the value's end when this member was read here, else -1. */
  visit(b: Buffer, keyStart: number, keyEnd: number, valueStart: number, depth: number): number {
    const i = KEYS.match(b, keyStart, keyEnd);
    return i === -1 ? -1 : this.visitField(i, b, valueStart, depth);
  }

  /** Read the member whose key is `MANIFEST_FIELDS[i]` (matched by the caller); the value's end. */
  visitField(i: number, b: Buffer, valueStart: number, depth: number): number {
    if (i < PARSED_FIELDS.length) {
      const end = scanValue(b, valueStart, depth + 1);
      this.fields[PARSED_FIELDS[i] as ParsedField] = this.#parse(i, b, valueStart, end);
      return end;
    }
    const { count, end } = countEntries(b, valueStart, depth + 1);
    this.counts[COUNTED_FIELDS[i - PARSED_FIELDS.length] as CountedField] = count;
    return end;
  }

  /** Record a member whose value another reader has already scanned (e.g. `dist`). */
  take(field: ParsedField, b: Buffer, valueStart: number, valueEnd: number): void {
    this.fields[field] = parseValue(b, valueStart, valueEnd);
  }

  result(): ManifestExtract {
    return { fields: this.fields, counts: this.counts };
  }
}

/** Read the manifest object starting at `start` (at '{'); null when the value is not an object. */
export function readManifest(b: Buffer, start: number): ManifestExtract | null {
  if (b[start] !== 0x7b) return null;
  const collector = new ManifestCollector();
  forEachMember(b, start, 2, (ks, ke, vs) => collector.visit(b, ks, ke, vs, 2));
  return collector.result();
}
