export * from './facts.ts';
export * from './lookalike/index.ts';
export * from './popular/index.ts';
export * from './install-scripts/index.ts';
export * from './publisher/index.ts';
export * from './feeds/index.ts';
export { ageFacts, npmPublishDates, type AgeInput } from './age.ts';
export { requestedWhileMissingFacts, NOT_REQUESTED_WHILE_MISSING } from './missing.ts';
export * from './collectors/index.ts';
