/**
 * The structure of an upstream packument, found by one validating pass over its bytes: the
 * top-level members, and per version the byte spans Airlock may edit (`dist.tarball`,
 * `dist.attestations.url`) and those the abbreviated document keeps. Nothing else is
 * materialised; `dist-tags` and `time` are small and parsed. Objects Airlock edits must not
 * repeat a key (JSON.parse would silently keep the last one, and clients must see exactly what
 * Airlock judged).
 */
import { JsonScanError, KeySet, expectEnd, forEachMember, objectMembers, scanValue, skipWs, type JsonMember } from './json-scan.ts';
import { MANIFEST_FIELDS, ManifestCollector, RepeatedValues, type ManifestExtract } from './manifest-reader.ts';

/** Per-version fields of the abbreviated ("corgi") document (npm.md §3.1). */
export const CORGI_FIELDS = [
  'name',
  'version',
  'deprecated',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bundleDependencies',
  'bundledDependencies',
  'bin',
  'directories',
  'engines',
  'os',
  'cpu',
  'libc',
  '_hasShrinkwrap',
  'hasInstallScript',
  'funding',
  'acceptDependencies',
  'dist',
] as const;

/**
 * The members of a version object the index pass reads, matched once per member: what the
 * abbreviated document keeps and what the manifest collector reads (`dist` is among both).
 */
const VERSION_FIELDS: readonly string[] = [...new Set<string>([...CORGI_FIELDS, ...MANIFEST_FIELDS])];
const VERSION_KEYS = new KeySet(VERSION_FIELDS);
const CORGI_SET = new Set<string>(CORGI_FIELDS);
const IS_CORGI = VERSION_FIELDS.map((f) => CORGI_SET.has(f));
/** The field's index in MANIFEST_FIELDS, or -1. */
const MANIFEST_INDEX = VERSION_FIELDS.map((f) => MANIFEST_FIELDS.indexOf(f));
const DIST_FIELD = VERSION_FIELDS.indexOf('dist');

export interface VersionSpan {
  /** The key in `versions`. */
  readonly version: string;
  /** Where the separator before this member starts (the previous member's end, or after '{'). */
  readonly sepStart: number;
  /** The key's opening quote. */
  readonly memberStart: number;
  /** The version object's value span. */
  readonly start: number;
  readonly end: number;
  /** `dist.tarball` string value span (with quotes); -1 when absent or not a string. */
  readonly tarStart: number;
  readonly tarEnd: number;
  /** `dist.attestations.url` string value span; -1 when absent. */
  readonly attStart: number;
  readonly attEnd: number;
  /**
   * This version's entries in `VersionSpans.corgi`, [corgiFrom, corgiTo): pairs of offsets, each
   * a run of members the abbreviated document keeps, from a key's opening quote to the end of
   * the last value (adjacent members are one run, separators included).
   */
  readonly corgiFrom: number;
  readonly corgiTo: number;
}

/**
 * Numbers kept per version: sepStart, memberStart, start, end, tarStart, tarEnd, attStart,
 * attEnd, corgiFrom, corgiTo.
 */
const FIELDS = 10;

/**
 * Every listed version's spans in document order, packed into Int32Arrays (documents are far
 * below 2 GiB): a big package lists thousands of versions and a cache holds hundreds of
 * packages, so an object per version would cost ~280 bytes and a GC-visible object each; this
 * costs the map entry, 40 bytes and 8 per run of abbreviated members (3.6 runs per version
 * over the benchmark workload, as `bench/npm/cache-footprint.ts` prints). Spans are
 * materialised when asked for.
 */
export class VersionSpans {
  readonly #slots: Map<string, number>;
  readonly #nums: Int32Array;
  /** Runs of members the abbreviated document keeps: start and end offset pairs (see VersionSpan). */
  readonly corgi: Int32Array;

