/**
 * The decision contract: evaluate `data.airlock.deny`, `data.airlock.quarantine` and
 * `data.airlock.warn` against one input; deny wins, then quarantine, else allow. Fail closed:
 * an evaluation error, a time-out, a step limit or a malformed result becomes a block (or a
 * quarantine, when so configured) whose reason names the error — never an allow.
 */
import { combineVerdict, type Reason, type Verdict } from '../core/index.ts';
import type { Json } from '../storage/ports/index.ts';
import type { CompiledBundle, EvaluationLimits } from './compiled-bundle.ts';
import { regoErrorText } from './compiled-bundle.ts';
import { RegoError, type EvalBatch } from '../rego/index.ts';
import { reasonsFromValue } from './reasons.ts';

export type FailClosedVerdict = 'block' | 'quarantine';

export interface PolicyOutcome {
  readonly verdict: Verdict;
  readonly policyHash: string;
  /** Set when the verdict is the fail-closed one. */
  readonly error: string | null;
}

/**
 * Shared by the decisions of a run of similar inputs (the versions of one package): the parts
 * of the policy that read only what those inputs have in common are evaluated once.
 */
export type PolicyBatch = EvalBatch;

export const POLICY_ERROR_RULE = 'airlock.policy_error';

const RULES = ['deny', 'quarantine', 'warn'] as const;
const REFS = RULES.map((rule) => `data.airlock.${rule}`);

export function failClosedVerdict(message: string, onError: FailClosedVerdict): Verdict {
  const reason: Reason = { message, rule: POLICY_ERROR_RULE };
  return onError === 'block'
    ? { kind: 'block', reasons: [reason], warnings: [] }
    : { kind: 'quarantine', reasons: [reason], warnings: [] };
}

function errorText(err: unknown): string {
  if (err instanceof RegoError) return regoErrorText(err);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** The last `input.now` read and its nanoseconds: the versions of a package share one clock. */
let lastNow: { readonly text: string; readonly ns: bigint | undefined } = { text: '', ns: undefined };

/** The input's `now` as nanoseconds, so `time.now_ns()` agrees with `input.now`. */
function nowOf(input: Json): bigint | undefined {
  const now = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as { readonly now?: Json }).now : undefined;
  if (typeof now !== 'string') return undefined;
  if (now !== lastNow.text) {
    const ms = Date.parse(now);
    lastNow = { text: now, ns: Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n };
  }
  return lastNow.ns;
}

export function decide(
  bundle: CompiledBundle,
  input: Json,
  limits: EvaluationLimits,
  onError: FailClosedVerdict,
  batch?: PolicyBatch,
): PolicyOutcome {
  try {
    const nowNs = nowOf(input);
    const values = bundle.evaluateAll(REFS, input, limits, nowNs, batch);
    const [deny, quarantine, warn] = RULES.map((rule, i) => reasonsFromValue(values[i], rule)) as [Reason[], Reason[], Reason[]];
    return { verdict: combineVerdict(deny, quarantine, warn), policyHash: bundle.hash, error: null };
  } catch (err) {
    const message = `policy evaluation failed (fail closed): ${errorText(err)}`;
    return { verdict: failClosedVerdict(message, onError), policyHash: bundle.hash, error: message };
  }
}
