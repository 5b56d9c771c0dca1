/**
 * What a candidate policy would change, before it is deployed: the recorded decisions (newest
 * first, the latest per repository, version and phase) are replayed with the facts, request and
 * clock each was decided with, under the active policy and under the candidate, and every version
 * whose verdict, reasons or warnings differ is reported. Both policies see the same input, so a
 * difference is the policy change alone, not time passing (a cooldown ends) or a review since.
 * Reviews and exceptions are not part of the replay: they apply after the policy, as they would
 * for either one, and `input.review` / `input.exceptions` are empty in replayed inputs.
 * The work is bounded (decisions examined, wall time) and yields to the event loop between
 * slices, so a replay on a serving gateway does not stall its clients.
 */
import { parsePurl, purlFullName, type Reason, type VerdictKind } from '../core/index.ts';
import type { PolicyOutcome } from '../policy/index.ts';
import type { RepositoryKind } from '../policy/input.ts';
import type { DecisionLog, DecisionPhase, DecisionRecord, Json } from '../storage/ports/index.ts';
import { buildPolicyInput, reviewInput } from './policy-input.ts';
import type { Facts } from './types.ts';

export interface ImpactOptions {
  /** Only decisions made at or after this time (null: all). */
  readonly since: Date | null;
  /** At most this many distinct decisions are replayed. */
  readonly limit: number;
  /** At most this many changes are listed (all are counted). */
  readonly maxChanges: number;
  /** Wall-clock budget of the whole replay. */
  readonly budgetMs: number;
}

export interface ImpactDeps {
  readonly decisions: DecisionLog;
  /** The active policy's verdict for an input. */
  readonly baseline: (input: Json) => PolicyOutcome;
  /** The candidate's. */
  readonly candidate: (input: Json) => PolicyOutcome;
  /** Each repository's kind, as the gate gives it to the policy (default: a proxy). */
  readonly repositoryKind?: (repo: string) => RepositoryKind;
  readonly now?: () => number;
}

export interface ImpactVerdict {
  readonly verdict: VerdictKind;
  readonly reasons: readonly Reason[];
  readonly warnings: readonly Reason[];
  /** The evaluation failed and the verdict is the fail-closed one. */
  readonly error: string | null;
}

export interface ImpactChange {
  readonly repo: string;
  readonly purl: string;
  readonly phase: DecisionPhase;
  /** When the replayed decision was made (its clock in the replay). */
  readonly decidedAt: Date;
  /** What differs: the verdict, else its reasons, else only the warnings. */
  readonly change: 'verdict' | 'reasons' | 'warnings';
  readonly before: ImpactVerdict;
  readonly after: ImpactVerdict;
}

export interface ImpactReport {
  readonly baseline: string;
  readonly candidate: string;
  /** Distinct decisions replayed. */
  readonly examined: number;
  /** The oldest and newest decision replayed. */
  readonly oldest: Date | null;
  readonly newest: Date | null;
  /** False when the limit or the time budget ended the replay before the window did. */
  readonly complete: boolean;
  readonly changed: number;
  /** Verdict changes counted as `before->after` (such as `allow->quarantine`). */
  readonly transitions: Readonly<Record<string, number>>;
  /** Decisions the candidate could not evaluate (their verdict is the fail-closed one). */
  readonly candidateErrors: number;
  /** The changes, verdict changes first, then newest first; at most `maxChanges`. */
  readonly changes: readonly ImpactChange[];
}

const PAGE = 500;
/** Work between two yields to the event loop. */
const SLICE_MS = 20;

const SEVERITY: Readonly<Record<ImpactChange['change'], number>> = { verdict: 0, reasons: 1, warnings: 2 };

function reasonKey(r: Reason): string {
  return `${r.rule ?? ''}\0${r.message}`;
}

function sameReasons(a: readonly Reason[], b: readonly Reason[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(reasonKey));
  return b.every((r) => keys.has(reasonKey(r)));
}