  constructor(slots: Map<string, number>, nums: Int32Array, corgi: Int32Array) {
    this.#slots = slots;
    this.#nums = nums;
    this.corgi = corgi;
  }

  get size(): number {
    return this.#slots.size;
  }

  has(version: string): boolean {
    return this.#slots.has(version);
  }

  get(version: string): VersionSpan | undefined {
    const slot = this.#slots.get(version);
    return slot === undefined ? undefined : this.#span(version, slot);
  }

  /** Version keys in document order. */
  keys(): IterableIterator<string> {
    return this.#slots.keys();
  }

  /** Spans in document order. */
  *values(): IterableIterator<VersionSpan> {
    for (const [version, slot] of this.#slots) yield this.#span(version, slot);
  }

  #span(version: string, slot: number): VersionSpan {
    const n = this.#nums;
    const o = slot * FIELDS;
    return {
      version,
      sepStart: n[o] as number,
      memberStart: n[o + 1] as number,
      start: n[o + 2] as number,
      end: n[o + 3] as number,
      tarStart: n[o + 4] as number,
      tarEnd: n[o + 5] as number,
      attStart: n[o + 6] as number,
      attEnd: n[o + 7] as number,
      corgiFrom: n[o + 8] as number,
      corgiTo: n[o + 9] as number,
    };
  }
}

