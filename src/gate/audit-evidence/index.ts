/** Compliance evidence from the audit trail: verifiable segments of a period, and reports of them (docs/audit-evidence.md). */
import { splitLines } from './lines.ts';
import { readSegment, type SegmentItem } from './reader.ts';
import { SegmentVerification, type LiveTrail } from './verify.ts';

export * from './errors.ts';
export * from './format.ts';
export * from './lines.ts';
export * from './range.ts';
export * from './reader.ts';
export * from './report.ts';
export * from './report-kinds.ts';
export * from './verify.ts';
export * from './writer.ts';

/** A segment's bytes read, checked and verified as they come (`verification.summary` once drained). */
export function verifiedSegment(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: { readonly live?: LiveTrail | null; readonly maxLineBytes?: number } = {},
): { readonly items: AsyncGenerator<SegmentItem>; readonly verification: SegmentVerification } {
  const verification = new SegmentVerification(options.live ?? null);
  return { items: verification.check(readSegment(splitLines(source, options.maxLineBytes))), verification };
}
