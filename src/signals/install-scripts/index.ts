export * from './types.ts';
export { BEHAVIOUR_RULES, type BehaviourRule } from './rules.ts';
export { analyseInstallHooks, installScriptFacts, RuleBudget, type HookAnalysis, type InstallScriptFacts } from './analyse.ts';
export { npmInstallHooks, NPM_INSTALL_SCRIPTS, type NpmHookSummary, type NpmManifestHints } from './npm-hooks.ts';
export { commandEntries, gypCommands, type CommandEntry } from './entries.ts';
export { moduleSpecifiers } from './js-requires.ts';
export { readHookFiles, DEFAULT_HOOK_FILE_LIMITS, type ArchiveFile, type HookFileLimits, type HookFiles, type HookStart, type ReadArchiveFiles } from './hook-files.ts';
export { npmInstallScriptFacts, planNpmHooks, type NpmHookPlan, type NpmInstallScriptInput } from './collect-npm.ts';
