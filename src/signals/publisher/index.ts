export { publisherFactsByVersion, type PublisherFacts } from './facts.ts';
export { readPublishing, PackumentShapeError, DEFAULT_PACKUMENT_LIMITS, type VersionPublishing, type TrustedPublisher, type PackumentLimits } from './packument.ts';
