/**
 * Where a command's long output goes: standard output, or `--out FILE`, written to a temporary
 * file beside it, synced and renamed into place, so a failed command leaves no file, or a partial
 * one, behind (an audit segment, an inventory SBOM).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CommandIO } from '../command.ts';

const FLUSH_BYTES = 256 * 1024;

export interface Sink {
  write(text: string): Promise<void>;
  /** Makes what was written final (the rename, for a file). */
  commit(): Promise<void>;
  /** Undoes it (removes the temporary file). */
  abandon(): Promise<void>;
}

export function stdoutSink(io: CommandIO): Sink {
  return {
    async write(text) {
      if (!io.stdout.write(text)) await once(io.stdout, 'drain');
    },
    async commit() {},
    async abandon() {},
  };
}

export async function fileSink(path: string): Promise<Sink> {
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
