export { npmPlugin } from './plugin.ts';
export { npmGroupPlugin, type NpmMember } from './group.ts';
export type { NpmPluginOptions, NpmMetrics, NpmSettings } from './options.ts';
export { NPM_DEFAULTS, resolveNpmSettings } from './options.ts';
export { HostedOrigin } from './hosted/origin.ts';
