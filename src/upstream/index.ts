export * from './options.ts';
export * from './client.ts';
export * from './circuit-breaker.ts';
export * from './backoff.ts';
export * from './decode.ts';
export * from './errors.ts';
export * from './stale.ts';
export { Transport, TransportTimeout, type TransportOptions } from './transport.ts';
