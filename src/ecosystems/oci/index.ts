export { ociGroupPlugin } from './group.ts';
export type { OciMember } from './member.ts';
export { ociPlugin } from './plugin.ts';
export { ociRootPlugin } from './root-plugin.ts';
export type { OciPluginOptions } from './options.ts';
export { RegistryUpstream } from './registry-auth.ts';
export { collectHostedImages, type HostedImagesCollected } from './hosted/collect-pass.ts';
