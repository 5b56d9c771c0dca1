export * from './types.ts';
export { parseOsvRecord, OsvRecordError, DEFAULT_OSV_LIMITS, type OsvParseLimits, type OsvParseOptions, type OsvParseResult } from './osv.ts';
export { createMaliciousIndex, NO_MALICIOUS_FACTS, type MaliciousFacts, type MaliciousIndex, type MatchKind } from './match.ts';
export { readOsvFeed, FeedReadError, DEFAULT_FEED_LIMITS, type FeedReadLimits, type FeedReadResult, type FeedEntryError } from './source.ts';
export { readZipDirectory, readZipEntry, zipEntries, ZipFormatError, DEFAULT_ZIP_LIMITS, type RandomAccessSource, type ZipEntry, type ZipLimits } from './zip-reader.ts';
export { parseSemver, compareSemver, type SemVer } from './versions/semver.ts';
export { recordToAdvisory, advisoryToRecord } from './advisory.ts';
export { importOsvFeed, FeedImportRefused, type FeedImportOptions, type FeedImportSummary } from './import.ts';
export { maliciousFactsFromStore } from './store-facts.ts';
