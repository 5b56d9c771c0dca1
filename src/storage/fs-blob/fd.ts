/**
 * File operations on raw descriptors through Node's callback API, as promises. fs/promises'
 * FileHandle costs about twice the main-thread CPU per call (a handle object per open, close
 * tracking, promise plumbing inside). The blob store opens, writes, syncs, renames and closes
 * for every tarball and packument a cold install stores; `bench:storage`'s small-blob
 * scenario, before and after, measured a 2 KB range read at 36.0 and 21.9 µs of main-thread CPU
 * and storing a 40 KB blob at 269.8 and 247.5 µs.
 */
import { close, fstat, fsync, open, read, rename, stat, write } from 'node:fs';
import { promisify } from 'node:util';

export const openFd = promisify(open);
export const closeFd = promisify(close);
export const fsyncFd = promisify(fsync);
export const statPath = promisify(stat);
export const renamePath = promisify(rename);
const fstatFd = promisify(fstat);

export async function sizeOfFd(fd: number): Promise<number> {
  return (await fstatFd(fd)).size;
}

// `write` and `read` by hand: promisified, they resolve with an object per call ({bytesWritten,
// buffer}), where the store needs only the count.

/** Bytes written by one write(2) at the current position (may be fewer than asked). */
export function writeFd(fd: number, bytes: Uint8Array, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    write(fd, bytes, offset, length, null, (err, written) => (err === null ? resolve(written) : reject(err)));
  });
}

/** Bytes read by one pread(2) at `position` (0 at the end of the file). */
export function readFd(fd: number, into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, into, offset, length, position, (err, bytesRead) => (err === null ? resolve(bytesRead) : reject(err)));
  });
}
