/**
 * Publisher changes per version, from the packument alone: who published this version compared
 * with the versions before it (in publish-time order), maintainers added or removed, and
 * provenance or trusted publishing that earlier versions had and this one lacks — the shape of a
 * release made with a stolen token from outside the project's CI.
 */
import { byPublishTime, readPublishing, type PackumentLimits, type VersionPublishing } from './packument.ts';

/** `input.facts.publisher_changes` (JSON, snake_case; see docs/signals.md). */
export interface PublisherFacts {
  readonly version: string;
  readonly published_at: string | null;
  /** npm account that published (`_npmUser.name`). */
  readonly publisher: string | null;
  readonly previous_version: string | null;
  readonly previous_publisher: string | null;
  /** Published by another account than the previous version. */
  readonly publisher_changed: boolean;
  /** The account never published an earlier version of this package. */
  readonly publisher_new: boolean;
  readonly maintainers: readonly string[];
  readonly maintainers_added: readonly string[];
  readonly maintainers_removed: readonly string[];
  /** This version carries a provenance attestation. */
  readonly provenance: boolean;
  /** Some earlier version carried one. */
  readonly provenance_before: boolean;
  /** No provenance here although an earlier version had it. */
  readonly provenance_regression: boolean;
  /** Versions published since the last one with provenance, this one included (0 when this one has it). */
  readonly versions_since_provenance: number;
  readonly last_provenance_version: string | null;
  /** `_npmUser.trustedPublisher.id` (`github`, `gitlab` …), when published through OIDC. */
  readonly trusted_publisher: string | null;
  readonly trusted_publisher_before: boolean;
  /** Not published through a trusted publisher although an earlier version was. */
  readonly trusted_publisher_dropped: boolean;
  /** Published through a different trusted-publisher configuration than the last one. */
  readonly trusted_publisher_changed: boolean;
  /** Staged publish approved by this account, if any. */
  readonly approver: string | null;
}

const NONE: readonly string[] = Object.freeze([]);

/** Members of `a` missing from `b`. Consecutive versions usually share one (interned) list. */
function diff(a: readonly string[], b: readonly string[]): readonly string[] {
  if (a === b || a.length === 0) return NONE;
  if (b.length <= 8) return a.filter((x) => !b.includes(x));
  const set = new Set(b);
  return a.filter((x) => !set.has(x));
}

const tpKey = (v: VersionPublishing): string | null => (v.trustedPublisher === null ? null : `${v.trustedPublisher.id}\u0000${v.trustedPublisher.configId ?? ''}`);

/** Publisher facts for every version of a packument (one pass in publish-time order). */
export function publisherFactsByVersion(packument: unknown, limits?: PackumentLimits): Map<string, PublisherFacts> {
  return publisherFactsFromTimeline(readPublishing(packument, limits));
}

/**
 * Publisher facts for the versions of a timeline (any order: sorted by publish time here), e.g.
 * one built from the facts an ecosystem adapter reports per version: every version's, or only
 * the `wanted` ones' (an artifact judgement needs one version's facts, from the whole history).
 */
export function publisherFactsFromTimeline(versions: readonly VersionPublishing[], wanted?: ReadonlySet<string>): Map<string, PublisherFacts> {
  const timeline = [...versions].sort(byPublishTime);
  const out = new Map<string, PublisherFacts>();
  const publishersSeen = new Set<string>();
  let previous: VersionPublishing | null = null;
  let lastProvenance: string | null = null;
  let sinceProvenance = 0;
  let tpBefore = false;
  let lastTp: string | null = null;
  for (const v of timeline) {
    const provenanceBefore = lastProvenance !== null;
    sinceProvenance = v.provenance ? 0 : sinceProvenance + 1;
    const tp = tpKey(v);
    if (wanted === undefined || wanted.has(v.version)) {
      out.set(v.version, {
        version: v.version,
        published_at: v.publishedAt?.toISOString() ?? null,
        publisher: v.publisher,
        previous_version: previous?.version ?? null,
        previous_publisher: previous?.publisher ?? null,
        publisher_changed: previous !== null && previous.publisher !== null && v.publisher !== null && previous.publisher !== v.publisher,
        publisher_new: previous !== null && v.publisher !== null && !publishersSeen.has(v.publisher),
        maintainers: v.maintainers,
        maintainers_added: previous === null ? NONE : diff(v.maintainers, previous.maintainers),
        maintainers_removed: previous === null ? NONE : diff(previous.maintainers, v.maintainers),
        provenance: v.provenance,
        provenance_before: provenanceBefore,
        provenance_regression: !v.provenance && provenanceBefore,
        versions_since_provenance: provenanceBefore || v.provenance ? sinceProvenance : 0,
        last_provenance_version: v.provenance ? v.version : lastProvenance,
        trusted_publisher: v.trustedPublisher?.id ?? null,
        trusted_publisher_before: tpBefore,
        trusted_publisher_dropped: tp === null && tpBefore,
        trusted_publisher_changed: tp !== null && lastTp !== null && tp !== lastTp,
        approver: v.approver,
      });
    }
    if (v.publisher !== null) publishersSeen.add(v.publisher);
    if (v.provenance) lastProvenance = v.version;
    if (tp !== null) {
      tpBefore = true;
      lastTp = tp;
    }
    previous = v;
  }
  return out;
}
