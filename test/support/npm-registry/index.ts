export * from './registry.ts';
export * from './packument.ts';
export * from './tarball.ts';
export * from './publish-body.ts';