function verdictOf(o: PolicyOutcome): ImpactVerdict {
  const v = o.verdict;
  return { verdict: v.kind, reasons: v.kind === 'allow' ? [] : v.reasons, warnings: v.warnings, error: o.error };
}

/** The policy input of a recorded decision, with its own clock; null when it cannot be rebuilt. */
export function replayInput(rec: DecisionRecord, repositoryKind: (repo: string) => RepositoryKind = () => 'proxy'): Json | null {
  let parts;
  try {
    parts = parsePurl(rec.purl);
  } catch {
    return null;
  }
  if (parts.version === null || typeof rec.facts !== 'object' || rec.facts === null || Array.isArray(rec.facts)) return null;
  const subject = { repo: rec.repo, ecosystem: parts.type, name: purlFullName(parts), version: parts.version, purl: rec.purl };
  return buildPolicyInput({
    phase: rec.phase,
    subject,
    repoKind: repositoryKind(rec.repo),
    facts: rec.facts as Facts,
    request: rec.request,
    review: reviewInput(null, rec.createdAt),
    exceptions: [],
    now: rec.createdAt,
  }) as unknown as Json;
}

function compare(rec: DecisionRecord, before: ImpactVerdict, after: ImpactVerdict): ImpactChange | null {
  const change =
    before.verdict !== after.verdict ? 'verdict' : !sameReasons(before.reasons, after.reasons) ? 'reasons' : !sameReasons(before.warnings, after.warnings) ? 'warnings' : null;
  if (change === null) return null;
  return { repo: rec.repo, purl: rec.purl, phase: rec.phase, decidedAt: rec.createdAt, change, before, after };
}

export async function policyImpact(deps: ImpactDeps, hashes: { readonly baseline: string; readonly candidate: string }, options: ImpactOptions): Promise<ImpactReport> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const seen = new Set<string>();
  const changes: ImpactChange[] = [];
  const transitions: Record<string, number> = {};
  let examined = 0;
  let changed = 0;
  let candidateErrors = 0;
  let oldest: Date | null = null;
  let newest: Date | null = null;
  let complete = true;
  let cursor: string | undefined;
  let sliceStart = now();
  replay: for (;;) {
    const page = await deps.decisions.listDecisions({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    for (const rec of page.items) {
      if (options.since !== null && rec.createdAt.getTime() < options.since.getTime()) break replay;
      const key = `${rec.repo}\0${rec.purl}\0${rec.phase}`;
      if (seen.has(key)) continue;
      if (examined >= options.limit || now() - started > options.budgetMs) {
        complete = false;
        break replay;
      }
      seen.add(key);
      const input = replayInput(rec, deps.repositoryKind);
      if (input === null) continue;
      examined++;
      newest ??= rec.createdAt;
      oldest = rec.createdAt;
      const before = verdictOf(deps.baseline(input));
      const after = verdictOf(deps.candidate(input));
      if (after.error !== null) candidateErrors++;
      const c = compare(rec, before, after);
      if (c !== null) {
        changed++;
        if (c.change === 'verdict') {
          const t = `${before.verdict}->${after.verdict}`;
          transitions[t] = (transitions[t] ?? 0) + 1;
        }
        changes.push(c);
        // Keep the most telling ones: verdict changes before reason and warning changes.
        if (changes.length > options.maxChanges * 2) trim(changes, options.maxChanges);
      }
      if (now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = now();
      }
    }
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  trim(changes, options.maxChanges);
  return { baseline: hashes.baseline, candidate: hashes.candidate, examined, oldest, newest, complete, changed, transitions, candidateErrors, changes };
}

/** Sorts verdict changes first (newest first within a kind, as found) and keeps `max`. */
function trim(changes: ImpactChange[], max: number): void {
  const ordered = changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => SEVERITY[a.c.change] - SEVERITY[b.c.change] || a.i - b.i)
    .slice(0, max)
    .map((x) => x.c);
  changes.length = 0;
  changes.push(...ordered);
}
