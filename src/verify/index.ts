export * from './sigstore/index.ts';
export * from './npm-registry/index.ts';
