/**
 * `input.facts.publisher_changes` (npm): who published each version compared with the versions
 * published before it — maintainers added, a first-time publisher, provenance or trusted
 * publishing that earlier versions had and this one lacks. Built from the per-version facts the
 * npm adapter reports (`publisher`, `maintainers`, `provenance`, `trusted_publisher`,
 * `trusted_publisher_config`, `publish_approver`, `published_at`) over the package's history.
 */
import type { Json } from '../../storage/ports/index.ts';
import { publisherFactsFromTimeline, type VersionPublishing } from '../publisher/index.ts';
import { asJson, dateFact, factOf, packageOf, type CollectorCandidate, type SignalCollector } from './types.ts';

function text(v: Json | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, 256) : null;
}

function names(v: Json | undefined): string[] {
  if (!Array.isArray(v)) return [];
  return [...new Set(v.filter((x): x is string => typeof x === 'string' && x !== '').map((x) => x.slice(0, 214)))].sort();
}

/**
 * Maintainer lists by the fact value they come from: versions of a package share one interned
 * list, so it is cleaned once and the versions keep sharing the result (which also lets the
 * timeline see "same maintainers" by identity).
 */
type NamesMemo = Map<Json | undefined, string[]>;

function publishing(c: CollectorCandidate, memo: NamesMemo): VersionPublishing {
  const f = c.facts;
  const tp = text(factOf(f, 'trusted_publisher'));
  const raw = factOf(f, 'maintainers');
  let maintainers = memo.get(raw);
  if (maintainers === undefined) {
    maintainers = names(raw);
    memo.set(raw, maintainers);
  }
  return {
    version: c.subject.version,
    publishedAt: dateFact(f, 'published_at'),
    publisher: text(factOf(f, 'publisher')),
    trustedPublisher: tp === null ? null : { id: tp, configId: text(factOf(f, 'trusted_publisher_config')) },
    approver: text(factOf(f, 'publish_approver')),
    maintainers,
    provenance: factOf(f, 'provenance') === true,
    provenancePredicate: text(factOf(f, 'provenance_predicate_type')),
  };
}

export function publisherCollector(): SignalCollector {
  return {
    id: 'signals.publisher_changes',
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      if (pkg.ecosystem !== 'npm') return req.candidates.map(() => ({ publisher_changes: null }));
      const memo: NamesMemo = new Map();
      // An artifact judgement wants one version's facts: the walk covers the whole history, but
      // only the judged versions' facts are built.
      const wanted = req.candidates.length < req.history.length ? new Set(req.candidates.map((c) => c.subject.version)) : undefined;
      const byVersion = publisherFactsFromTimeline(req.history.map((c) => publishing(c, memo)), wanted);
      return req.candidates.map((c) => {
        const facts = byVersion.get(c.subject.version);
        return { publisher_changes: facts === undefined ? null : asJson(facts) };
      });
    },
  };
}
