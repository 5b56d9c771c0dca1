/**
 * npm install-script facts in one call: hooks from the manifest (packument version or the
 * tarball's package.json) and from the packages bundled in the tarball, plus the files those
 * hooks run when the artifact phase supplies them.
 */
import { analyseInstallHooks, installScriptFacts, type InstallScriptFacts } from './analyse.ts';
import { npmInstallHooks, type NpmHookSummary, type NpmManifestHints } from './npm-hooks.ts';
import { referencedScriptFiles } from './referenced-files.ts';
import { DEFAULT_INSTALL_SCRIPT_LIMITS, type InstallHook, type InstallScriptLimits } from './types.ts';

export interface NpmInstallScriptInput extends NpmManifestHints {
  /** The package.json object (hostile JSON). */
  readonly manifest: unknown;
  /**
   * Install scripts of the packages bundled in the tarball, by folder (`node_modules/x`), as the
   * inspection found them (artifact phase): npm runs them too, each in its own folder.
   */
  readonly bundled?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Bodies of files the hooks run, by package-relative path (artifact phase). */
  readonly files?: ReadonlyMap<string, string>;
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
  return { summary, runs };
}

/**
 * The files a hook runs, package-relative: a bundled package's hooks run in its folder. A
 * node-gyp build reads binding.gyp, whose command expansions (`<!(…)`, `<!@(…)`) run shell
 * commands while gyp configures the build.
 */
function filesOf(run: Run): string[] {
  const files = referencedScriptFiles([run.hook]);
  if (/\bnode-gyp\b/.test(run.hook.content)) files.push('binding.gyp');
  return files.map((p) => (run.folder === '' ? p : `${run.folder}/${p}`));
}

/** The files the install hooks run (`install.js`, `node_modules/x/setup.js`), for the artifact phase to read. */
export function npmHookFiles(input: NpmInstallScriptInput): string[] {
  return [...new Set(npmRuns(input).runs.flatMap(filesOf))].sort();
}

export function npmInstallScriptFacts(input: NpmInstallScriptInput, limits: InstallScriptLimits = DEFAULT_INSTALL_SCRIPT_LIMITS): InstallScriptFacts {
  const { summary, runs } = npmRuns(input);
  const hooks: InstallHook[] = runs.map((r) => r.hook);
  if (input.files !== undefined) {
    for (const path of new Set(runs.flatMap(filesOf))) {
      const body = input.files.get(path);
      if (body !== undefined) hooks.push({ kind: 'script-file', name: path, content: body });
    }
  }
  const nativeBuild = summary.nativeBuild || runs.some((r) => r.folder !== '' && /\bnode-gyp\b/.test(r.hook.content));
  return installScriptFacts({ ...summary, hooks, nativeBuild }, analyseInstallHooks(hooks, limits));
}
