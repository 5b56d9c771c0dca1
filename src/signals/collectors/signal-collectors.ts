/**
 * The signal collectors the gateway runs, wired to the signal store: name and look-alike, age
 * and first sighting, the hallucination tripwire, known-malicious and vulnerability feeds,
 * install behaviour and publisher changes. Per-package knowledge read from the store is cached for `factsTtlMs`;
 * `feedChanged()` drops what a feed import can change.
 */
import { cacheFill, type CacheFills } from '../../core/index.ts';
import type { FeedStore, FirstSeenStore, MissingNameLedger } from '../../storage/ports/index.ts';
import { ageCollector } from './age.ts';
import type { LookalikeIndexSource } from './indexes.ts';
import { installBehaviourCollector } from './install-behaviour.ts';
import { advisoryLookup } from './advisories.ts';
import { maliciousCollector } from './malicious.ts';
import { missingCollector } from './missing.ts';
import { nameCollector } from './name.ts';
import { publisherCollector } from './publisher.ts';
import type { SignalCollector } from './types.ts';
import { vulnerabilityCollector } from './vulnerabilities.ts';

export interface SignalCollectorDeps {
  readonly store: MissingNameLedger & FirstSeenStore & FeedStore;
  readonly indexes: LookalikeIndexSource;
}

export interface SignalCollectorOptions {
  /** How long per-package facts read from the store are reused (0: never). */
  readonly factsTtlMs: number;
  /** Memory for what the collectors keep (estimated bytes; default 4 MiB). */
  readonly cacheBytes?: number;
}

/**
 * Estimated heap bytes per cached entry, from heap measurements: a remembered first sighting
 * (version key, epoch ms, map slot), a package's name and look-alike facts, a ledger record or
 * advisory lookup (mostly "none").
 */
const SIGHTING_BYTES = 80;
const NAME_FACTS_BYTES = 900;
const LOOKUP_BYTES = 240;

export interface SignalCollectors {
  readonly collectors: readonly SignalCollector[];
  /** The feed changed (an import, by this process or another): forget cached advisories. */
  feedChanged(): void;
  /** How full each cache is, in the bytes its entries were budgeted at. */
  caches(): CacheFills;
}

export function createSignalCollectors(deps: SignalCollectorDeps, options: SignalCollectorOptions): SignalCollectors {
  const bytes = options.cacheBytes ?? 4 * 1024 * 1024;
  const lookups = Math.max(100, Math.floor((bytes * 0.1) / LOOKUP_BYTES));
  const ttl = { ttlMs: options.factsTtlMs };
  const advisories = advisoryLookup(deps.store, { ...ttl, maxPackages: lookups });
  const missing = missingCollector({ ledger: deps.store }, { ...ttl, maxPackages: lookups });
  const names = nameCollector({ indexes: deps.indexes }, { maxPackages: Math.max(100, Math.floor((bytes * 0.2) / NAME_FACTS_BYTES)) });
  const ages = ageCollector({ firstSeen: deps.store }, { ...ttl, maxVersions: Math.max(1000, Math.floor((bytes * 0.6) / SIGHTING_BYTES)) });
  return {
    collectors: [
      names,
      ages,
      missing,
      maliciousCollector({ advisories }),
      vulnerabilityCollector({ advisories }),
      installBehaviourCollector(),
      publisherCollector(),
    ],
    feedChanged() {
      advisories.clear();
    },
    caches: () => ({
      firstSightings: cacheFill(ages.cache, SIGHTING_BYTES),
      nameFacts: cacheFill(names.cache, NAME_FACTS_BYTES),
      missingNames: cacheFill(missing.cache, LOOKUP_BYTES),
      advisories: cacheFill(advisories.cache, LOOKUP_BYTES),
    }),
  };
}
