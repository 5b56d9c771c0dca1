export * from './types.ts';
export * from './secret.ts';
export * from './schema.ts';
export * from './env.ts';
export * from './load.ts';
export * from './npm-client.ts';
export * from './units.ts';
