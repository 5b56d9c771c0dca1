/**
 * `airlock audit report`: a compliance report of a period, from the same segment an export of it
 * writes (verified as it is read; a segment that does not verify gives no report): decisions by
 * ecosystem and verdict, reviews, exceptions, policy and token changes, hosted writes.
 */
import { ReportBuilder, verifiedSegment, type SegmentItem, type SegmentRange, type SegmentVerification } from '../../../gate/audit-evidence/index.ts';
import type { CommandIO } from '../../command.ts';
import { EXIT } from '../../admin/cli-support.ts';
import { renderReport } from './report-text.ts';
import { reportSegmentError, segmentFile } from './segment-file.ts';
import { livePages, segmentFrom, type Target } from './target.ts';

export interface ReportRequest {
  readonly range: SegmentRange;
  /** A segment file to report on instead of asking the target (then the target, if any, is checked against). */
  readonly file: string | undefined;
  readonly format: 'text' | 'json';
}

export async function report(target: Target | null, req: ReportRequest, io: CommandIO): Promise<number> {
  let read: { readonly items: AsyncGenerator<SegmentItem>; readonly verification: SegmentVerification };
  if (req.file !== undefined) read = segmentFile(req.file, target === null ? null : livePages(target));
  else read = verifiedSegment(await segmentFrom(target as Target, req.range, () => new Date()));
  const builder = new ReportBuilder();
  try {
    for await (const item of read.items) if (item.kind === 'event') builder.add(item.event);
  } catch (err) {
    const code = reportSegmentError(err, io, 'airlock audit report: the segment does not verify');
    if (code !== null) return code;
    throw err;
  }
  const r = builder.finish(read.verification.summary, new Date());
  io.stdout.write(req.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderReport(r));
  return EXIT.ok;
}
