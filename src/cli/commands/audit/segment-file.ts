/** A segment file read for verification or a report: checked line by line as it streams, never held whole. */
import { createReadStream } from 'node:fs';
import { SegmentError, verifiedSegment, type LiveTrail, type SegmentItem, type SegmentVerification } from '../../../gate/audit-evidence/index.ts';
import type { CommandIO } from '../../command.ts';
import { EXIT } from '../../admin/cli-support.ts';

export function segmentFile(path: string, live: LiveTrail | null): { readonly items: AsyncGenerator<SegmentItem>; readonly verification: SegmentVerification } {
  return verifiedSegment(createReadStream(path, { highWaterMark: 256 * 1024 }), { live });
}

/** A segment that does not verify: one line naming where and what, exit 1; other errors are the caller's. */
export function reportSegmentError(err: unknown, io: CommandIO, what: string): number | null {
  if (!(err instanceof SegmentError)) return null;
  io.stderr.write(`${what}: ${err.message}\n`);
  return EXIT.failed;
}
