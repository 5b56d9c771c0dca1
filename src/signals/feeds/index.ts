export * from './types.ts';
export { parseOsvRecord, OsvRecordError, DEFAULT_OSV_LIMITS, type OsvParseLimits, type OsvParseOptions, type OsvParseResult } from './osv.ts';
export { canonicalFeedName, createMaliciousIndex, matchRecord, versionOrder, type VersionOrder, NO_MALICIOUS_FACTS, type MaliciousFacts, type MaliciousIndex, type MatchKind } from './match.ts';
export { readOsvFeed, FeedReadError, DEFAULT_FEED_LIMITS, type FeedReadLimits, type FeedReadResult, type FeedEntryError } from './source.ts';
export { readZipDirectory, readZipEntry, zipEntries, ZipFormatError, DEFAULT_ZIP_LIMITS, type RandomAccessSource, type ZipEntry, type ZipLimits } from './zip-reader.ts';
export { recordToAdvisory, advisoryToRecord } from './advisory.ts';
export { importOsvFeed, FeedImportRefused, type FeedImportOptions, type FeedImportSummary } from './import.ts';
export { vulnerabilityFacts, worseFirst, severityRank, SEVERITY_LEVELS, NO_VULNERABILITY_FACTS, MAX_LISTED_VULNERABILITIES, type VulnerabilityFacts, type VulnerabilityRecordFacts } from './vulnerabilities.ts';
export { cvss3BaseScore, ratingOf } from './cvss.ts';
