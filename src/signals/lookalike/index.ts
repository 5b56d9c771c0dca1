export * from './types.ts';
export { createLookalikeIndex, DEFAULT_MIN_SCORE } from './engine.ts';
export { canonicalName, shapeOf, type NameRules, type NameShape } from './names.ts';
export { skeletonOf, foldUnicode, invisibleCharacters } from './confusables.ts';
export { boundedOsaDistance, classifySingleEdit, type EditTechnique } from './edit-distance.ts';
export { nameFindings, type NameFindings } from './name-findings.ts';
