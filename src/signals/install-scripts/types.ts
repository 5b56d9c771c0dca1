/**
 * Install-time behaviour: what runs when a package is installed, and what that code does.
 * The hook shape is ecosystem-neutral: npm lifecycle scripts and implicit node-gyp builds now,
 * PyPI `setup.py` and `.pth` files in wheels later, all analysed by the same rules.
 */
import type { Severity } from '../../core/index.ts';

export type InstallHookKind =
  /** `preinstall`/`install`/`postinstall`/`prepare` in package.json. */
  | 'npm-lifecycle'
  /** A script an install script runs by name (`npm run build` runs `build`). */
  | 'npm-script'
  /**
   * A `config` value of package.json, which install scripts see as `npm_package_config_<key>`
   * (`sh -c "$npm_package_config_cmd"` runs it): analysed and followed like a script, not listed
   * as a hook.
   */
  | 'npm-config'
  /** `binding.gyp`/`gypfile`: npm runs `node-gyp rebuild` when no install script is set. */
  | 'npm-native-build'
  /** A file an install hook runs (`node install.js`), read from the artifact. */
  | 'script-file'
  /** PyPI sdist `setup.py` (runs on install from source). */
  | 'pypi-setup-py'
  /** A `.pth` file in a wheel: lines starting with `import` run at every interpreter start. */
  | 'pypi-pth';

export interface InstallHook {
  readonly kind: InstallHookKind;
  /** `postinstall`, `binding.gyp`, `install.js`, `setup.py`, `evil.pth` … */
  readonly name: string;
  /** The command line or file body (analysed up to the byte limit). */
  readonly content: string;
}

export const BEHAVIOUR_CATEGORIES = [
  'remote-fetch',
  'remote-exec',
  'exfiltration-endpoint',
  'credential-access',
  'environment-dump',
  'reconnaissance',
  'obfuscation',
  'code-eval',
  'shell-exec',
  'reverse-shell',
  'persistence',
  'destructive',
  'startup-hook',
] as const;
export type BehaviourCategory = (typeof BEHAVIOUR_CATEGORIES)[number];

export interface BehaviourFinding {
  /** Stable rule id: `install.remote-exec.pipe-to-shell`. */
  readonly rule: string;
  readonly category: BehaviourCategory;
  readonly severity: Severity;
  readonly message: string;
  /** The hook or file the match is in. */
  readonly source: string;
  /** 1-based line of the first match. */
  readonly line: number;
  /** The matched text, trimmed to a short excerpt. */
  readonly evidence: string;
  /** How many times the rule matched in this source. */
  readonly count: number;
}

export interface InstallScriptLimits {
  /** Characters of each hook or file analysed (the rest is reported as truncated). */
  readonly maxContentChars: number;
  readonly maxHooks: number;
  readonly maxFindings: number;
  /**
   * CPU time of the calling thread the rules may take in one judging pass (an artifact's hooks
   * and files, or the versions of one package: `RuleBudget`). What is left when it runs out is
   * reported as analysed in part or not at all.
   */
  readonly maxCpuMs: number;
  /**
   * Characters of a source the rules search between looks at the CPU budget (`analyse.ts`): one
   * rule over 32 KiB built to be slow takes about 30 ms. What the rules find does not depend on it.
   */
  readonly pieceChars: number;
}

/**
 * Each source is analysed whole up to 4 MiB, what the artifact's read keeps of a file
 * (`DEFAULT_HOOK_FILE_LIMITS`; a script in package.json is at most 1 MiB), and as many sources as
 * a read keeps files, with the scripts beside them. The rules take about 75 ms per MiB of real
 * install code (`npm run bench:install-code` prints the rate over the install code of popular
 * packages), so the 16 MiB a read keeps in all costs about 1.2 s. Code written against the rules
 * costs them more: 4 MiB of `curl ` repeated took 6 s, and 16 MiB of such code would hold the
 * gateway's main thread for 20 s. The budget of 2 s stops them there; what is left is reported,
 * and the built-in policy holds the package (`install_behaviour.incomplete`).
 */
export const DEFAULT_INSTALL_SCRIPT_LIMITS: InstallScriptLimits = {
  maxContentChars: 4 * 1024 * 1024,
  maxHooks: 1024,
  maxFindings: 200,
  maxCpuMs: 2000,
  pieceChars: 32 * 1024,
};
