/**
 * Lazy inflation of corrupt deflate data: zlib fails and closes the stream without calling the
 * pending write's callback, which once left `read` waiting forever (a zip member declaring more
 * than 16 MiB, found by test/fuzz). Corrupt data must end as a format error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InflateSource, inflatedSize } from './inflate-source.ts';
import { deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { MemorySource } from '../../sources/memory-source.ts';
import { ScanFormatError } from '../../engine/errors.ts';

// BFINAL = 1, BTYPE = 11 (reserved): "invalid block type" on the first byte.
const CORRUPT = new Uint8Array([0x07, 0x00, 0x00, 0x00, 0x00, 0x00]);

test('a corrupt deflate stream read lazily is a format error, not a read that never returns', { timeout: 5000 }, async () => {
  const src = new InflateSource(new MemorySource(CORRUPT), 0, CORRUPT.length, 'raw', 32 << 20, 'zip.member');
  await assert.rejects(src.read(0, 100), (err) => err instanceof ScanFormatError && /invalid block type/.test(err.message));
});

test('measuring a corrupt stream is a format error, not a wait that never ends', { timeout: 5000 }, async () => {
  const zlib = new Uint8Array([0x78, 0x9c, ...CORRUPT]);
  await assert.rejects(inflatedSize(new MemorySource(zlib), 'zlib', 1 << 20, new AbortController().signal), ScanFormatError);
});

test('a stream that ends before its declared size is a format error, not a short read', { timeout: 5000 }, async () => {
  const data = deflateRawSync(Buffer.from('ten bytes!'));
  const src = new InflateSource(new MemorySource(data), 0, data.length, 'raw', 100, 'zip.member');
  assert.deepEqual(Buffer.from(await src.read(0, 10)).toString(), 'ten bytes!');
  await assert.rejects(src.read(0, 100), (err) => err instanceof ScanFormatError && /ends after 10 bytes, 100 declared/.test(err.message));
});

test('reading a member of many input chunks leaves no listener behind per chunk', { timeout: 10_000 }, async () => {
  const plain = randomBytes(1 << 20);
  const data = deflateRawSync(plain);
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const src = new InflateSource(new MemorySource(data), 0, data.length, 'raw', plain.length, 'zip.member');
    assert.ok(Buffer.from(await src.read(0, plain.length)).equals(plain));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
});
