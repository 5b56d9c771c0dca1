export { publisherFactsByVersion, publisherFactsFromTimeline, type PublisherFacts } from './facts.ts';
export {
  readPublishing,
  byPublishTime,
  PackumentShapeError,
  DEFAULT_PACKUMENT_LIMITS,
  type VersionPublishing,
  type TrustedPublisher,
  type PackumentLimits,
} from './packument.ts';
