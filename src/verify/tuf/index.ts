export { TufClient, TufError, type TufClientOptions, type TufFetcher, type TufStore } from './client.ts';
export { canonicalJson, parseMetadata, type Root } from './metadata.ts';
export { sigstoreTufRoot, SIGSTORE_TUF_URL } from './sigstore.ts';
