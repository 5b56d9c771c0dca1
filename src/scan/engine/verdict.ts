/** Aggregation: the worst finding class decides the verdict; info never changes `safe`. */
import type { FileVerdict, FindingClass, ScanFinding } from '../types.ts';
import { assertNever } from '../../core/index.ts';

const RANK: Readonly<Record<FileVerdict, number>> = {
  safe: 0,
  unscannable: 1,
  invalid: 2,
  suspicious: 3,
  malicious: 4,
};

export function classVerdict(c: FindingClass): FileVerdict {
  switch (c) {
    case 'info':
      return 'safe';
    case 'malicious':
    case 'suspicious':
    case 'invalid':
    case 'unscannable':
      return c;
    default:
      return assertNever(c, 'finding class');
  }
}

export function worseVerdict(a: FileVerdict, b: FileVerdict): FileVerdict {
  return RANK[a] >= RANK[b] ? a : b;
}

export function aggregateVerdict(findings: readonly ScanFinding[]): FileVerdict {
  let verdict: FileVerdict = 'safe';
  for (const f of findings) verdict = worseVerdict(verdict, classVerdict(f.class));
  return verdict;
}
