/** The bundled lists wired into a ready look-alike index (offline, no network). */
import { createLookalikeIndex, type LookalikeIndex } from '../lookalike/index.ts';
import { loadLegitPairs } from './legit-pairs-file.ts';
import { loadNpmPopular } from './npm.ts';
import { loadPypiPopular } from './pypi.ts';
import type { PopularEcosystem, PopularList } from './types.ts';

export async function loadPopularList(ecosystem: PopularEcosystem): Promise<PopularList> {
  switch (ecosystem) {
    case 'npm':
      return loadNpmPopular();
    case 'pypi':
      return loadPypiPopular();
  }
}

export interface BundledIndexOptions {
  readonly internal?: readonly string[];
  readonly extraLegitPairs?: readonly (readonly [string, string])[];
  readonly minScore?: number;
}

export async function loadBundledLookalikeIndex(ecosystem: PopularEcosystem, options: BundledIndexOptions = {}): Promise<LookalikeIndex> {
  const [list, pairs] = await Promise.all([loadPopularList(ecosystem), loadLegitPairs(ecosystem)]);
  return createLookalikeIndex(list.names, {
    rules: ecosystem,
    internal: options.internal ?? [],
    legitPairs: [...pairs, ...(options.extraLegitPairs ?? [])],
    ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
  });
}
