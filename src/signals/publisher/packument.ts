/**
 * The publisher-related parts of an npm packument, parsed defensively: per version, who
 * published it (`_npmUser`, trusted publisher, staged-publish approver), the maintainer list,
 * provenance attestations, and the publish time. Everything else is ignored.
 */
import { personBeforeEmail } from '../../core/trim.ts';

export interface TrustedPublisher {
  /** `github`, `gitlab` … */
  readonly id: string;
  readonly configId: string | null;
}

export interface VersionPublishing {
  readonly version: string;
  /** Publish time from the packument's `time` map; null when missing or invalid. */
  readonly publishedAt: Date | null;
  readonly publisher: string | null;
  readonly trustedPublisher: TrustedPublisher | null;
  /** Staged publishing: the human who approved it. */
  readonly approver: string | null;
  readonly maintainers: readonly string[];
  /** `dist.attestations` with a provenance statement. */
  readonly provenance: boolean;
  readonly provenancePredicate: string | null;
}

export interface PackumentLimits {
  readonly maxVersions: number;
  readonly maxMaintainers: number;
}

export const DEFAULT_PACKUMENT_LIMITS: PackumentLimits = { maxVersions: 50_000, maxMaintainers: 1_000 };

function rec(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown, max = 256): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : null;
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function parseDate(v: unknown): Date | null {
  if (typeof v !== 'string' || v.length > 64) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parsePerson(v: unknown): string | null {
  const o = rec(v);
  if (o !== null) return str(own(o, 'name'));
  // Legacy string form "Name <email>".
  const s = str(v);
  if (s === null) return null;
  // The email goes where a `<…>` follows; a `<` never closed is part of the name.
  const lt = s.indexOf('<');
  return (lt >= 0 && s.indexOf('>', lt) > 0 ? personBeforeEmail(s) : s).trim() || null;
}

export class PackumentShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackumentShapeError';
  }
}

/** Per-version publishing data, in publish-time order (versions without a time last, by name). */
export function readPublishing(packument: unknown, limits: PackumentLimits = DEFAULT_PACKUMENT_LIMITS): VersionPublishing[] {
  const doc = rec(packument);
  if (doc === null) throw new PackumentShapeError('packument is not a JSON object');
  const versions = rec(own(doc, 'versions'));
  if (versions === null) throw new PackumentShapeError('packument has no versions object');
  const times = rec(own(doc, 'time')) ?? {};
  const names = Object.keys(versions);
  if (names.length > limits.maxVersions) throw new PackumentShapeError(`packument lists more than ${limits.maxVersions} versions`);
  const out: VersionPublishing[] = [];
  for (const version of names) {
    const v = rec(versions[version]) ?? {};
    const user = rec(own(v, '_npmUser'));
    const tp = user === null ? null : rec(own(user, 'trustedPublisher'));
    const maintainers = Array.isArray(own(v, 'maintainers')) ? (own(v, 'maintainers') as unknown[]).slice(0, limits.maxMaintainers) : [];
    const dist = rec(own(v, 'dist'));
    const att = dist === null ? null : rec(own(dist, 'attestations'));
    const prov = att === null ? null : rec(own(att, 'provenance'));
    out.push({
      version,
      publishedAt: parseDate(own(times, version)),
      publisher: parsePerson(user),
      trustedPublisher: tp === null ? null : { id: str(own(tp, 'id')) ?? 'unknown', configId: str(own(tp, 'oidcConfigId')) },
      approver: user === null ? null : parsePerson(own(user, 'approver')),
      maintainers: [...new Set(maintainers.map(parsePerson).filter((m): m is string => m !== null))].sort(),
      provenance: att !== null && (prov !== null || str(own(att, 'url')) !== null),
      provenancePredicate: prov === null ? null : str(own(prov, 'predicateType')),
    });
  }
  return out.sort(byPublishTime);
}

/** Publish-time order: versions without a time last, by name. */
export function byPublishTime(a: VersionPublishing, b: VersionPublishing): number {
  if (a.publishedAt !== null && b.publishedAt !== null && a.publishedAt.getTime() !== b.publishedAt.getTime()) return a.publishedAt.getTime() - b.publishedAt.getTime();
  if (a.publishedAt !== null && b.publishedAt === null) return -1;
  if (a.publishedAt === null && b.publishedAt !== null) return 1;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}
