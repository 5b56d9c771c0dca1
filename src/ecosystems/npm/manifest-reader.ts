/**
 * The parts of one version's manifest that facts and downloads need, read from the packument's
 * bytes without parsing the rest (readme copies, file lists, keywords …): small fields are
 * parsed, dependency maps are counted, and the dependencies that npm would install from outside
 * the registry (a URL, git, a path) are listed. Repeated keys resolve to the last occurrence, as
 * in JSON.parse.
 */
import { isPlainObject, type PlainObject } from '../../core/index.ts';
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
  /**
   * Dependencies (`dependencies`, `optionalDependencies`, `peerDependencies`, which npm installs)
   * whose spec is not the registry's: `name from spec`, the first `MAX_SOURCES_LISTED`.
   */
  readonly sources: readonly string[];
  /** All of them. */
  readonly sourceCount: number;
}

/** Dependency maps npm installs from (devDependencies only for the root project). */
const SOURCE_FIELDS = new Set<CountedField>(['dependencies', 'optionalDependencies', 'peerDependencies']);
export const MAX_SOURCES_LISTED = 32;
const NO_SOURCES: readonly string[] = Object.freeze([]);

/**
 * A string value at [start, end) that may not be a registry spec. A range or a dist-tag never has
 * ':' or '/', which URLs, git specs (`github:u/r`, `u/r`) and paths (`file:x`, `./x`) do; nor
 * does it start with '.' or end in `.tgz`, `.tar.gz` or `.tar`, which npm (npm-package-arg)
 * also reads as a path: `..`, `.hidden`, `payload.tgz` (a file the dependent package ships).
 * Checked on the bytes, loosely (an escape, or any spec ending in 'r' or 'z', counts as a
 * candidate): the few candidates are decoded and decided by `isOutsideSpec`.
 */
function mayBeOutside(b: Uint8Array, start: number, end: number): boolean {
  if (b[start] !== 0x22) return false;
  const last = end - 1;
  if (start + 1 === last) return false;
  // Starts with '.', or ends in 'r' or 'z' in any case (as every archive name does; 0x20 is the case bit).
  const tail = (b[last - 1] as number) | 0x20;
  if (b[start + 1] === 0x2e || tail === 0x72 || tail === 0x7a) return true;
  for (let k = start + 1; k < last; k++) {
    const c = b[k];
    if (c === 0x3a || c === 0x2f || c === 0x5c) return true;
  }
  return false;
}

const ARCHIVE_NAME = /\.(?:tgz|tar\.gz|tar)$/i;

/**
 * Whether npm (npm-package-arg) installs a dependency with this spec from somewhere other than
 * the registry: a URL, a git repository (`github:u/r`, `u/r`), or a path (`file:x`, `./x`, `..`,
 * an archive such as `payload.tgz`). An `npm:` alias is the registry's. What `mayBeOutside`
 * lets through, decoded, is decided here.
 */
export function isOutsideSpec(spec: string): boolean {
  if (spec.trim().startsWith('npm:')) return false;
  return spec.startsWith('.') || /[:/\\]/.test(spec) || ARCHIVE_NAME.test(spec);
}

function sourceEntry(name: string, spec: string): string {
  return `${name.slice(0, 214)} from ${spec.slice(0, 512)}`;
}

/**
 * The dependencies of a parsed package.json (a tarball's own) that npm would install from outside
 * the registry, as the packument's manifests are read: `name from spec`, the first
 * `MAX_SOURCES_LISTED`, and how many in all.
 */
export function dependencySourcesOf(manifest: PlainObject): { readonly sources: readonly string[]; readonly count: number } {
  const sources: string[] = [];
  let count = 0;
  for (const field of SOURCE_FIELDS) {
    const deps = manifest[field];
    if (!isPlainObject(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (typeof spec !== 'string' || !isOutsideSpec(spec)) continue;
      count++;
      if (sources.length < MAX_SOURCES_LISTED) sources.push(sourceEntry(name, spec));
    }
  }
  return { sources, count };
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
  #sources: string[] | null = null;
  #sourceCount = 0;
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
    const field = COUNTED_FIELDS[i - PARSED_FIELDS.length] as CountedField;
    if (SOURCE_FIELDS.has(field) && b[valueStart] === 0x7b) {
      let count = 0;
      const end = forEachMember(b, valueStart, depth + 1, (ks, ke, vs) => {
        count++;
        const ve = scanValue(b, vs, depth + 2);
        if (mayBeOutside(b, vs, ve)) this.#source(b, ks, ke, vs, ve);
        return ve;
      });
      this.counts[field] = count;
      return end;
    }
    const { count, end } = countEntries(b, valueStart, depth + 1);
    this.counts[field] = count;
    return end;
  }

  /** A dependency whose spec may name another source (`mayBeOutside`): listed when, decoded, it does. */
  #source(b: Uint8Array, ks: number, ke: number, vs: number, ve: number): void {
    const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    const spec = JSON.parse(buf.toString('utf8', vs, ve)) as string;
    if (!isOutsideSpec(spec)) return;
    this.#sourceCount++;
    if ((this.#sources ??= []).length < MAX_SOURCES_LISTED) this.#sources.push(sourceEntry(JSON.parse(buf.toString('utf8', ks, ke)) as string, spec));
  }

  /** Record a member whose value another reader has already scanned (e.g. `dist`). */
  take(field: ParsedField, b: Buffer, valueStart: number, valueEnd: number): void {
    this.fields[field] = parseValue(b, valueStart, valueEnd);
  }

  result(): ManifestExtract {
    return { fields: this.fields, counts: this.counts, sources: this.#sources ?? NO_SOURCES, sourceCount: this.#sourceCount };
  }
}

/** Read the manifest object starting at `start` (at '{'); null when the value is not an object. */
export function readManifest(b: Buffer, start: number): ManifestExtract | null {
  if (b[start] !== 0x7b) return null;
  const collector = new ManifestCollector();
  forEachMember(b, start, 2, (ks, ke, vs) => collector.visit(b, ks, ke, vs, 2));
  return collector.result();
}
