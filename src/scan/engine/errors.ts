/**
 * Exceptions analyzers throw; the engine turns each into a finding (fail closed), never a pass.
 * - `ScanLimitError`: a configured limit was reached; `scope: 'file'` ends the whole file's scan
 *   (byte budget, time), `scope: 'local'` only the current source (a member too large …).
 * - `ScanFormatError`: the bytes are malformed for the format the analyzer was chosen for.
 */
import type { ScanLimits } from '../types.ts';

export type LimitName = keyof ScanLimits;

export class ScanLimitError extends Error {
  readonly limit: LimitName;
  readonly scope: 'file' | 'local';
  readonly offset: number | undefined;

  constructor(limit: LimitName, message: string, scope: 'file' | 'local' = 'local', offset?: number) {
    super(message);
    this.name = 'ScanLimitError';
    this.limit = limit;
    this.scope = scope;
    this.offset = offset;
  }
}

export class ScanFormatError extends Error {
  /** Rule id of the resulting `invalid` finding, e.g. `zip.eocd.missing`. */
  readonly rule: string;
  readonly offset: number | undefined;

  constructor(rule: string, message: string, offset?: number) {
    super(message);
    this.name = 'ScanFormatError';
    this.rule = rule;
    this.offset = offset;
  }
}

/** The scan's signal fired (deadline or caller cancellation). Always ends the whole file. */
export class ScanAbortedError extends Error {
  readonly reason: 'timeout' | 'cancelled';

  constructor(reason: 'timeout' | 'cancelled') {
    super(reason === 'timeout' ? 'scan time budget exhausted' : 'scan cancelled');
    this.name = 'ScanAbortedError';
    this.reason = reason;
  }
}

/** The analyzer cannot look at (the rest of) the content, e.g. an unsupported codec. */
export class ScanUnscannableError extends Error {
  readonly rule: string;
  readonly offset: number | undefined;

  constructor(rule: string, message: string, offset?: number) {
    super(message);
    this.name = 'ScanUnscannableError';
    this.rule = rule;
    this.offset = offset;
  }
}
