/**
 * Install-time behaviour: what runs when a package is installed, and what that code does.
 * The hook shape is ecosystem-neutral: npm lifecycle scripts and implicit node-gyp builds now,
 * PyPI `setup.py` and `.pth` files in wheels later, all analysed by the same rules.
 */
import type { Severity } from '../../core/index.ts';

export type InstallHookKind =
  /** `preinstall`/`install`/`postinstall`/`prepare` in package.json. */
  | 'npm-lifecycle'
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
}

export const DEFAULT_INSTALL_SCRIPT_LIMITS: InstallScriptLimits = {
  maxContentChars: 512 * 1024,
  maxHooks: 64,
  maxFindings: 200,
};
