/**
 * `npm audit` (npm 7+, yarn 4: `POST /-/npm/v1/security/advisories/bulk`) answered with the
 * vulnerability advisories imported into Airlock (`airlock feeds import`), merged into what the
 * upstream answers or, when it has no audit endpoint (a mirror, an air-gapped install, a hosted
 * repository), on their own. The request body is hostile: gzip and JSON are read under bounds,
 * names and versions are checked, and nothing partial is answered.
 *
 * npm reads of each advisory `id`, `url`, `title`, `severity`, `vulnerable_versions`, `cwe` and
 * `cvss`, then fetches the packuments of the affected packages to compute which installed
 * versions the range includes (protocols/npm.md §9.1).
 */
import { createHash } from 'node:crypto';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Admission, AirlockError, isPlainObject, jsonKind, nestsDeeper, parseNpmPackageName, parseSemver } from '../../core/index.ts';
import type { AdvisoryRange, AdvisoryRecord } from '../../gate/index.ts';

const gunzipAsync = promisify(gunzip);

/** The largest audit request read, inflated (npm sends every installed name and version). */
export const MAX_AUDIT_REQUEST = 16 * 1024 * 1024;
const MAX_NAMES = 50_000;
const MAX_VERSIONS_PER_NAME = 1_000;

/**
 * Audits a gateway works on at once, and how many more wait their turn before one is turned away
 * (503 with Retry-After): the defaults of `server.audits`. The endpoints answer without a token,
 * and one request is cheap to send and dear to answer: a 126 KiB gzip'd request naming 50,000
 * packages, each with an advisory, made an 18.8 MiB answer for 0.57 s of CPU and 227 MiB more
 * resident memory (measured by hand, the reader and the answer alone), so by those figures five
 * at once would take more than the gateway's 1 GB heap. Admission comes before the body is read:
 * the waiting hold a connection, not a body.
 */
export const AUDITS_AT_ONCE = 2;
export const AUDITS_WAITING = 64;
/** What a turned-away audit is told to wait before asking again. */
export const AUDIT_RETRY_AFTER_SECONDS = 5;

/**
 * An admission of the default sizes, for a plugin given none; the app gives every npm repository
 * of a gateway one admission, sized by `server.audits` (memory is the process's).
 */
export function auditAdmission(): Admission {
  return new Admission(AUDITS_AT_ONCE, AUDITS_WAITING);
}

/** One advisory as npm's bulk endpoint gives it. */
export interface BulkAdvisory {
  readonly id: number;
  readonly url: string;
  readonly title: string;
  readonly severity: 'critical' | 'high' | 'moderate' | 'low';
  readonly vulnerable_versions: string;
  readonly cwe: readonly string[];
  readonly cvss: { readonly score: number; readonly vectorString: string | null };
}

export type BulkRequest = ReadonlyMap<string, readonly string[]>;

export function bad(why: string): never {
  throw new AirlockError('BAD_REQUEST', `npm audit request: ${why}`);
}

