/**
 * The signal collectors the gateway runs, wired to the signal store: name and look-alike, age
 * and first sighting, the hallucination tripwire, known-malicious feeds, install behaviour and
 * publisher changes. Per-package knowledge read from the store is cached for `factsTtlMs`;
 * `feedChanged()` drops what a feed import can change.
 */
import type { FeedStore, FirstSeenStore, MissingNameLedger } from '../../storage/ports/index.ts';
import { ageCollector } from './age.ts';
import type { LookalikeIndexSource } from './indexes.ts';
import { installBehaviourCollector } from './install-behaviour.ts';
import { maliciousCollector } from './malicious.ts';
import { missingCollector } from './missing.ts';
import { nameCollector } from './name.ts';
import { publisherCollector } from './publisher.ts';
import type { SignalCollector } from './types.ts';

export interface SignalCollectorDeps {
  readonly store: MissingNameLedger & FirstSeenStore & FeedStore;
  readonly indexes: LookalikeIndexSource;
}

export interface SignalCollectorOptions {
  /** How long per-package facts read from the store are reused (0: never). */
  readonly factsTtlMs: number;
}

export interface SignalCollectors {
  readonly collectors: readonly SignalCollector[];
  /** The feed changed (an import, by this process or another): forget cached advisories. */
  feedChanged(): void;
}

export function createSignalCollectors(deps: SignalCollectorDeps, options: SignalCollectorOptions): SignalCollectors {
  const ttl = { ttlMs: options.factsTtlMs };
  const malicious = maliciousCollector({ feeds: deps.store }, ttl);
  const missing = missingCollector({ ledger: deps.store }, ttl);
  return {
    collectors: [
      nameCollector({ indexes: deps.indexes }),
      ageCollector({ firstSeen: deps.store }, ttl),
      missing,
      malicious,
      installBehaviourCollector(),
      publisherCollector(),
    ],
    feedChanged() {
      malicious.clear();
    },
  };
}
