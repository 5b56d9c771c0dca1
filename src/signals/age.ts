/**
 * Name and version age: when the upstream says the package and this version were published,
 * and when Airlock first saw them. Ages are whole days (floored) at the evaluation time, so a
 * policy compares numbers (`input.facts.age.version_age_days < data.airlock.cooldown_days`).
 */

/** `input.facts.age` (JSON, snake_case; see docs/signals.md). */
export interface AgeFacts {
  /** Upstream creation of the package (npm `time.created`, else its oldest version), RFC 3339. */
  readonly package_published: string | null;
  /** Upstream publication of this version, RFC 3339. */
  readonly version_published: string | null;
  readonly package_age_days: number | null;
  readonly version_age_days: number | null;
  /** When Airlock first saw the package / this version (its own clock). */
  readonly package_first_seen: string | null;
  readonly version_first_seen: string | null;
  readonly days_since_first_seen: number | null;
}

const DAY_MS = 86_400_000;

function days(from: Date | null, now: Date): number | null {
  if (from === null) return null;
  return Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS));
}

function parseTime(v: unknown): Date | null {
  if (typeof v !== 'string' || v.length > 64) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Publish dates from an npm packument's `time` map (hostile JSON; bad entries ignored). */
export function npmPublishDates(packument: unknown): { readonly created: Date | null; readonly versions: ReadonlyMap<string, Date> } {
  const doc = typeof packument === 'object' && packument !== null ? (packument as Record<string, unknown>) : {};
  const time = Object.hasOwn(doc, 'time') && typeof doc.time === 'object' && doc.time !== null ? (doc.time as Record<string, unknown>) : {};
  const versions = new Map<string, Date>();
  for (const [k, v] of Object.entries(time)) {
    if (k === 'created' || k === 'modified') continue;
    const d = parseTime(v);
    if (d !== null) versions.set(k, d);
  }
  let created = parseTime(Object.hasOwn(time, 'created') ? time.created : undefined);
  for (const d of versions.values()) if (created === null || d < created) created = d;
  return { created, versions };
}

export interface AgeInput {
  readonly packagePublished: Date | null;
  readonly versionPublished: Date | null;
  readonly packageFirstSeen: Date | null;
  readonly versionFirstSeen: Date | null;
  readonly now: Date;
}

const isoOf = (d: Date | null): string | null => d?.toISOString() ?? null;

/**
 * `iso` formats the dates; a caller building the facts of many versions passes one that
 * remembers the dates they share (the package's, and first sightings made in one load).
 */
export function ageFacts(input: AgeInput, iso: (d: Date | null) => string | null = isoOf): AgeFacts {
  return {
    package_published: iso(input.packagePublished),
    version_published: isoOf(input.versionPublished),
    package_age_days: days(input.packagePublished, input.now),
    version_age_days: days(input.versionPublished, input.now),
    package_first_seen: iso(input.packageFirstSeen),
    version_first_seen: iso(input.versionFirstSeen),
    days_since_first_seen: days(input.versionFirstSeen ?? input.packageFirstSeen, input.now),
  };
}

/** An `iso` for `ageFacts` that formats each distinct instant once. */
export function sharedIso(): (d: Date | null) => string | null {
  const seen = new Map<number, string>();
  return (d) => {
    if (d === null) return null;
    const ms = d.getTime();
    let text = seen.get(ms);
    if (text === undefined) {
      text = d.toISOString();
      seen.set(ms, text);
    }
    return text;
  };
}
