export * from './cursor.ts';
export * from './json.ts';
export * from './validate.ts';
