/**
 * `input.facts.age`: upstream dates from the adapter's facts (`published_at`,
 * `package_created_at`), first sightings from the first-seen store (marked here, so the first
 * decision about a version is its first sighting).
 */
import type { FirstSeenStore } from '../../storage/ports/index.ts';
import { ageFacts } from '../age.ts';
import { asJson, dateFact, type SignalCollector } from './types.ts';

export interface AgeCollectorDeps {
  readonly firstSeen: FirstSeenStore;
  readonly clock: () => Date;
}

export function ageCollector(deps: AgeCollectorDeps): SignalCollector {
  return {
    id: 'signals.age',
    async collect(subject, _phase, facts) {
      const now = deps.clock();
      const seen = await deps.firstSeen.markSeen(subject.ecosystem, subject.name, [subject.version], now);
      const first = await deps.firstSeen.firstSeen(subject.ecosystem, subject.name);
      return {
        age: asJson(
          ageFacts({
            packagePublished: dateFact(facts, 'package_created_at'),
            versionPublished: dateFact(facts, 'published_at'),
            packageFirstSeen: first.package,
            versionFirstSeen: seen.get(subject.version) ?? null,
            now,
          }),
        ),
      };
    },
  };
}