/** An audit request's JSON object, gzip'd or not, read under bounds (what every audit endpoint is sent). */
export async function readAuditJson(body: Buffer, contentEncoding: string | undefined, what: string): Promise<Record<string, unknown>> {
  let raw = body;
  if (contentEncoding !== undefined && contentEncoding !== 'identity') {
    if (contentEncoding !== 'gzip') bad(`content encoding ${contentEncoding} is not supported (gzip or none)`);
    try {
      raw = await gunzipAsync(body, { maxOutputLength: MAX_AUDIT_REQUEST });
    } catch (err) {
      bad(`the body is not gzip within ${MAX_AUDIT_REQUEST} bytes (${(err as Error).message})`);
    }
  }
  if (raw.length > MAX_AUDIT_REQUEST) bad(`the body is larger than ${MAX_AUDIT_REQUEST} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    bad('the body is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) bad(`the body must be ${what}`);
  return doc as Record<string, unknown>;
}

/** The bulk request (`{name: [version…]}`), gzip'd or not, checked under bounds. */
export async function readBulkRequest(body: Buffer, contentEncoding: string | undefined): Promise<BulkRequest> {
  const doc = await readAuditJson(body, contentEncoding, 'an object of package names to versions');
  const entries = Object.entries(doc);
  if (entries.length > MAX_NAMES) bad(`more than ${MAX_NAMES} packages`);
  const out = new Map<string, readonly string[]>();
  for (const [name, versions] of entries) {
    try {
      parseNpmPackageName(name);
    } catch {
      bad(`${JSON.stringify(name.slice(0, 80))} is not a package name`);
    }
    if (!Array.isArray(versions) || versions.length > MAX_VERSIONS_PER_NAME || !versions.every((v) => typeof v === 'string' && v.length <= 256)) {
      bad(`the versions of ${name} must be an array of at most ${MAX_VERSIONS_PER_NAME} version strings`);
    }
    out.set(name, versions as string[]);
  }
  return out;
}

/** A SemVer bound as a range comparator, or null when it is not a version npm can compare. */
function bound(op: '>=' | '<' | '<=', version: string): string | null {
  return parseSemver(version) === null ? null : `${op}${version}`;
}

/** One OSV range as an npm semver range (`>=1.0.0 <1.2.6`), or null when a bound is not SemVer. */
function rangeText(r: AdvisoryRange): string | null {
  const parts: string[] = [];
  if (r.introduced !== '0') {
    const low = bound('>=', r.introduced);
    if (low === null) return null;
    parts.push(low);
  }
  if (r.fixed !== null) {
    const high = bound('<', r.fixed);
    if (high === null) return null;
    parts.push(high);
  } else if (r.lastAffected !== null) {
    const high = bound('<=', r.lastAffected);
    if (high === null) return null;
    parts.push(high);
  }
  return parts.length === 0 ? '*' : parts.join(' ');
}

/** The versions a record includes, as one npm range (its ranges and listed versions joined with `||`). */
export function vulnerableVersions(rec: AdvisoryRecord): string | null {
  if (rec.allVersions) return '*';
  const parts = [...rec.ranges.map(rangeText), ...rec.versions.map((v) => (parseSemver(v) === null ? null : v))].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  return parts.includes('*') ? '*' : parts.join(' || ');
}

/** npm keys advisories by a number: a stable one from the advisory's id (48 bits of its sha256). */
function numericId(id: string): number {
  return Number.parseInt(createHash('sha256').update(id).digest('hex').slice(0, 12), 16);
}

function urlOf(rec: AdvisoryRecord): string {
  return rec.id.startsWith('GHSA-') ? `https://github.com/advisories/${rec.id}` : `https://osv.dev/vulnerability/${encodeURIComponent(rec.id)}`;
}

/** A record as npm's bulk endpoint gives it; null when its versions cannot be written as an npm range. */
export function bulkAdvisory(rec: AdvisoryRecord): BulkAdvisory | null {
  const range = vulnerableVersions(rec);
  if (range === null) return null;
  const level = rec.severity?.level ?? 'unknown';
  return {
    id: numericId(rec.id),
    url: urlOf(rec),
    title: rec.summary ?? rec.id,
    // npm reads a missing severity as high: an advisory that states none is said to be high.
    severity: level === 'unknown' ? 'high' : level,
    vulnerable_versions: range,
    cwe: [],
    cvss: { score: rec.severity?.score ?? 0, vectorString: rec.severity?.vector ?? null },
  };
}

/**
 * Levels an upstream's audit answer may nest (itself the first). It is written back merged with
 * the imported advisories, by JSON.stringify, which recurses once per level; npm's answers nest
 * about five.
 */
const MAX_UPSTREAM_DEPTH = 64;

/**
 * The upstream's audit answer (bulk or legacy), when it is a JSON object that can be written back
 * merged; otherwise why it is not used (the imported advisories then answer alone).
 */
export function upstreamAuditJson(body: Buffer): Record<string, unknown> | string {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return 'something that is not JSON';
  }
  if (!isPlainObject(doc)) return `a JSON ${jsonKind(doc)}, not an object`;
  if (nestsDeeper(doc, MAX_UPSTREAM_DEPTH)) return `JSON nested deeper than ${MAX_UPSTREAM_DEPTH} levels`;
  return { ...doc };
}

/**
 * The upstream's answer with the imported advisories added: an advisory the upstream already
 * gives (the same URL) is not given twice. `upstream` null: the imported ones alone.
 */
export function mergeBulk(upstream: Record<string, unknown> | null, imported: ReadonlyMap<string, readonly BulkAdvisory[]>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...upstream };
  for (const [name, advisories] of imported) {
    const theirs = Object.hasOwn(out, name) && Array.isArray(out[name]) ? (out[name] as unknown[]) : [];
    const seen = new Set(theirs.map((a) => (typeof a === 'object' && a !== null ? (a as { url?: unknown }).url : undefined)).filter((u) => typeof u === 'string'));
    out[name] = [...theirs, ...advisories.filter((a) => !seen.has(a.url))];
  }
  return out;
}
