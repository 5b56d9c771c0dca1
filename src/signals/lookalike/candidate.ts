/** What the detectors share: the query's derived forms, a candidate, the length factor. */
import { skeletonOf } from './confusables.ts';
import { flatOf, type NameShape } from './names.ts';
import type { Entry } from './structures.ts';
import type { Evidence, LookalikeKind, LookalikeTechnique } from './types.ts';

export interface Candidate {
  readonly entry: Entry;
  readonly kind: LookalikeKind;
  readonly technique: LookalikeTechnique;
  /** Strength of the imitation before the popularity weight, 0..1. */
  readonly weight: number;
  readonly evidence: Evidence;
}

export interface Query {
  readonly raw: string;
  readonly shape: NameShape;
  readonly fullFlat: string;
  readonly skeleton: string;
}

export function makeQuery(raw: string, shape: NameShape): Query {
  const fullFlat = flatOf(shape.scope === null ? shape.base : `${shape.scope}${shape.base}`);
  return { raw, shape, fullFlat, skeleton: skeletonOf(fullFlat) };
}

/** How believable an edit-based imitation is, by the length of the imitated word. */
export function lengthFactor(length: number): number {
  if (length <= 2) return 0;
  if (length === 3) return 0.35;
  if (length === 4) return 0.6;
  if (length === 5) return 0.8;
  if (length === 6) return 0.9;
  return 1;
}
