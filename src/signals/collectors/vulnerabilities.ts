/**
 * `input.facts.vulnerabilities`: the imported vulnerability advisories that include each version
 * (see docs/signals.md), and those of the version published just before it that this one is not
 * in (`fixes`: a release that fixes its predecessor, the cooldown's fast lane). A version of a
 * package no advisory names (nearly all) shares one frozen fact object.
 */
import { vulnerabilityFacts, NO_VULNERABILITY_FACTS, type FeedRecord, type VulnerabilityFacts } from '../feeds/index.ts';
import type { AdvisoryLookup } from './advisories.ts';
import { timelineOf } from './timeline.ts';
import { asJson, packageOf, type SignalCollector } from './types.ts';

const NONE = Object.freeze({ vulnerabilities: asJson({ ...NO_VULNERABILITY_FACTS, previous_version: null, fixes: [] }) });

/** An advisory of the predecessor this version is not in. */
interface Fix {
  readonly id: string;
  readonly severity: string;
}

function fixesOf(previous: VulnerabilityFacts, own: VulnerabilityFacts): Fix[] {
  const still = new Set(own.records.map((r) => r.id));
  return previous.records.filter((r) => !still.has(r.id)).map((r) => ({ id: r.id, severity: r.severity }));
}

function factsOf(records: readonly FeedRecord[], version: string, cache: Map<string, VulnerabilityFacts>): VulnerabilityFacts {
  let f = cache.get(version);
  if (f === undefined) {
    f = vulnerabilityFacts(records, version);
    cache.set(version, f);
  }
  return f;
}

export function vulnerabilityCollector(deps: { readonly advisories: AdvisoryLookup }): SignalCollector {
  return {
    id: 'signals.vulnerabilities',
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const ecosystem = pkg.ecosystem;
      if (ecosystem !== 'npm' && ecosystem !== 'pypi') return req.candidates.map(() => NONE);
      const { vulnerabilities } = await deps.advisories.of(ecosystem, pkg.name, req.now.getTime());
      if (vulnerabilities.length === 0) return req.candidates.map(() => NONE);
      const timeline = timelineOf(req.history);
      const seen = new Map<string, VulnerabilityFacts>();
      return req.candidates.map((c) => {
        const v = c.subject.version;
        const facts = factsOf(vulnerabilities, v, seen);
        const pos = timeline.position.get(v);
        const previous = pos === undefined || pos === 0 ? null : (timeline.entries[pos - 1]?.version ?? null);
        const fixes = previous === null ? [] : fixesOf(factsOf(vulnerabilities, previous, seen), facts);
        if (facts === NO_VULNERABILITY_FACTS && previous === null) return NONE;
        return { vulnerabilities: asJson({ ...facts, previous_version: previous, fixes }) };
      });
    },
  };
}
