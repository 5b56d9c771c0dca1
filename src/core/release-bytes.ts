/**
 * Giving a large buffer's memory back at once instead of at V8's next full collection.
 *
 * A buffer that lives across a thread-pool job (a zlib output, a decoded document) is often
 * promoted to the old generation, and its memory then waits for a mark-compact. V8 starts one
 * for such external memory only after about 64 MB more has piled up since the last one, so a
 * phase that makes much buffer garbage and little JavaScript garbage (the tarballs of a cold
 * install: 130 MB inflated for inspection) holds tens of MB of dead buffers at any moment.
 * Detaching the ArrayBuffer frees its backing store now; the buffer reads as empty afterwards.
 *
 * Only for allocations the caller owns whole and nobody reads again: never a view into a shared
 * allocation (the small-buffer pool, a stream chunk whose neighbours are still to be read).
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

/** An allocation detaching can free: a plain, fixed-size, not yet freed ArrayBuffer. */
const freeable = (ab: ArrayBufferLike): ab is ArrayBuffer => ab instanceof ArrayBuffer && !ab.detached && !ab.resizable;

/**
 * Allocations no larger than the small-buffer pool are never freed: `Buffer.allocUnsafe` carves
 * small buffers out of shared pools of exactly that size (64 KiB in Node 24), and a pool must
 * not be detached under its other tenants.
 */
const releasable = (ab: ArrayBufferLike): ab is ArrayBuffer => freeable(ab) && ab.byteLength > Buffer.poolSize;

/**
 * Free the allocation `buf` starts, which the caller owns whole (what lies past `buf`'s end is
 * unused: a zlib output chunk's spare tail, an output buffer's spare capacity). Returns whether
 * it was freed; a buffer that does not qualify is left alone.
 */
export function releaseBytes(buf: Uint8Array): boolean {
  const ab = buf.buffer;
  if (!releasable(ab) || buf.byteOffset !== 0) return false;
  ab.transfer(0);
  return true;
}

/** Below this, a chunk costs more to free by hand than it holds. */
export const SMALLEST_CHUNK = 4096;

/** Whether `buf`'s memory has been given back (it then reads as empty). */
export function wasReleased(buf: Uint8Array): boolean {
  const ab = buf.buffer;
  return ab instanceof ArrayBuffer && ab.detached;
}

/**
 * Free a stream chunk the caller owns and is done with, when it spans its whole allocation:
 * Node's HTTP client copies each body piece into its own allocation, a file stream reads each
 * chunk into its own, and neither looks at it again once it is handed on. A chunk that shares
 * its allocation (a slice of a pool or of a bigger read) is left alone, whatever its size:
 * a pool slice never spans its pool. Returns whether it was freed.
 */
export function releaseChunk(chunk: Uint8Array): boolean {
  const ab = chunk.buffer;
  if (!freeable(ab) || chunk.byteOffset !== 0 || chunk.byteLength !== ab.byteLength || ab.byteLength < SMALLEST_CHUNK) return false;
  ab.transfer(0);
  return true;
}

/**
 * Free the allocation behind `view` when `view` is the last of consecutive views that cover an
 * allocation of `allocation` bytes and every earlier view has been used: a zlib stream fills an
 * output buffer of its chunk size slice by slice and takes a new one once it is full, so its
 * chunk ending exactly there is the buffer's last. Returns whether it was freed.
 */
export function releaseLastView(view: Uint8Array, allocation: number): boolean {
  const ab = view.buffer;
  if (!releasable(ab) || ab.byteLength !== allocation || view.byteOffset + view.byteLength !== allocation) return false;
  ab.transfer(0);
  return true;
}

/**
 * Buffers with several holders (a cache entry, requests reading them, a background write), each
 * freed with `releaseBytes` once its last holder lets go. A buffer is tracked from its first
 * hold; letting go of one that is not tracked does nothing, so nothing is freed that was not
 * handed in.
 */
export class HeldBuffers {
  readonly #holders = new Map<Uint8Array, number>();

  /** One more holder of `buf`. Returns whether `buf` was not held before (now tracked). */
  hold(buf: Uint8Array): boolean {
    const n = this.#holders.get(buf) ?? 0;
    this.#holders.set(buf, n + 1);
    return n === 0;
  }

  /** One holder fewer; the last one frees the buffer. */
  letGo(buf: Uint8Array): void {
    const n = this.#holders.get(buf);
    if (n === undefined) return;
    if (n > 1) {
      this.#holders.set(buf, n - 1);
      return;
    }
    this.#holders.delete(buf);
    releaseBytes(buf);
  }
}

/**
 * Node's HTTP client copies every piece of a body out of the buffer the socket read it into (64
 * KiB per read), so each read buffer is garbage as soon as the parser has been through it, and it
 * waits for V8's next collection: over a 200 MB download 3,200 of them, tens of MB dead at a time
 * (`perf` on glibc's malloc, by hand: a 64 KiB read buffer and a 64 KiB copy per read). A
 * listener of the connection's reads added after the parser's runs once the parser is done with
 * a read, and frees it (`releaseChunk`: a buffer that shares its allocation is left alone). It
 * listens only while this response is read: once the response is complete, or the connection is
 * gone, it stops before touching another read, so the connection's next exchange (keep-alive)
 * never meets it. The read that carried the headers is not seen (the listener is added while it
 * is being parsed). Call it from the request's `response` event.
 */
export function releaseResponseReads(res: IncomingMessage): void {
  const socket = res.socket;
  if (socket === null) return;
  const stop = (): void => {
    socket.off('data', free);
    res.off('end', stop);
    res.off('close', stop);
  };
  function free(chunk: Buffer): void {
    if (res.complete || res.destroyed || socket.destroyed) stop();
    else releaseChunk(chunk);
  }
  socket.on('data', free);
  res.once('end', stop);
  res.once('close', stop);
}
