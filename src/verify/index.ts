export * from './sigstore/index.ts';
