/**
 * `airlock audit export`: a period of the audit trail as a segment file (JSON Lines), read from a
 * server or the storage and checked whole (header to trailer) as it is written. `--out FILE` is
 * written to a temporary file beside it, synced and renamed into place: a failed export leaves
 * no file, or a partial one, behind.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SegmentReader, splitLines, type SegmentHeader, type SegmentRange, type SegmentTrailer } from '../../../gate/audit-evidence/index.ts';
import type { CommandIO } from '../../command.ts';
import { EXIT } from '../../admin/cli-support.ts';
import { events, segmentFrom, type Target } from './target.ts';

const FLUSH_BYTES = 256 * 1024;

interface Sink {
  write(text: string): Promise<void>;
  /** Makes what was written final (the rename, for a file). */
  commit(): Promise<void>;
  /** Undoes it (removes the temporary file). */
  abandon(): Promise<void>;
}

function stdoutSink(io: CommandIO): Sink {
  return {
    async write(text) {
      if (!io.stdout.write(text)) await once(io.stdout, 'drain');
    },
    async commit() {},
    async abandon() {},
  };
}

async function fileSink(path: string): Promise<Sink> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh: FileHandle = await open(temp, 'wx', 0o644);
  let pending: string[] = [];
  let pendingBytes = 0;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    await fh.writeFile(text, 'utf8');
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    async write(text) {
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= FLUSH_BYTES) await flush();
    },
    async commit() {
      await flush();
      await fh.sync();
      await close();
      await rename(temp, target);
      // The rename itself survives a crash once the directory is synced (where that can be done).
      const dir = await open(dirname(target), 'r').catch(() => null);
      await dir?.sync().catch(() => undefined);
      await dir?.close();
    },
    async abandon() {
      await close().catch(() => undefined);
      await rm(temp, { force: true });
    },
  };
}

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
