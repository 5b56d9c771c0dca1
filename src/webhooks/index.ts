export * from './events.ts';
export * from './signing.ts';
export * from './payload.ts';
export * from './delivery.ts';
export * from './dispatcher.ts';
export * from './service.ts';
