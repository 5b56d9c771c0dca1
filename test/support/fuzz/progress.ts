/**
 * The progress a fuzz worker shares with its runner, in one SharedArrayBuffer: four Int32s (the
 * seed input's index, or -1 for the extra inputs; the iteration; the current input's length; the
 * calls begun), then the current input's first bytes, so a hang or a crash can name its input.
 */
export const PROGRESS = { seedIndex: 0, iteration: 1, inputLength: 2, callsBegun: 3 } as const;
const INTS = 4;
const HEAD_BYTES = 512;

export function progressBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * INTS + HEAD_BYTES);
}

/** The counters and the input's first bytes of a progress buffer. */
export function progressViews(buffer: SharedArrayBuffer): { readonly header: Int32Array; readonly head: Uint8Array } {
  return { header: new Int32Array(buffer, 0, INTS), head: new Uint8Array(buffer, 4 * INTS) };
}
