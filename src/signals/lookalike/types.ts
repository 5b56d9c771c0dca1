/** Public types of the look-alike engine. */
import type { NameRules } from './names.ts';
import type { EditTechnique } from './edit-distance.ts';

/** One popular (protected) name. `rank` 1 is the most popular. */
export interface PopularName {
  readonly name: string;
  readonly rank: number;
  /** Downloads over the list's period, when the list has them. */
  readonly downloads?: number;
}

/** The class of confusion (what a policy usually tests). */
export type LookalikeKind =
  | 'typo'
  | 'homoglyph'
  | 'separator'
  | 'scope'
  | 'affix'
  | 'reorder'
  | 'simplification'
  | 'dependency-confusion';

export const LOOKALIKE_KINDS: readonly LookalikeKind[] = [
  'typo',
  'homoglyph',
  'separator',
  'scope',
  'affix',
  'reorder',
  'simplification',
  'dependency-confusion',
];

/** The specific technique inside a kind. */
export type LookalikeTechnique =
  | EditTechnique
  | 'double-typo'
  | 'unicode-homoglyph'
  | 'ascii-homoglyph'
  | 'separator-changed'
  | 'scope-typo'
  | 'scope-flattened'
  | 'scope-dropped'
  | 'foreign-scope'
  | 'prefix'
  | 'suffix'
  | 'digits'
  | 'tokens-reordered'
  | 'token-dropped'
  | 'vowels-dropped'
  | 'plural'
  | 'internal-name-upstream';

export type TargetSource = 'popular' | 'internal';

export interface LookalikeTarget {
  readonly name: string;
  readonly source: TargetSource;
  /** Rank in the popular list; null for internal names. */
  readonly rank: number | null;
  readonly downloads: number | null;
}

/** JSON-safe evidence (it lands in the policy input). */
export type Evidence = { readonly [k: string]: string | number | boolean | null | readonly string[] };

export interface LookalikeMatch {
  /** The name as asked. */
  readonly name: string;
  /** The popular or internal name it imitates. */
  readonly closest: string;
  readonly kind: LookalikeKind;
  readonly technique: LookalikeTechnique;
  /** 0..1: how strongly the name imitates the target, weighted by the target's popularity. */
  readonly score: number;
  /** OSA edit distance between the canonical spellings. */
  readonly distance: number;
  readonly target: LookalikeTarget;
  readonly evidence: Evidence;
}

export interface LookalikeOptions {
  readonly rules: NameRules;
  /** Internal (private) names, protected like the most popular ones. */
  readonly internal?: readonly string[];
  /** Pairs of names that legitimately look alike; never reported against each other. */
  readonly legitPairs?: readonly (readonly [string, string])[];
  /** Matches scoring below this are dropped (default 0.3). */
  readonly minScore?: number;
}

export interface LookalikeIndex {
  readonly rules: NameRules;
  readonly size: number;
  /** The best look-alike of `name`, or null when it looks like nothing (or is itself popular). */
  match(name: string): LookalikeMatch | null;
  /** Every candidate above `minScore`, best first (for explanations and evaluation). */
  matchAll(name: string): LookalikeMatch[];
  /** Whether the name is on the popular list (canonical comparison). */
  isPopular(name: string): boolean;
  /** The popular entry for a name, if any. */
  popularEntry(name: string): LookalikeTarget | null;
  isInternal(name: string): boolean;
}
