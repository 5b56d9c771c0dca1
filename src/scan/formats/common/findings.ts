/** Building and reporting findings from the format analyzers, and the analyzer boundary guard. */
import type { Severity } from '../../../core/index.ts';
import type { FindingClass, ScanContext, ScanEvidence } from '../../types.ts';
import { AnalysisLimitError, FormatParseError } from './errors.ts';

const DEFAULT_SEVERITY: Readonly<Record<FindingClass, Severity>> = {
  malicious: 'critical',
  suspicious: 'medium',
  invalid: 'medium',
  unscannable: 'medium',
  info: 'info',
};

export function report(
  ctx: ScanContext,
  rule: string,
  cls: FindingClass,
  message: string,
  evidence: ScanEvidence = {},
  severity: Severity = DEFAULT_SEVERITY[cls],
): void {
  ctx.report({ rule, class: cls, severity, message, evidence });
}

/**
 * Runs an analysis and converts this folder's parse and limit errors into findings. Errors of
 * other kinds (the engine's deadline and byte budget, programming errors) are rethrown for the
 * engine, which turns them into findings of its own.
 */
export async function guardAnalysis(ctx: ScanContext, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof FormatParseError) {
      report(ctx, err.rule, 'invalid', err.message, err.offset === undefined ? {} : { offset: err.offset });
      return;
    }
    if (err instanceof AnalysisLimitError) {
      report(ctx, err.rule, 'unscannable', `${err.message}; the rest was not analysed`, err.offset === undefined ? {} : { offset: err.offset });
      return;
    }
    throw err;
  }
}

/** Throws when the scan's deadline passed; cheap enough for inner loops that do no reads. */
export function checkAborted(ctx: ScanContext, rule: string): void {
  if (ctx.signal.aborted) throw new AnalysisLimitError(rule, 'scan deadline reached during analysis');
}
