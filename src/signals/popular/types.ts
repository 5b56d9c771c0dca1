/** Popular-name lists: the names look-alikes imitate, with where each list came from. */
import type { PopularName } from '../lookalike/index.ts';

export type PopularEcosystem = 'npm' | 'pypi';

export interface PopularListSource {
  /** Human-readable origin, e.g. `npm package npm-high-impact@1.13.0`. */
  readonly description: string;
  /** When the list's data was taken (ISO date or date-time), if known. */
  readonly asOf: string | null;
  readonly license: string;
  readonly attribution: string;
}

export interface PopularList {
  readonly ecosystem: PopularEcosystem;
  /** Most popular first; `rank` is 1-based and dense. */
  readonly names: readonly PopularName[];
  readonly source: PopularListSource;
}
