export * from './build-app.ts';
export * from './server.ts';
export * from './services.ts';
export * from './logger.ts';
export * from './config/index.ts';
export * from './metrics/airlock-metrics.ts';
