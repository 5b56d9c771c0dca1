export * from './admin-api.ts';
export * from './errors.ts';
export * from './auth/token-service.ts';
export * from './auth/auth-hook.ts';
