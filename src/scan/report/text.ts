/** Human-readable report: one block per file, findings worst first, then a summary line. */
import type { FileScanResult, FileVerdict, FindingClass } from '../types.ts';

const CLASS_ORDER: readonly FindingClass[] = ['malicious', 'suspicious', 'invalid', 'unscannable', 'info'];
const VERDICTS: readonly FileVerdict[] = ['malicious', 'suspicious', 'invalid', 'unscannable', 'safe'];

function evidenceText(e: Readonly<Record<string, unknown>>): string {
  const keys = ['callable', 'member', 'offset', 'opcode', 'calls', 'callOffset'];
  const parts = keys.filter((k) => e[k] !== undefined && e[k] !== '').map((k) => `${k}=${String(e[k])}`);
  return parts.length > 0 ? ` [${parts.join(' ')}]` : '';
}

export function renderText(results: readonly FileScanResult[], opts: { readonly verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.path}: ${r.verdict.toUpperCase()} (${r.format})`);
    const findings = [...r.findings]
      .filter((f) => opts.verbose === true || f.class !== 'info')
      .sort((a, b) => CLASS_ORDER.indexOf(a.class) - CLASS_ORDER.indexOf(b.class));
    for (const f of findings) lines.push(`  ${f.class} ${f.severity} ${f.rule}: ${f.message}${evidenceText(f.evidence)}`);
  }
  const counts = VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length] as const).filter(([, n]) => n > 0);
  lines.push(`${results.length} file${results.length === 1 ? '' : 's'} scanned: ${counts.map(([v, n]) => `${n} ${v}`).join(', ') || 'none'}`);
  return `${lines.join('\n')}\n`;
}
