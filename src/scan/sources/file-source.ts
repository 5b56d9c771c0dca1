/**
 * A file read with positional reads through one `FileHandle`: random access without loading
 * the file, so a multi-GB checkpoint costs only the bytes an analyzer asks for.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../types.ts';

export class FileSource implements ByteSource, AsyncDisposable {
  readonly size: number;
  readonly #handle: FileHandle;
  #closed = false;

  private constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
      return new FileSource(handle, stat.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0) throw new RangeError(`bad read ${offset}+${length}`);
    const start = Math.min(offset, this.size);
    const want = Math.min(length, this.size - start);
    const buffer = new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await this.#handle.read(buffer, filled, want - filled, start + filled);
      if (bytesRead === 0) break; // file shrank under us: short read, never invented bytes
      filled += bytesRead;
    }
    return filled === want ? buffer : buffer.subarray(0, filled);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
