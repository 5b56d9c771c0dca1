/**
 * The decoder over a source that reads short before its declared end (a decompressed member
 * whose stream stopped early): it must report a truncated pickle, not ask for the same bytes
 * again forever (a hang found by test/fuzz on a mutated zip member).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedOp, PickleDecoder } from './decoder.ts';
import { ScanFormatError } from '../../engine/errors.ts';
import type { ByteSource } from '../../types.ts';

/** Declares 1 MiB, holds PROTO 4 then the start of a BINUNICODE8 of 4 bytes. */
const shortSource: ByteSource = {
  size: 1 << 20,
  read: (offset, length) => Promise.resolve(new Uint8Array([0x80, 0x04, 0x8d, 0x04, 0, 0, 0, 0, 0, 0, 0]).subarray(offset, offset + length)),
};

test('a source that reads short before its end is a truncated pickle, not an endless refill', { timeout: 5000 }, async () => {
  const dec = new PickleDecoder(shortSource, 0);
  const op = new DecodedOp();
  assert.equal(await dec.next(op), true);
  await assert.rejects(async () => dec.next(op), (err) => err instanceof ScanFormatError && err.rule === 'pickle.truncated');
});
