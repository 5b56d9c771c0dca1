/**
 * The one place that talks to the Rego engine: compile a bundle's modules and data, and evaluate
 * a query against an input document under limits.
 */
import { AirlockError } from '../core/index.ts';
import { compile, RegoError, type CompiledPolicy, type EvalBatch, type Value } from '../rego/index.ts';
import type { Json } from '../storage/ports/index.ts';
import type { PolicyBundleSource } from './bundle-loader.ts';

export interface EvaluationLimits {
  /** Wall-clock budget per decision (one evaluation of deny, quarantine and warn). */
  readonly timeoutMs: number;
  /** Evaluation step budget per decision (bounds runaway recursion and huge comprehensions). */
  readonly maxSteps: number;
}

export interface CompiledBundle {
  readonly hash: string;
  readonly source: PolicyBundleSource;
  /**
   * Values of several refs in one evaluation (shared rules evaluated once, input converted
   * once); with a batch, what earlier inputs of the batch computed is reused where it applies.
   * Throws RegoError (or AirlockError) on evaluation errors, time-outs and step limits. `nowNs`
   * is what `time.now_ns()` answers (the input's `now`, so one decision sees one clock).
   */
  evaluateAll(refs: readonly string[], input: Json, limits: EvaluationLimits, nowNs?: bigint, batch?: EvalBatch): (Value | undefined)[];
  /** A batch for a run of similar inputs (one package's versions). */
  batch(): EvalBatch;
}

/** Compiles every module with the bundle's data. Throws POLICY_ERROR naming `file:row:col`. */
export function compileBundle(source: PolicyBundleSource): CompiledBundle {
  let compiled: CompiledPolicy;
  try {
    compiled = compile(
      source.modules.map((m) => ({ path: m.path, source: m.source })),
      { data: source.data },
    );
  } catch (err) {
    throw new AirlockError('POLICY_ERROR', `policy does not compile: ${regoErrorText(err)}`, { cause: err });
  }
  return {
    hash: source.hash,
    source,
    evaluateAll(refs, input, limits, nowNs, batch) {
      return compiled.evaluateAll(refs, {
        input,
        strictBuiltinErrors: true,
        maxSteps: limits.maxSteps,
        timeoutMs: limits.timeoutMs,
        ...(nowNs === undefined ? {} : { nowNs }),
        ...(batch === undefined ? {} : { batch }),
      });
    },
    batch: () => compiled.batch(),
  };
}

/** One line per error detail, `file:row:col: code: message`. */
export function regoErrorText(err: unknown): string {
  if (err instanceof RegoError) {
    return err.errors
      .map((d) => (d.location === undefined ? `${d.code}: ${d.message}` : `${d.location.file}:${d.location.row}:${d.location.col}: ${d.code}: ${d.message}`))
      .join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}
