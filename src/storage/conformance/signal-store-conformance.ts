import { describe } from 'node:test';
import { factCacheCases, feedStoreCases } from './signals/feeds-cache.ts';
import type { MakeSignalFixture } from './signals/fixture.ts';
import { firstSeenCases, missingNameCases } from './signals/missing-first-seen.ts';

/** The behaviour every SignalStore driver must show. */
export function runSignalStoreConformance(driver: string, makeFixture: MakeSignalFixture): void {
  describe(`SignalStore conformance: ${driver}`, () => {
    missingNameCases(makeFixture);
    firstSeenCases(makeFixture);
    feedStoreCases(makeFixture);
    factCacheCases(makeFixture);
  });
}
