/**
 * npm install-script facts in one call: hooks from the manifest (packument version or the
 * tarball's package.json) and from the packages bundled in the tarball, plus — in the artifact
 * phase — the files those hooks run and everything those files load (`hook-files.ts`).
 */
import { analyseInstallHooks, installScriptFacts, type InstallScriptFacts, type RuleBudget } from './analyse.ts';
import { commandEntries, type CommandEntry } from './entries.ts';
import type { HookFiles, HookStart } from './hook-files.ts';
import { npmInstallHooks, type NpmHookSummary, type NpmManifestHints } from './npm-hooks.ts';
import { DEFAULT_INSTALL_SCRIPT_LIMITS, type InstallHook, type InstallScriptLimits } from './types.ts';

export interface NpmInstallScriptInput extends NpmManifestHints {
  /** The package.json object (hostile JSON). */
  readonly manifest: unknown;
  /**
   * Install-time scripts of the packages bundled in the tarball, by folder (`node_modules/x`), as
   * the inspection found them (artifact phase): npm runs them too, each in its own folder.
   */
  readonly bundled?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /**
   * The package's `config` values as its scripts see them (`npm_package_config_<key>`, the key
   * here without the prefix), when it has install scripts (artifact phase).
   */
  readonly config?: Readonly<Record<string, string>>;
}

/** A hook npm runs, and the folder it runs in (`''`: the package's own). */
interface Run {
  readonly folder: string;
  readonly hook: InstallHook;
}

function npmRuns(input: NpmInstallScriptInput): { summary: NpmHookSummary; runs: Run[] } {
  const summary = npmInstallHooks(input.manifest, input.hasBindingGyp === undefined ? {} : { hasBindingGyp: input.hasBindingGyp });
  const runs: Run[] = summary.hooks.map((hook) => ({ folder: '', hook }));
  for (const [folder, scripts] of input.bundled ?? []) {
    for (const [name, command] of Object.entries(scripts)) runs.push({ folder, hook: { kind: 'npm-lifecycle', name: `${name} in ${folder}`, content: command } });
  }
  // A script can run a config value (`sh -c "$npm_package_config_cmd"`) or a file can read one:
  // with install scripts to see them, each value is analysed and followed like a command.
  if (runs.length > 0) {
    for (const [key, value] of Object.entries(input.config ?? {})) runs.push({ folder: '', hook: { kind: 'npm-config', name: `config.${key}`, content: value } });
  }
  return { summary, runs };
}

/**
 * What a hook runs from the package, in the folder it runs in. The `prepare` lifecycle script
 * runs for git dependencies only, so its files are not read (unless an install script runs it by
 * name: then it is an `npm-script` hook). A node-gyp build reads binding.gyp, whose command
 * expansions (`<!(…)`, `<!@(…)`) run shell commands while gyp configures the build.
 */
function entriesOf(run: Run): CommandEntry[] {
  if (run.hook.kind === 'npm-lifecycle' && run.hook.name === 'prepare') return [];
  const entries = commandEntries(run.hook.content);
  if (/\bnode-gyp\b/.test(run.hook.content)) entries.push({ spec: 'binding.gyp', node: false });
  return entries;
}

/** The hooks npm runs for a package, worked out once, and where they start (`readHookFiles`). */
export interface NpmHookPlan {
  readonly summary: NpmHookSummary;
  readonly runs: readonly Run[];
  readonly starts: readonly HookStart[];
}

export function planNpmHooks(input: NpmInstallScriptInput): NpmHookPlan {
  const { summary, runs } = npmRuns(input);
  const starts = runs.map((run) => ({ folder: run.folder, entries: entriesOf(run) })).filter((s) => s.entries.length > 0);
  return { summary, runs, starts };
}

/**
 * The facts of a package's hooks (`plan`, or the input to plan them from) and of the files they
 * run; `budget`: the rules' CPU budget, when it is shared with other analyses (`RuleBudget`).
 */
export async function npmInstallScriptFacts(
  input: NpmInstallScriptInput | NpmHookPlan,
  read?: HookFiles,
  limits: InstallScriptLimits = DEFAULT_INSTALL_SCRIPT_LIMITS,
  budget?: RuleBudget,
): Promise<InstallScriptFacts> {
  const { summary, runs } = 'runs' in input ? input : npmRuns(input);
  const hooks: InstallHook[] = runs.map((r) => r.hook);
  for (const [path, body] of read?.files ?? []) hooks.push({ kind: 'script-file', name: path, content: body });
  const nativeBuild = summary.nativeBuild || runs.some((r) => r.folder !== '' && /\bnode-gyp\b/.test(r.hook.content));
  const analysis = await analyseInstallHooks(hooks, limits, budget);
  return installScriptFacts(
    { ...summary, hooks, nativeBuild },
    read === undefined ? analysis : { ...analysis, truncated: [...new Set([...read.truncated, ...analysis.truncated])], unread: read.unread },
  );
}
