/**
 * Gate-side fact collectors for the signals. They have the shape of the gate's `FactCollector`
 * port (`src/gate/types.ts`), restated here structurally because signals may not import the gate
 * (the gate imports signals). A collector is called once per package with the versions to judge
 * and the package's history, and returns each version's keys for `input.facts`; an error fails
 * the decision closed in the gate.
 */
import type { Ecosystem, WeighedCache } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import type { ReadArchiveFiles } from '../install-scripts/index.ts';

export type FactsDoc = { readonly [key: string]: Json };

export interface CollectorSubject {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
}

/** Read access to an artifact's files (artifact phase). */
export interface CollectorContent {
  /** The artifact's bytes as stored (what reading its files walks). */
  readonly size: number;
  /** Absent when the adapter offers no reads (see the gate's `ArtifactContent`). */
  readonly readFiles?: ReadArchiveFiles;
}

export interface CollectorCandidate {
  readonly subject: CollectorSubject;
  /** The ecosystem adapter's facts for this version. */
  readonly facts: FactsDoc;
  readonly content?: CollectorContent;
}

export interface SignalCollectRequest {
  readonly phase: 'metadata' | 'artifact';
  /** Versions of one package. */
  readonly candidates: readonly CollectorCandidate[];
  /**
   * Every listed version of the package (the candidates included). Its versions need carry only
   * the facts in `HISTORY_FACTS`: adapters may hand over a compact timeline instead of every fact.
   */
  readonly history: readonly CollectorCandidate[];
  readonly request: unknown;
  readonly now: Date;
}

/**
 * The adapter facts that history-aware collectors (publisher changes, malicious history) read
 * from the versions in `history`; a collector that reads another one must add it here.
 */
export const HISTORY_FACTS = Object.freeze([
  'published_at',
  'publisher',
  'maintainers',
  'trusted_publisher',
  'trusted_publisher_config',
  'publish_approver',
  'provenance',
  'provenance_predicate_type',
] as const);

export interface SignalCollector {
  readonly id: string;
  /** Facts for each candidate, in order. */
  collect(req: SignalCollectRequest): Promise<readonly FactsDoc[]>;
}

/** A collector that keeps what it read or computed per package (its fill is exported as a metric). */
export interface CachingCollector extends SignalCollector {
  readonly cache: WeighedCache;
}

/** The fact interfaces are JSON-safe by construction (strings, numbers, booleans, null, arrays, plain objects). */
export function asJson<T extends object>(value: T): Json {
  return value as unknown as Json;
}

/** A fact supplied by the adapter, or undefined. */
export function factOf(facts: FactsDoc, key: string): Json | undefined {
  return Object.hasOwn(facts, key) ? facts[key] : undefined;
}

/** A string fact supplied by the adapter, parsed as a date; null when absent or not a valid date. */
export function dateFact(facts: FactsDoc, key: string): Date | null {
  const v = factOf(facts, key);
  if (typeof v !== 'string' || v.length > 64) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The package the request is about (every candidate names the same one). */
export function packageOf(req: SignalCollectRequest): CollectorSubject | null {
  return req.candidates[0]?.subject ?? null;
}
