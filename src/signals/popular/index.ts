export * from './types.ts';
export { loadNpmPopular, npmHighImpactVersion } from './npm.ts';
export { loadPypiPopular, parsePopularFile, popularListFromFile, PYPI_POPULAR_FILE, POPULAR_FORMAT, type PopularFile } from './pypi.ts';
export { deriveLegitPairs, SEPARATOR_PAIR_TOP_RANK, type LegitPair, type LegitPairKind } from './legit-pairs.ts';
export { loadLegitPairs, parseLegitPairsFile, LEGIT_PAIRS_FILE, LEGIT_PAIRS_FORMAT, type LegitPairsFile } from './legit-pairs-file.ts';
export { loadBundledLookalikeIndex, loadPopularList, type BundledIndexOptions } from './bundled.ts';
