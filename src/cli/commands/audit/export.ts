/**
 * `airlock audit export`: a period of the audit trail as a segment file (JSON Lines), read from a
 * server or the storage and checked whole (header to trailer) as it is written. `--out FILE` is
 * written to a temporary file beside it, synced and renamed into place: a failed export leaves
 * no file, or a partial one, behind.
 */
import { SegmentReader, splitLines, type SegmentHeader, type SegmentRange, type SegmentTrailer } from '../../../gate/audit-evidence/index.ts';
import type { CommandIO } from '../../command.ts';
import { EXIT } from '../../admin/cli-support.ts';
import { fileSink, stdoutSink } from '../../admin/output-file.ts';
import { events, segmentFrom, type Target } from './target.ts';

export async function exportSegment(target: Target, range: SegmentRange, out: string | undefined, io: CommandIO): Promise<number> {
  const source = await segmentFrom(target, range, () => new Date());
  const sink = out === undefined ? stdoutSink(io) : await fileSink(out);
  let header: SegmentHeader | null = null;
  let trailer: SegmentTrailer | null = null;
  try {
    // Read back as any reader would: a segment cut short (the server failed mid-way, the
    // connection dropped) has no trailer and is refused here, not written.
    const reader = new SegmentReader();
    for await (const line of splitLines(source)) {
      const item = reader.read(line);
      if (item.kind === 'header') header = item.header;
      else if (item.kind === 'trailer') trailer = item.trailer;
      await sink.write(`${line.text}\n`);
    }
    reader.end();
    await sink.commit();
  } catch (err) {
    await sink.abandon();
    throw err;
  }
  const h = header as SegmentHeader;
  const t = trailer as SegmentTrailer;
  const seqs = t.count === 0 ? 'no events' : `${events(t.count)}, seq ${t.firstSeq}–${t.lastSeq}`;
  const where = out === undefined ? '' : ` to ${out}`;
  (out === undefined ? io.stderr : io.stdout).write(`exported ${seqs}${where}; anchor seq ${h.anchor.seq} hash ${h.anchor.hash}; last hash ${t.lastHash}\n`);
  return EXIT.ok;
}
