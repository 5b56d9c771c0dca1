/**
 * `airlock audit verify --file EXPORT.jsonl`: checks a segment offline (header and trailer well
 * formed, every hash recomputes, seqs contiguous from the header's anchor, the trailer agrees);
 * given a server or storage as well, checks that the anchor and every event are still the same
 * in the live trail.
 */
import type { CommandIO } from '../../command.ts';
import { EXIT } from '../../admin/cli-support.ts';
import { events, livePages, targetName, type Target } from './target.ts';
import { reportSegmentError, segmentFile } from './segment-file.ts';

export async function verifyFile(path: string, target: Target | null, io: CommandIO): Promise<number> {
  const { items, verification } = segmentFile(path, target === null ? null : livePages(target));
  try {
    for await (const _ of items);
  } catch (err) {
    const code = reportSegmentError(err, io, `audit segment ${path} does not verify`);
    if (code !== null) return code;
    throw err;
  }
  const s = verification.summary;
  const seqs = s.count === 0 ? 'no events' : `${events(s.count)}, seq ${s.trailer.firstSeq}–${s.trailer.lastSeq}`;
  io.stdout.write(`audit segment intact: ${seqs}, anchored at seq ${s.header.anchor.seq} (hash ${s.header.anchor.hash}); last hash ${s.last.hash}\n`);
  if (target !== null) io.stdout.write(`identical to the live audit trail of ${targetName(target)}: the anchor and ${s.count === 1 ? 'the event' : `all ${s.count} events`}\n`);
  return EXIT.ok;
}
