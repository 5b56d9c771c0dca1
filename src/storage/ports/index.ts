export * from './blob-store.ts';
export * from './records.ts';
export * from './metadata-store.ts';
export * from './audit-hash.ts';
