export * from './sigstore/index.ts';
export * from './npm-registry/index.ts';
export * from './tuf/index.ts';
export * from './pypi/index.ts';
export * from './model-signing/index.ts';
export * from './cosign/index.ts';
export * from './jwt/index.ts';
