export * from './input.ts';
export * from './bundle-loader.ts';
export * from './compiled-bundle.ts';
export * from './decide.ts';
export * from './reasons.ts';
export * from './policy-service.ts';
export * from './builtin.ts';
