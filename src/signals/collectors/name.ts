/** `input.facts.name` and `input.facts.lookalike`, from the popular-name indexes built at start-up. */
import { lookalikeFacts, nameFacts, NO_LOOKALIKE } from '../facts.ts';
import type { LookalikeIndex } from '../lookalike/index.ts';
import { asJson, type SignalCollector } from './types.ts';

export interface NameCollectorDeps {
  /** One index per ecosystem (with the internal names); ecosystems without one get name facts only. */
  readonly indexes: Readonly<Partial<Record<'npm' | 'pypi', LookalikeIndex>>>;
}

export function nameCollector(deps: NameCollectorDeps): SignalCollector {
  return {
    id: 'signals.name',
    async collect(subject) {
      const index = subject.ecosystem === 'npm' || subject.ecosystem === 'pypi' ? deps.indexes[subject.ecosystem] : undefined;
      if (index === undefined) return { name: asJson(nameFacts(subject.name, null, false)), lookalike: asJson(NO_LOOKALIKE) };
      const popular = index.popularEntry(subject.name);
      return {
        name: asJson(nameFacts(subject.name, popular === null ? null : { rank: popular.rank, downloads: popular.downloads }, index.isInternal(subject.name))),
        lookalike: asJson(lookalikeFacts(index.match(subject.name))),
      };
    },
  };
}
