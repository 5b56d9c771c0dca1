export * from './git-objects.ts';
export * from './hub-repos.ts';
export * from './hub-exchange.ts';
export * from './hub-server.ts';
export * from './client.ts';
export * from './model-samples.ts';
