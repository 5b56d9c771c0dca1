/**
 * `airlock policy test`: evaluates every `test_` rule like `opa test` — PASS when defined and
 * not false, FAIL otherwise, ERROR when evaluation fails; `todo_` rules are SKIPPED.
 */
import type { CompiledPolicy, SourceLocation } from '../../../rego/index.ts';
import { RegoError } from '../../../rego/index.ts';

export type TestStatus = 'PASS' | 'FAIL' | 'ERROR';

export interface TestOutcome {
  readonly ref: string;
  readonly location: SourceLocation;
  readonly status: TestStatus;
  readonly durationMs: number;
  readonly error?: string;
  readonly printed: readonly string[];
}

export interface TestRunOptions {
  readonly run?: RegExp;
  readonly timeoutMs?: number;
}

export function runTests(policy: CompiledPolicy, o: TestRunOptions): TestOutcome[] {
  const out: TestOutcome[] = [];
  for (const t of policy.tests()) {
    if (o.run !== undefined && !o.run.test(t.ref)) continue;
    const printed: string[] = [];
    const start = performance.now();
    let status: TestStatus;
    let error: string | undefined;
    try {
      const v = policy.evaluate(t.ref, {
        print: (m) => void printed.push(m),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      });
      status = v === undefined || v === false ? 'FAIL' : 'PASS';
    } catch (e) {
      status = 'ERROR';
      error = e instanceof RegoError ? e.message : e instanceof Error ? e.message : String(e);
    }
    const durationMs = performance.now() - start;
    out.push(error === undefined ? { ref: t.ref, location: t.location, status, durationMs, printed } : { ref: t.ref, location: t.location, status, durationMs, error, printed });
  }
  return out;
}

function duration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** OPA-style report. Failures are always listed; passes only with `verbose`. */
export function formatReport(results: readonly TestOutcome[], verbose: boolean): string {
  const lines: string[] = [];
  const byFile = new Map<string, TestOutcome[]>();
  for (const r of results) {
    if (!verbose && r.status === 'PASS') continue;
    const list = byFile.get(r.location.file) ?? [];
    list.push(r);
    byFile.set(r.location.file, list);
  }
  for (const [file, list] of byFile) {
    lines.push(`${file}:`);
    for (const r of list) {
      lines.push(`${r.ref}: ${r.status} (${duration(r.durationMs)})`);
      if (r.error !== undefined) lines.push(`  ${r.error}`);
      if (r.status !== 'PASS' || verbose) for (const p of r.printed) lines.push(`  ${p}`);
    }
    lines.push('');
  }
  const n = results.length;
  if (n === 0) return ''; // the command says on stderr why no test ran
  const count = (s: TestStatus): number => results.filter((r) => r.status === s).length;
  if (lines.length > 0) lines.push('-'.repeat(80));
  const pass = count('PASS');
  if (pass > 0) lines.push(`PASS: ${pass}/${n}`);
  const fail = count('FAIL');
  if (fail > 0) lines.push(`FAIL: ${fail}/${n}`);
  const err = count('ERROR');
  if (err > 0) lines.push(`ERROR: ${err}/${n}`);
  return `${lines.join('\n')}\n`;
}
