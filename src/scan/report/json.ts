/** JSON report: `{"files":[{"path","format","verdict","findings":[{"rule","severity","message","evidence"}]}]}`. */
import type { FileScanResult } from '../types.ts';

export interface JsonReport {
  readonly files: readonly {
    readonly path: string;
    readonly format: string;
    readonly verdict: string;
    readonly findings: readonly {
      readonly rule: string;
      readonly class: string;
      readonly severity: string;
      readonly message: string;
      readonly evidence: Readonly<Record<string, unknown>>;
    }[];
  }[];
}

export function toJsonReport(results: readonly FileScanResult[]): JsonReport {
  return {
    files: results.map((r) => ({
      path: r.path,
      format: r.format,
      verdict: r.verdict,
      findings: r.findings.map((f) => ({
        rule: f.rule,
        class: f.class,
        severity: f.severity,
        message: f.message,
        evidence: Object.fromEntries(Object.entries(f.evidence).filter(([, v]) => v !== undefined)),
      })),
    })),
  };
}

export function renderJson(results: readonly FileScanResult[]): string {
  return `${JSON.stringify(toJsonReport(results), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
