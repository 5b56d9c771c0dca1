/** Content identification: the first analyzer (in registry order) whose sniffing accepts. */
import type { DetectHints, FormatAnalyzer, FormatId } from '../types.ts';

export function identify(
  analyzers: readonly FormatAnalyzer[],
  head: Uint8Array,
  size: number,
  hints: DetectHints,
  formats: readonly FormatId[] | undefined,
): FormatAnalyzer | undefined {
  for (const a of analyzers) {
    if (formats !== undefined && !formats.includes(a.format)) continue;
    if (a.detect(head, size, hints)) return a;
  }
  return undefined;
}
