/**
 * `input.facts.vulnerabilities`: the imported vulnerability advisories that include each version
 * (see docs/signals.md). A version no advisory names (nearly all) shares one frozen fact object.
 */
import { vulnerabilityFacts, NO_VULNERABILITY_FACTS } from '../feeds/index.ts';
import { canonicalFeedName, type AdvisoryLookup } from './advisories.ts';
import { asJson, packageOf, type SignalCollector } from './types.ts';

const NONE = Object.freeze({ vulnerabilities: asJson(NO_VULNERABILITY_FACTS) });

export function vulnerabilityCollector(deps: { readonly advisories: AdvisoryLookup }): SignalCollector {
  return {
    id: 'signals.vulnerabilities',
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const ecosystem = pkg.ecosystem;
      if (ecosystem !== 'npm' && ecosystem !== 'pypi') return req.candidates.map(() => NONE);
      const { vulnerabilities } = await deps.advisories.of(ecosystem, canonicalFeedName(ecosystem, pkg.name), req.now.getTime());
      if (vulnerabilities.length === 0) return req.candidates.map(() => NONE);
      return req.candidates.map((c) => {
        const facts = vulnerabilityFacts(vulnerabilities, c.subject.version);
        return facts === NO_VULNERABILITY_FACTS ? NONE : { vulnerabilities: asJson(facts) };
      });
    },
  };
}
