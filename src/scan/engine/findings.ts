/** Findings the engine itself produces (limits, errors, unknown formats). */
import type { FindingClass, ScanEvidence, ScanFinding } from '../types.ts';
import type { Severity } from '../../core/index.ts';
import { assertNever } from '../../core/index.ts';

export function severityFor(c: FindingClass): Severity {
  switch (c) {
    case 'malicious':
      return 'critical';
    case 'suspicious':
      return 'medium';
    case 'invalid':
      return 'medium';
    case 'unscannable':
      return 'medium';
    case 'info':
      return 'info';
    default:
      return assertNever(c, 'finding class');
  }
}

export function finding(
  rule: string,
  cls: FindingClass,
  message: string,
  evidence: ScanEvidence,
  severity: Severity = severityFor(cls),
): ScanFinding {
  return { rule, class: cls, severity, message, evidence };
}
