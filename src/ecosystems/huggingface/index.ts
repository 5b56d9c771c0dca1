export { huggingfacePlugin } from './plugin.ts';
export type { HuggingfacePluginOptions } from './options.ts';
