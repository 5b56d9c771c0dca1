/**
 * npm install-script facts in one call: hooks from the manifest (packument version or the
 * tarball's package.json), plus the files those hooks run when the artifact phase supplies them.
 */
import { analyseInstallHooks, installScriptFacts, type InstallScriptFacts } from './analyse.ts';
import { npmInstallHooks, type NpmManifestHints } from './npm-hooks.ts';
import { referencedScriptFiles } from './referenced-files.ts';
import { DEFAULT_INSTALL_SCRIPT_LIMITS, type InstallHook, type InstallScriptLimits } from './types.ts';

export interface NpmInstallScriptInput extends NpmManifestHints {
  /** The package.json object (hostile JSON). */
  readonly manifest: unknown;
  /** Bodies of files the hooks run, by package-relative path (artifact phase). */
  readonly files?: ReadonlyMap<string, string>;
}

export function npmInstallScriptFacts(input: NpmInstallScriptInput, limits: InstallScriptLimits = DEFAULT_INSTALL_SCRIPT_LIMITS): InstallScriptFacts {
  const summary = npmInstallHooks(input.manifest, input.hasBindingGyp === undefined ? {} : { hasBindingGyp: input.hasBindingGyp });
  const hooks: InstallHook[] = [...summary.hooks];
  if (input.files !== undefined) {
    for (const path of referencedScriptFiles(summary.hooks)) {
      const body = input.files.get(path);
      if (body !== undefined) hooks.push({ kind: 'script-file', name: path, content: body });
    }
  }
  return installScriptFacts(summary, analyseInstallHooks(hooks, limits));
}
