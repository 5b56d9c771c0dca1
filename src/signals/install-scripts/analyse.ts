/**
 * Runs the behaviour rules over install hooks and builds the `install_scripts` facts. Pure and
 * bounded: each hook's content is cut at the limit (and the cut reported), findings are capped,
 * and the rules' CPU time has a budget (`RuleBudget`: what is left when it runs out is reported
 * too). They let the thread go every few milliseconds, so other requests are served meanwhile.
 */
import { setImmediate } from 'node:timers/promises';
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

/*
 * The rules run over a source one piece at a time, so the CPU budget is looked at every piece.
 * One rule over 4 MiB built against it (`curl ` repeated: each `curl` scans its 300-character
 * window for a `|`) takes about 4 s; over one piece, about 30 ms.
 *
 * A piece is searched through a window that reaches past it, and a match counts in the piece it
 * starts in, so what the rules find is what they find over the whole source. That holds because
 * every rule's match is either at most MATCH_REACH characters long, reading at most one more
 * (`\b`, `$`; the longest, `node -e` with 400 characters before `require('https')`, is about
 * 460), or a run of a short unit (`[A-Za-z0-9+/]{400,}`, `(?:\x..){24,}`): a match
 * ending within MATCH_REACH of the window's end may be a run the window cut (or a `$` it
 * faked), and is searched again through a window twice as long.
 */
const MATCH_REACH = 1024;
/** Matches counted per rule and source: enough for `minCount`, and what `count` reports at most. */
const MAX_COUNT = 1000;

/** One rule's search through one source. */
class RuleScan {
  readonly rule: BehaviourRule;
  readonly #re: RegExp;
  /** Where the next search starts: the end of the last match counted. */
  #next = 0;
  first: { readonly index: number; readonly text: string } | null = null;
  count = 0;

  constructor(rule: BehaviourRule) {
    this.rule = rule;
    const { source, flags } = rule.pattern;
    this.#re = new RegExp(source, flags.includes('g') ? flags : `${flags}g`);
  }

  /** Counts the matches that start in `[from, to)` of `text`, after those already counted. */
  scan(text: string, from: number, to: number): void {
    const window = to - from + 2 * MATCH_REACH;
    let at = Math.max(from, this.#next);
    while (at < to && this.count < MAX_COUNT) {
      // The window starts a character early, so `\b` and `^` see what precedes `at`.
      const start = at === 0 ? 0 : at - 1;
      let end = Math.min(text.length, start + window);
      let m: RegExpExecArray | null;
      for (;;) {
        this.#re.lastIndex = at - start;
        m = this.#re.exec(text.slice(start, end));
        if (m === null || start + m.index >= to || end === text.length || start + m.index + m[0].length <= end - MATCH_REACH) break;
        end = Math.min(text.length, start + 2 * (end - start));
      }
      if (m === null || start + m.index >= to) break;
      if (this.first === null) this.first = { index: start + m.index, text: m[0] };
      this.count++;
      at = start + m.index + Math.max(1, m[0].length);
    }
    this.#next = at;
  }
}

/** The finding of a rule's scan over a whole source, if it fired. */
function findingOf(scan: RuleScan, hook: InstallHook, text: string): BehaviourFinding | null {
  const { rule, first, count } = scan;
  if (first === null || count < (rule.minCount ?? 1)) return null;
  return {
    rule: rule.id,
    category: rule.category,
    severity: rule.severity,
    message: rule.message,
    source: hook.name,
    line: lineOf(text, first.index),
    evidence: excerpt(first.text),
    count,
  };
}

/** CPU time of the calling thread, in milliseconds (the machine's load is not the analysis's cost). */
function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/**
 * How long the rules hold the thread before they let other work run: they run on the gateway's
 * main thread, and one piece built against them takes up to about 25 ms over all of them (the
 * longest hold `npm run bench:install-code` prints).
 */
const YIELD_AFTER_MS = 10;

/**
 * The rules' CPU budget for one judging pass: a package's versions in the metadata phase share
 * one (a packument of 100 versions, each with its own 1 MiB script built against the rules,
 * would otherwise take 100 budgets), an artifact's hooks and files have theirs. Only the CPU the
 * rules use is charged: they let the thread go every few milliseconds (`YIELD_AFTER_MS`), and
 * what other requests use meanwhile is theirs.
 */
export class RuleBudget {
  #leftMs: number;
  #since = performance.now();

