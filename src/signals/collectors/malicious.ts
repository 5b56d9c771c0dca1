/** `input.facts.malicious`, from the advisories imported into the metadata store. */
import type { FeedStore } from '../../storage/ports/index.ts';
import { maliciousFactsFromStore, NO_MALICIOUS_FACTS } from '../feeds/index.ts';
import { asJson, type SignalCollector } from './types.ts';

export function maliciousCollector(deps: { readonly feeds: FeedStore }): SignalCollector {
  return {
    id: 'signals.malicious',
    async collect(subject) {
      if (subject.ecosystem !== 'npm' && subject.ecosystem !== 'pypi') return { malicious: asJson(NO_MALICIOUS_FACTS) };
      return { malicious: asJson(await maliciousFactsFromStore(deps.feeds, subject.ecosystem, subject.name, subject.version)) };
    },
  };
}
