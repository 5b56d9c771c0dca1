export * from './brand.ts';
export * from './errors.ts';
export * from './digest.ts';
export * from './ecosystem.ts';
export * from './package-name.ts';
export * from './purl.ts';
export * from './verdict.ts';
export * from './ulid.ts';
