export { pypiPlugin, reasonPhrase } from './plugin.ts';
export type { PypiPluginOptions } from './options.ts';
