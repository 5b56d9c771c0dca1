/** `input.facts.malicious` for one version, from the advisories the metadata store holds. */
import { pep503Form } from '../../core/index.ts';
import type { FeedStore } from '../../storage/ports/index.ts';
import { advisoryToRecord } from './advisory.ts';
import { createMaliciousIndex, NO_MALICIOUS_FACTS, type MaliciousFacts } from './match.ts';
import type { FeedEcosystem, FeedRecord } from './types.ts';

export async function maliciousFactsFromStore(store: FeedStore, ecosystem: FeedEcosystem, name: string, version: string): Promise<MaliciousFacts> {
  // Stored names are canonical: npm as published, PyPI PEP 503-normalised.
  const canonical = ecosystem === 'pypi' ? pep503Form(name) : name;
  const advisories = await store.advisoriesFor(ecosystem, canonical);
  if (advisories.length === 0) return NO_MALICIOUS_FACTS;
  const records = advisories.map(advisoryToRecord).filter((r): r is FeedRecord => r !== null);
  return createMaliciousIndex(records).match(ecosystem, canonical, version);
}
