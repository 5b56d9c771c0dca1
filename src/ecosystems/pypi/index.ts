export { pypiPlugin } from './plugin.ts';
export type { PypiPluginOptions } from './options.ts';