function grown(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const next = new Int32Array(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

/** Collects spans while the index pass reads `versions`. */
class SpansBuilder {
  readonly #slots = new Map<string, number>();
  #nums = new Int32Array(64 * FIELDS);
  #corgi = new Int32Array(256);
  #corgiLength = 0;
  /** Where the version being read starts in `#corgi`. */
  #corgiFrom = 0;

  /**
   * A member of the version being read that the abbreviated document keeps, [start, end); it
   * extends the previous run when `adjacent` (the member before it in this version was kept).
   */
  corgiMember(start: number, end: number, adjacent: boolean): void {
    if (adjacent) {
      this.#corgi[this.#corgiLength - 1] = end;
      return;
    }
    this.#corgi = grown(this.#corgi, this.#corgiLength + 2);
    this.#corgi[this.#corgiLength++] = start;
    this.#corgi[this.#corgiLength++] = end;
  }

  add(version: string, sepStart: number, memberStart: number, start: number, end: number, tarStart: number, tarEnd: number, attStart: number, attEnd: number): void {
    const slot = this.#slots.size;
    const o = slot * FIELDS;
    this.#nums = grown(this.#nums, o + FIELDS);
    const n = this.#nums;
    n[o] = sepStart;
    n[o + 1] = memberStart;
    n[o + 2] = start;
    n[o + 3] = end;
    n[o + 4] = tarStart;
    n[o + 5] = tarEnd;
    n[o + 6] = attStart;
    n[o + 7] = attEnd;
    n[o + 8] = this.#corgiFrom;
    n[o + 9] = this.#corgiLength;
    this.#corgiFrom = this.#corgiLength;
    this.#slots.set(version, slot);
  }

  build(): VersionSpans {
    return new VersionSpans(this.#slots, this.#nums.slice(0, this.#slots.size * FIELDS), this.#corgi.slice(0, this.#corgiLength));
  }
}

export interface PackumentIndex {
  readonly size: number;
  readonly name: string;
  /** Top-level members in document order. */
  readonly top: readonly JsonMember[];
  /** Offset just past the top-level object's closing brace. */
  readonly topEnd: number;
  readonly versions: VersionSpans;
  /** The `versions` object and where its last member ends (null when absent). */
  readonly versionsObject: { readonly start: number; readonly end: number; readonly lastMemberEnd: number } | null;
  /** Upstream tags (only string targets are kept). */
  readonly distTags: Readonly<Record<string, string>>;
  /** Upstream `time` (only string values are kept). */
  readonly time: Readonly<Record<string, string>>;
}

/** What one index pass can also read on the way: each version's manifest (for its facts). */
export interface IndexedPackument {
  readonly index: PackumentIndex;
  /** Per version key (object-valued versions only). */
  readonly manifests: ReadonlyMap<string, ManifestExtract>;
}

export class PackumentFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackumentFormatError';
  }
}

const DIST_KEYS = new KeySet(['tarball', 'attestations']);
const URL_KEY = new KeySet(['url']);

/**
 * Reads the version objects of one packument, one at a time, into `spans` (and each manifest
 * into `manifests` when given). Its member callbacks are made once per packument, not per
 * version: a big packument lists thousands.
 */
class VersionReader {
  readonly #b: Buffer;
  readonly #spans: SpansBuilder;
  readonly #manifests: Map<string, ManifestExtract> | null;
  readonly #repeated: RepeatedValues | null;
  #collector: ManifestCollector | null = null;
  #previousKept = false;
  #tarStart = -1;
  #tarEnd = -1;
  #attStart = -1;
  #attEnd = -1;

  constructor(b: Buffer, spans: SpansBuilder, manifests: Map<string, ManifestExtract> | null) {
    this.#b = b;
    this.#spans = spans;
    this.#manifests = manifests;
    this.#repeated = manifests === null ? null : new RepeatedValues(b);
  }

  /** The version object at `valueStart` (at '{'); returns its end. */
  read(version: string, sepStart: number, memberStart: number, valueStart: number): number {
    this.#collector = this.#manifests === null ? null : new ManifestCollector(this.#repeated);
    this.#previousKept = false;
    this.#tarStart = this.#tarEnd = this.#attStart = this.#attEnd = -1;
    // Version objects are not checked for duplicate keys: the last `dist` wins, as in JSON.parse
    // (the abbreviated document keeps every occurrence, in order, so clients read it the same).
    const end = forEachMember(this.#b, valueStart, 2, this.#member);
    if (this.#collector !== null) this.#manifests?.set(version, this.#collector.result());
    this.#spans.add(version, sepStart, memberStart, valueStart, end, this.#tarStart, this.#tarEnd, this.#attStart, this.#attEnd);
    return end;
  }

  readonly #member = (ks: number, ke: number, vs: number): number => {
    const b = this.#b;
    const field = VERSION_KEYS.match(b, ks, ke);
    if (field === -1) {
      this.#previousKept = false;
      return -1;
    }
    let ve: number;
    if (field === DIST_FIELD) {
      // Spans of `tarball` and `attestations.url` (last occurrence wins, as in JSON.parse).
      this.#tarStart = this.#tarEnd = this.#attStart = this.#attEnd = -1;
      ve = b[vs] === 0x7b ? forEachMember(b, vs, 3, this.#distMember) : scanValue(b, vs, 3);
      this.#collector?.take('dist', b, vs, ve);
    } else {
      const m = MANIFEST_INDEX[field] as number;
      ve = this.#collector !== null && m !== -1 ? this.#collector.visitField(m, b, vs, 2) : scanValue(b, vs, 3);
    }
    const kept = IS_CORGI[field] === true;
    if (kept) this.#spans.corgiMember(ks, ve, this.#previousKept);
    this.#previousKept = kept;
    return ve;
  };

  readonly #distMember = (ks: number, ke: number, vs: number): number => {
    const b = this.#b;
    const which = DIST_KEYS.match(b, ks, ke);
    if (which === 0) {
      const ve = scanValue(b, vs, 4);
      const isString = b[vs] === 0x22;
      this.#tarStart = isString ? vs : -1;
      this.#tarEnd = isString ? ve : -1;
      return ve;
    }
    if (which !== 1) return -1;
    this.#attStart = this.#attEnd = -1;
    return b[vs] === 0x7b ? forEachMember(b, vs, 4, this.#attestationsMember) : -1;
  };

  readonly #attestationsMember = (ks: number, ke: number, vs: number): number => {
    const b = this.#b;
    if (URL_KEY.match(b, ks, ke) !== 0) return -1;
    const ve = scanValue(b, vs, 5);
    const isString = b[vs] === 0x22;
    this.#attStart = isString ? vs : -1;
    this.#attEnd = isString ? ve : -1;
    return ve;
  };
}

function scanVersions(b: Buffer, at: number, manifests: Map<string, ManifestExtract> | null): { end: number; lastMemberEnd: number; versions: VersionSpans } {
  const versions = new SpansBuilder();
  const reader = new VersionReader(b, versions, manifests);
  if (b[at] !== 0x7b) throw new PackumentFormatError('versions is not an object');
  let lastEnd = at + 1;
  const span = objectMembers(b, at, {
    unique: true,
    depth: 1,
    scanMember: (version, valueStart, memberStart) => {
      const sepStart = lastEnd;
      lastEnd = b[valueStart] === 0x7b ? reader.read(version, sepStart, memberStart, valueStart) : scanValue(b, valueStart, 2);
      return lastEnd;
    },
  });
  return { end: span.end, lastMemberEnd: lastEnd, versions: versions.build() };
}

function parseStringMap(b: Buffer, m: JsonMember | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (m === undefined) return out;
  if (b[m.valueStart] !== 0x7b) throw new PackumentFormatError(`${what} is not an object`);
  const value = JSON.parse(b.toString('utf8', m.valueStart, m.valueEnd)) as Record<string, unknown>;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Index a packument; throws PackumentFormatError (with the reason) when it is not usable. */
export function indexPackument(b: Buffer): PackumentIndex {
  return indexPackumentWith(b, null);
}

/** Index a packument and read every version's manifest in the same pass. */
export function indexPackumentWithManifests(b: Buffer): IndexedPackument {
  const manifests = new Map<string, ManifestExtract>();
  return { index: indexPackumentWith(b, manifests), manifests };
}

/** The index; each version's manifest goes into `manifests` when given. */
function indexPackumentWith(b: Buffer, manifests: Map<string, ManifestExtract> | null): PackumentIndex {
  try {
    const start = skipWs(b, 0);
    if (b.length > 0x7fffffff) throw new PackumentFormatError('the packument is larger than 2 GiB');
    let versions = new VersionSpans(new Map(), new Int32Array(0), new Int32Array(0));
    let versionsObject: PackumentIndex['versionsObject'] = null;
    const top = objectMembers(b, start, {
      unique: true,
      scanMember: (key, valueStart) => {
        if (key !== 'versions') return scanValue(b, valueStart, 1);
        const v = scanVersions(b, valueStart, manifests);
        versions = v.versions;
        versionsObject = { start: valueStart, end: v.end, lastMemberEnd: v.lastMemberEnd };
        return v.end;
      },
    });
    expectEnd(b, top.end);
    const nameMember = top.members.find((m) => m.key === 'name');
    if (nameMember === undefined || b[nameMember.valueStart] !== 0x22) throw new PackumentFormatError('the packument has no name');
    const name = JSON.parse(b.toString('utf8', nameMember.valueStart, nameMember.valueEnd)) as string;
    const index: PackumentIndex = {
      size: b.length,
      name,
      top: top.members,
      topEnd: top.end,
      versions,
      versionsObject,
      distTags: parseStringMap(b, top.members.find((m) => m.key === 'dist-tags'), 'dist-tags'),
      time: parseStringMap(b, top.members.find((m) => m.key === 'time'), 'time'),
    };
    return index;
  } catch (err) {
    if (err instanceof JsonScanError) throw new PackumentFormatError(`not valid JSON: ${err.message}`);
    throw err;
  }
}

/** The manifest of one version, parsed from its span (small: one version's JSON). */
export function parseVersion(b: Buffer, v: VersionSpan): unknown {
  return JSON.parse(b.toString('utf8', v.start, v.end));
}
