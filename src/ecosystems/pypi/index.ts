export { pypiPlugin } from './plugin.ts';
export { pypiGroupPlugin } from './group.ts';
export { PypiHostedOrigin } from './hosted/origin.ts';
export type { PypiMember } from './member.ts';
export type { PypiPluginOptions } from './options.ts';
