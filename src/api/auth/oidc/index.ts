export { OidcExchange, type ExchangedToken, type OidcExchangeDeps, type OidcExchangeOptions } from './exchange.ts';
export { DEFAULT_KEY_CACHE, IssuerKeys, type KeyCacheOptions, type OidcDocumentFetcher } from './key-sets.ts';
export { isOidcRefusal, OidcRefusal, type OidcRefusalReason } from './refusal.ts';
export { globMatches, matchTrustRule, type RuleMatch } from './trust-rules.ts';
export * from './types.ts';
