/**
 * Install hooks of an npm package, from a packument version document or the tarball's own
 * package.json. Both are hostile JSON: only string scripts are taken, each bounded.
 */
import { isPlainObject, NPM_INSTALL_LIFECYCLE, npmInstallTimeScripts } from '../../core/index.ts';
import type { InstallHook } from './types.ts';

/** Lifecycle scripts npm runs on `npm install` of a dependency (prepare runs for git deps). */
export const NPM_INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;

export interface NpmManifestHints {
  /** The tarball has `binding.gyp` at its root (artifact phase). */
  readonly hasBindingGyp?: boolean;
}

export interface NpmHookSummary {
  readonly hooks: readonly InstallHook[];
  /** node-gyp will build native code (binding.gyp / gypfile). */
  readonly nativeBuild: boolean;
  /** The registry says the version has install scripts (abbreviated packuments). */
  readonly declaredInstallScript: boolean;
}

export function npmInstallHooks(manifest: unknown, hints: NpmManifestHints = {}): NpmHookSummary {
  const doc = isPlainObject(manifest) ? manifest : {};
  const scripts = isPlainObject(doc.scripts) ? doc.scripts : {};
  const hooks: InstallHook[] = [];
  // The install scripts and the scripts they run by name (`npm run build`), which run at install
  // too; `prepare` as a lifecycle script (run for git dependencies only) unless one of them runs it.
  const atInstall = npmInstallTimeScripts(scripts);
  const lifecycle = new Set<string>(NPM_INSTALL_LIFECYCLE);
  for (const name of NPM_INSTALL_SCRIPTS) {
    const command = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
    if (typeof command === 'string' && command.trim() !== '' && (lifecycle.has(name) || !Object.hasOwn(atInstall, name))) hooks.push({ kind: 'npm-lifecycle', name, content: command });
  }
  for (const [name, command] of Object.entries(atInstall)) {
    if (!lifecycle.has(name)) hooks.push({ kind: 'npm-script', name, content: command });
  }
  const gyp = hints.hasBindingGyp === true || doc.gypfile === true;
  const hasInstall = hooks.some((h) => h.name === 'install' || h.name === 'preinstall');
  if (gyp && !hasInstall) hooks.push({ kind: 'npm-native-build', name: 'binding.gyp', content: 'node-gyp rebuild' });
  return { hooks, nativeBuild: gyp || hooks.some((h) => /\bnode-gyp\b/.test(h.content)), declaredInstallScript: doc.hasInstallScript === true };
}
