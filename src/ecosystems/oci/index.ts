export { ociGroupPlugin } from './group.ts';
export type { OciMember } from './member.ts';
export { ociPlugin, ociRootPlugin } from './plugin.ts';
export type { OciPluginOptions } from './options.ts';
export { RegistryUpstream } from './registry-auth.ts';
export { collectHostedImages, type HostedImagesCollected } from './hosted/collect-pass.ts';
