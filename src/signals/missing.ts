/**
 * The hallucination tripwire as a fact: a name clients asked for while it did not exist upstream.
 * Built from the missing-name ledger's record (storage port `MissingNameLedger`).
 */
import type { MissingNameRecord } from '../storage/ports/index.ts';

/** `input.facts.requested_while_missing` (JSON, snake_case; see docs/signals.md). */
export interface RequestedWhileMissingFacts {
  /** Somebody asked for this name while the upstream did not have it. */
  readonly requested: boolean;
  readonly first_requested: string | null;
  readonly last_requested: string | null;
  readonly count: number;
  /** Distinct askers (token, user agent, agent hint) recorded, capped by the ledger. */
  readonly askers: number;
  /** Distinct `X-Airlock-Agent` values (AI agents that asked), at most 20. */
  readonly agents: readonly string[];
  /** When Airlock saw the name appear upstream; null while still missing or never requested. */
  readonly appeared: string | null;
  /** Days from the first request to the package's upstream creation (negative never occurs). */
  readonly days_requested_before_publish: number | null;
}

export const NOT_REQUESTED_WHILE_MISSING: RequestedWhileMissingFacts = {
  requested: false,
  first_requested: null,
  last_requested: null,
  count: 0,
  askers: 0,
  agents: [],
  appeared: null,
  days_requested_before_publish: null,
};

export function requestedWhileMissingFacts(rec: MissingNameRecord | null, packagePublished: Date | null): RequestedWhileMissingFacts {
  if (rec === null) return NOT_REQUESTED_WHILE_MISSING;
  // Requests after the package existed upstream are not "while missing" (e.g. a stale ledger).
  const before = packagePublished === null || rec.firstAskedAt.getTime() < packagePublished.getTime();
  if (!before) return NOT_REQUESTED_WHILE_MISSING;
  const agents = [...new Set(rec.askers.map((a) => a.agent).filter((a): a is string => a !== null))].sort().slice(0, 20);
  return {
    requested: true,
    first_requested: rec.firstAskedAt.toISOString(),
    last_requested: rec.lastAskedAt.toISOString(),
    count: rec.count,
    askers: rec.askers.length,
    agents,
    appeared: rec.appearedAt?.toISOString() ?? null,
    days_requested_before_publish:
      packagePublished === null ? null : Math.floor((packagePublished.getTime() - rec.firstAskedAt.getTime()) / 86_400_000),
  };
}
