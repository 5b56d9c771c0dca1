/**
 * Runs the behaviour rules over install hooks and builds the `install_scripts` facts. Pure and
 * bounded: each hook's content is cut at the limit (and the cut reported), findings are capped.
 */
import { maxSeverity, severityRank, type Severity } from '../../core/index.ts';
import { BEHAVIOUR_RULES, type BehaviourRule } from './rules.ts';
import {
  DEFAULT_INSTALL_SCRIPT_LIMITS,
  type BehaviourCategory,
  type BehaviourFinding,
  type InstallHook,
  type InstallHookKind,
  type InstallScriptLimits,
} from './types.ts';

const EVIDENCE_CHARS = 160;

function excerpt(text: string): string {
  // eslint-style control-character scrub: evidence is shown to humans and stored as JSON.
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?').replace(/\s+/g, ' ').trim();
  return clean.length > EVIDENCE_CHARS ? `${clean.slice(0, EVIDENCE_CHARS - 1)}…` : clean;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function applyRule(rule: BehaviourRule, hook: InstallHook, text: string): BehaviourFinding | null {
  if (rule.only !== undefined && !rule.only.includes(hook.kind)) return null;
  const re = new RegExp(rule.pattern.source, rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`);
  let first: RegExpExecArray | null = null;
  let count = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (first === null) first = m;
    count++;
    if (m[0].length === 0) re.lastIndex++;
    if (count >= 1000) break;
  }
  if (first === null || count < (rule.minCount ?? 1)) return null;
  return {
    rule: rule.id,
    category: rule.category,
    severity: rule.severity,
    message: rule.message,
    source: hook.name,
    line: lineOf(text, first.index),
    evidence: excerpt(first[0]),
    count,
  };
}

export interface HookAnalysis {
  readonly findings: readonly BehaviourFinding[];
  /** Hooks whose content was longer than the limit (only the start was analysed). */
  readonly truncated: readonly string[];
  /** Hooks beyond `maxHooks`, not analysed. */
  readonly skipped: number;
  /** What hooks run that the artifact's read left unread (its bounds ran out). */
  readonly unread?: readonly string[];
}

export function analyseInstallHooks(hooks: readonly InstallHook[], limits: InstallScriptLimits = DEFAULT_INSTALL_SCRIPT_LIMITS): HookAnalysis {
  const findings: BehaviourFinding[] = [];
  const truncated: string[] = [];
  const analysed = hooks.slice(0, limits.maxHooks);
  for (const hook of analysed) {
    let text = hook.content;
    if (text.length > limits.maxContentChars) {
      text = text.slice(0, limits.maxContentChars);
      truncated.push(hook.name);
    }
    for (const rule of BEHAVIOUR_RULES) {
      if (findings.length >= limits.maxFindings) break;
      const f = applyRule(rule, hook, text);
      if (f !== null) findings.push(f);
    }
  }
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { findings, truncated, skipped: hooks.length - analysed.length };
}

/** `input.facts.install_behaviour` (JSON, snake_case; see docs/signals.md). */
export interface InstallScriptFacts {
  /** Any hook runs at install time (lifecycle script, native build, .pth, setup.py). */
  readonly present: boolean;
  readonly hooks: readonly { readonly kind: InstallHookKind; readonly name: string; readonly command: string }[];
  /** node-gyp (or another native toolchain) builds code on the user's machine. */
  readonly native_build: boolean;
  /** The registry metadata declares install scripts (npm `hasInstallScript`). */
  readonly declared: boolean;
  readonly categories: readonly BehaviourCategory[];
  readonly max_severity: Severity | 'none';
  readonly findings: readonly {
    readonly rule: string;
    readonly category: BehaviourCategory;
    readonly severity: Severity;
    readonly message: string;
    readonly source: string;
    readonly line: number;
    readonly evidence: string;
    readonly count: number;
  }[];
  /** Sources analysed only in part because of the size limit, or hooks not analysed at all. */
  readonly truncated: readonly string[];
  readonly skipped_hooks: number;
  /** Files or modules the hooks run that the bounds of the artifact's read left unread. */
  readonly unread: readonly string[];
  /** Everything the hooks run was analysed in full: nothing truncated, skipped or unread. */
  readonly complete: boolean;
}

const COMMAND_CHARS = 500;

export function installScriptFacts(
  summary: { readonly hooks: readonly InstallHook[]; readonly nativeBuild: boolean; readonly declaredInstallScript: boolean },
  analysis: HookAnalysis,
): InstallScriptFacts {
  let max: Severity | 'none' = 'none';
  for (const f of analysis.findings) max = max === 'none' ? f.severity : maxSeverity(max, f.severity);
  // Files and config values are analysed as what hooks run, not listed as hooks themselves.
  const installHooks = summary.hooks.filter((h) => h.kind !== 'script-file' && h.kind !== 'npm-config');
  return {
    present: installHooks.length > 0 || summary.declaredInstallScript,
    hooks: installHooks.map((h) => ({
      kind: h.kind,
      name: h.name,
      command: h.content.length > COMMAND_CHARS ? `${h.content.slice(0, COMMAND_CHARS - 1)}…` : h.content,
    })),
    native_build: summary.nativeBuild,
    declared: summary.declaredInstallScript,
    categories: [...new Set(analysis.findings.map((f) => f.category))].sort(),
    max_severity: max,
    findings: analysis.findings.map((f) => ({ ...f })),
    truncated: analysis.truncated,
    skipped_hooks: analysis.skipped,
    unread: analysis.unread ?? [],
    complete: analysis.truncated.length === 0 && analysis.skipped === 0 && (analysis.unread ?? []).length === 0,
  };
}