  constructor(cpuMs: number) {
    this.#leftMs = cpuMs;
  }

  get spent(): boolean {
    return this.#leftMs <= 0;
  }

  /** Runs `work`, charging the thread's CPU it takes. */
  charge(work: () => void): void {
    const before = threadCpuMs();
    try {
      work();
    } finally {
      this.#leftMs -= threadCpuMs() - before;
    }
  }

  /** Lets other work run if the rules have held the thread for a while. */
  async pause(): Promise<void> {
    if (performance.now() - this.#since < YIELD_AFTER_MS) return;
    await setImmediate();
    this.#since = performance.now();
  }
}

export interface HookAnalysis {
  readonly findings: readonly BehaviourFinding[];
  /** Hooks whose content was analysed only in part: longer than the limit, or left when the CPU budget ran out. */
  readonly truncated: readonly string[];
  /** Hooks not analysed: beyond `maxHooks`, or after the CPU budget ran out. */
  readonly skipped: number;
  /** The CPU budget ran out before everything was analysed. */
  readonly overBudget: boolean;
  /** What hooks run that the artifact's read left unread (its bounds ran out). */
  readonly unread?: readonly string[];
}

/**
 * The rules over `hooks`, within `budget` (by default a budget of its own, `limits.maxCpuMs`;
 * pass one to share it between the analyses of one judging pass).
 */
export async function analyseInstallHooks(
  hooks: readonly InstallHook[],
  limits: InstallScriptLimits = DEFAULT_INSTALL_SCRIPT_LIMITS,
  budget: RuleBudget = new RuleBudget(limits.maxCpuMs),
): Promise<HookAnalysis> {
  const findings: BehaviourFinding[] = [];
  const truncated: string[] = [];
  const analysed = hooks.slice(0, limits.maxHooks);
  let skipped = hooks.length - analysed.length;
  let overBudget = false;
  for (const [k, hook] of analysed.entries()) {
    if (findings.length >= limits.maxFindings) break;
    let text = hook.content;
    const cut = text.length > limits.maxContentChars;
    if (cut) text = text.slice(0, limits.maxContentChars);
    const scans = BEHAVIOUR_RULES.filter((rule) => rule.only === undefined || rule.only.includes(hook.kind)).map((rule) => new RuleScan(rule));
    let from = 0;
    for (; from < text.length; from += limits.pieceChars) {
      if (budget.spent) {
        overBudget = true;
        break;
      }
      const to = Math.min(text.length, from + limits.pieceChars);
      budget.charge(() => {
        for (const scan of scans) scan.scan(text, from, to);
      });
      await budget.pause();
    }
    if (overBudget && from === 0) {
      // Not begun: this hook and the rest are not analysed.
      skipped += analysed.length - k;
      break;
    }
    if (cut || from < text.length) truncated.push(hook.name);
    for (const scan of scans) {
      if (findings.length >= limits.maxFindings) break;
      const f = findingOf(scan, hook, text);
      if (f !== null) findings.push(f);
    }
    if (overBudget) {
      skipped += analysed.length - k - 1;
      break;
    }
  }
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { findings, truncated, skipped, overBudget };
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
  /** Sources analysed only in part: longer than the size limit, or left when the CPU budget ran out. */
  readonly truncated: readonly string[];
  /** Hooks and files not analysed at all: beyond the count limit, or after the CPU budget ran out. */
  readonly skipped_hooks: number;
  /** The rules' CPU budget ran out before everything was analysed. */
  readonly over_budget: boolean;
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
    over_budget: analysis.overBudget,
    unread: analysis.unread ?? [],
    complete: analysis.truncated.length === 0 && analysis.skipped === 0 && (analysis.unread ?? []).length === 0,
  };
}
