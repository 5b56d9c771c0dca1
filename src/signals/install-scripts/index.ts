export * from './types.ts';
export { BEHAVIOUR_RULES, type BehaviourRule } from './rules.ts';
export { analyseInstallHooks, installScriptFacts, type HookAnalysis, type InstallScriptFacts } from './analyse.ts';
export { npmInstallHooks, NPM_INSTALL_SCRIPTS, type NpmHookSummary, type NpmManifestHints } from './npm-hooks.ts';
export { referencedScriptFiles } from './referenced-files.ts';
export { npmHookFiles, npmInstallScriptFacts, type NpmInstallScriptInput } from './collect-npm.ts';
