/**
 * SARIF 2.1.0 for code-scanning tools: one run, one rule per finding rule id, one result per
 * finding. Byte offsets are regions of the file itself only when the finding is not inside a
 * container member; members are logical locations (`archive/data.pkl`, `outer.zip!inner.pkl`).
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { FileScanResult, FindingClass } from '../types.ts';
import { assertNever } from '../../core/index.ts';

type Level = 'error' | 'warning' | 'note';

function level(c: FindingClass): Level {
  switch (c) {
    case 'malicious':
      return 'error';
    case 'suspicious':
    case 'invalid':
    case 'unscannable':
      return 'warning';
    case 'info':
      return 'note';
    default:
      return assertNever(c, 'finding class');
  }
}

function uri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export function toSarif(results: readonly FileScanResult[], toolVersion: string): Record<string, unknown> {
  const rules = new Map<string, { id: string; level: Level; text: string }>();
  const sarifResults: Record<string, unknown>[] = [];
  for (const r of results) {
    for (const f of r.findings) {
      const existing = rules.get(f.rule);
      if (existing === undefined) rules.set(f.rule, { id: f.rule, level: level(f.class), text: f.rule.replaceAll('.', ' ') });
      const member = typeof f.evidence.member === 'string' && f.evidence.member !== '' ? f.evidence.member : undefined;
      const physical: Record<string, unknown> = { artifactLocation: { uri: uri(r.path) } };
      if (member === undefined && typeof f.evidence.offset === 'number') physical.region = { byteOffset: f.evidence.offset, byteLength: 1 };
      const location: Record<string, unknown> = { physicalLocation: physical };
      if (member !== undefined) location.logicalLocations = [{ fullyQualifiedName: member, kind: 'member' }];
      sarifResults.push({
        ruleId: f.rule,
        level: level(f.class),
        message: { text: f.message },
        locations: [location],
        properties: { class: f.class, severity: f.severity, verdict: r.verdict, format: r.format, evidence: f.evidence },
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'airlock-scan',
            version: toolVersion,
            rules: [...rules.values()].map((r) => ({
              id: r.id,
              shortDescription: { text: r.text },
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        artifacts: results.map((r) => ({ location: { uri: uri(r.path) }, properties: { verdict: r.verdict, format: r.format } })),
        results: sarifResults,
      },
    ],
  };
}

export function renderSarif(results: readonly FileScanResult[], toolVersion: string): string {
  return `${JSON.stringify(toSarif(results, toolVersion), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
