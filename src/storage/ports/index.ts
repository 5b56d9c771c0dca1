export * from './blob-store.ts';
export * from './records.ts';
export * from './metadata-store.ts';
export * from './audit-hash.ts';
export * from './audit-verify.ts';
export * from './write-stream.ts';
export * from './signal-records.ts';
export * from './signal-store.ts';
