export { OidcExchange, type ExchangedToken, type OidcExchangeDeps, type OidcExchangeOptions } from './exchange.ts';
export { DEFAULT_KEY_CACHE, IssuerKeys, type KeyCacheOptions, type OidcDocumentFetcher } from './key-sets.ts';
export { DiscoveryError, discoveryUrl, fetchDiscovery, type OidcDiscovery } from './discovery.ts';
export { parseIdToken, verifyIdToken } from './id-token.ts';
export { mintExchangedToken, type ExchangeGrant } from './mint.ts';
export { isOidcRefusal, OidcRefusal, type OidcRefusalReason } from './refusal.ts';
export { globMatches, matchTrustRule, type RuleMatch } from './trust-rules.ts';
export * from './types.ts';
