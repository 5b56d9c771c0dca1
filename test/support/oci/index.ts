export * from './registry.ts';
export * from './distribution-process.ts';
export * from './token-server.ts';
export * from './layout.ts';
export * from './cosign.ts';
export * from './skopeo.ts';
