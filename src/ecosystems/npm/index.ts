export { npmPlugin } from './plugin.ts';
export type { NpmPluginOptions, NpmMetrics, NpmSettings } from './options.ts';
export { NPM_DEFAULTS, resolveNpmSettings } from './options.ts';
export { HostedOrigin } from './hosted/origin.ts';
