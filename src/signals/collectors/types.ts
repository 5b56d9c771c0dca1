/**
 * Gate-side fact collectors for the signals. They have the shape of the gate's `FactCollector`
 * port (`src/gate/types.ts`), restated here structurally because signals may not import the gate
 * (the gate imports signals). Each returns its keys for `input.facts`; an error fails the decision
 * closed in the gate.
 */
import type { Ecosystem } from '../../core/index.ts';
import type { Json } from '../../storage/ports/index.ts';

export type FactsDoc = { readonly [key: string]: Json };

export interface CollectorSubject {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
}

export interface SignalCollector {
  readonly id: string;
  collect(subject: CollectorSubject, phase: 'metadata' | 'artifact', facts: FactsDoc, request: unknown): Promise<FactsDoc>;
}

/** The fact interfaces are JSON-safe by construction (strings, numbers, booleans, null, arrays, plain objects). */
export function asJson<T extends object>(value: T): Json {
  return value as unknown as Json;
}

/** A string fact supplied by the adapter, parsed as a date; null when absent or not a valid date. */
export function dateFact(facts: FactsDoc, key: string): Date | null {
  const v = Object.hasOwn(facts, key) ? facts[key] : undefined;
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
