export { ociPlugin, ociRootPlugin } from './plugin.ts';
export type { OciPluginOptions } from './options.ts';
export { RegistryUpstream } from './registry-auth.ts';
