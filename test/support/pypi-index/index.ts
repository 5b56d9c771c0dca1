export * from './names.ts';
export * from './core-metadata.ts';
export * from './wheel.ts';
export * from './sdist.ts';
export * from './simple-page.ts';
export * from './index-server.ts';
export * from './pip.ts';
export * from './twine.ts';
