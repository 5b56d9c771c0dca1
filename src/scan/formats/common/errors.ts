/**
 * Errors the format analyzers in this folder throw internally. `guardAnalysis` turns them into
 * findings at the analyzer boundary, so none escapes: a malformed structure is `invalid`, a limit
 * reached is `unscannable`. Anything else (the engine's deadline, its byte budget) propagates.
 */

/** The bytes are malformed for the format being parsed. */
export class FormatParseError extends Error {
  readonly rule: string;
  readonly offset: number | undefined;

  constructor(rule: string, message: string, offset?: number) {
    super(message);
    this.name = 'FormatParseError';
    this.rule = rule;
    this.offset = offset;
  }
}

/** A structure is larger or deeper than the analyzer is willing to look at. */
export class AnalysisLimitError extends Error {
  readonly rule: string;
  readonly offset: number | undefined;

  constructor(rule: string, message: string, offset?: number) {
    super(message);
    this.name = 'AnalysisLimitError';
    this.rule = rule;
    this.offset = offset;
  }
}
