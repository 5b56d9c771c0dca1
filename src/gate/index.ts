export * from './types.ts';
export * from './identity.ts';
export * from './duration.ts';
export * from './gate-service.ts';
export * from './review-index.ts';
export * from './overrides.ts';
export * from './quarantine-service.ts';
export * from './exception-service.ts';
