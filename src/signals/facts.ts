/**
 * The facts the signal collectors contribute to the policy input, under `input.facts`. This is
 * the contract users write Rego against (documented in docs/signals.md): keys are snake_case,
 * every fact is always present (null or false/0 when nothing is known, so rules never meet an
 * undefined reference), times are RFC 3339 UTC strings, ages and gaps whole days, scores 0..1.
 *
 *   input.facts.name                     what the name itself says (popular? internal? non-ASCII?)
 *   input.facts.lookalike                the popular/internal name it imitates, if any
 *   input.facts.requested_while_missing  the hallucination tripwire
 *   input.facts.age                      publication and first-seen dates, ages in days
 *   input.facts.install_behaviour        install-time hooks and what their code does
 *   input.facts.publisher_changes        publisher, maintainer and provenance changes
 *   input.facts.malicious                known-malicious feed matches
 *
 * Naming: the npm adapter reports what the registry says about one version — `install_scripts`
 * (the commands), `publisher` (the account) — and the signals what Airlock concludes from it:
 * `install_behaviour` (what those commands and the files they run do) and `publisher_changes`
 * (how the publisher compares with earlier versions). The gate refuses a key supplied twice.
 */
import type { LookalikeKind, LookalikeMatch, LookalikeTechnique, TargetSource } from './lookalike/index.ts';
import { nameFindings } from './lookalike/index.ts';
import type { AgeFacts } from './age.ts';
import type { InstallScriptFacts } from './install-scripts/index.ts';
import type { MaliciousFacts } from './feeds/index.ts';
import type { PublisherFacts } from './publisher/index.ts';
import type { RequestedWhileMissingFacts } from './missing.ts';

export type { AgeFacts } from './age.ts';
export type { InstallScriptFacts } from './install-scripts/index.ts';
export type { MaliciousFacts } from './feeds/index.ts';
export type { PublisherFacts } from './publisher/index.ts';
export type { RequestedWhileMissingFacts } from './missing.ts';

/** Version of the signal facts' shape (additive changes keep it; breaking ones bump it). */
export const SIGNAL_FACTS_VERSION = 1;

/** `input.facts.name`. */
export interface NameFacts {
  /** The ecosystem's canonical spelling (npm as published, PyPI PEP 503). */
  readonly name: string;
  /** On the bundled popular list of the ecosystem. */
  readonly popular: boolean;
  /** 1 = most popular; null when not on the list. */
  readonly popular_rank: number | null;
  /** Downloads over the list's period (PyPI: 30 days), when the list has them. */
  readonly popular_downloads: number | null;
  /** On the configured internal-name list (or hosted here). */
  readonly internal: boolean;
  readonly non_ascii: boolean;
  /** Invisible characters (`U+200B` …) in the name. */
  readonly invisible: readonly string[];
  /** Unicode scripts of its letters when more than one. */
  readonly mixed_scripts: readonly string[];
}

/** `input.facts.lookalike`: `closest` is null when the name imitates nothing. */
export interface LookalikeFacts {
  readonly closest: string | null;
  readonly kind: LookalikeKind | null;
  readonly technique: LookalikeTechnique | null;
  /** 0..1, weighted by the popularity of `closest`; 0 when nothing. */
  readonly score: number;
  /** OSA edit distance between the canonical spellings; null when nothing. */
  readonly distance: number | null;
  /** `popular` or `internal`. */
  readonly target_source: TargetSource | null;
  readonly target_rank: number | null;
  /** True for an internal name asked for upstream (dependency confusion). */
  readonly dependency_confusion: boolean;
  readonly evidence: LookalikeMatch['evidence'];
}

export const NO_LOOKALIKE: LookalikeFacts = {
  closest: null,
  kind: null,
  technique: null,
  score: 0,
  distance: null,
  target_source: null,
  target_rank: null,
  dependency_confusion: false,
  evidence: {},
};

export function lookalikeFacts(match: LookalikeMatch | null): LookalikeFacts {
  if (match === null) return NO_LOOKALIKE;
  return {
    closest: match.closest,
    kind: match.kind,
    technique: match.technique,
    score: match.score,
    distance: match.distance,
    target_source: match.target.source,
    target_rank: match.target.rank,
    dependency_confusion: match.kind === 'dependency-confusion',
    evidence: match.evidence,
  };
}

export function nameFacts(
  name: string,
  popular: { readonly rank: number | null; readonly downloads: number | null } | null,
  internal: boolean,
): NameFacts {
  const f = nameFindings(name);
  return {
    name,
    popular: popular !== null,
    popular_rank: popular?.rank ?? null,
    popular_downloads: popular?.downloads ?? null,
    internal,
    non_ascii: f.non_ascii,
    invisible: f.invisible,
    mixed_scripts: f.mixed_scripts,
  };
}

/** Everything the signals contribute, keyed as under `input.facts`. */
export interface SignalFacts {
  readonly name: NameFacts;
  readonly lookalike: LookalikeFacts;
  readonly requested_while_missing: RequestedWhileMissingFacts;
  readonly age: AgeFacts;
  readonly install_behaviour: InstallScriptFacts;
  readonly publisher_changes: PublisherFacts | null;
  /** The per-version match plus what the package's history adds (`MaliciousHistoryFacts` in collectors/malicious.ts). */
  readonly malicious: MaliciousFacts & {
    readonly listed_versions: readonly string[];
    readonly first_listed_published: string | null;
    readonly predates_listed: boolean;
    readonly previous_version: string | null;
    readonly previous_version_listed: boolean;
  };
}

export const SIGNAL_FACT_KEYS: readonly (keyof SignalFacts)[] = [
  'name',
  'lookalike',
  'requested_while_missing',
  'age',
  'install_behaviour',
  'publisher_changes',
  'malicious',
];
