import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { bunzip2 } from './bzip2.ts';
import { decodeLzmaAlone, decodeXz } from './xz.ts';
import { inflateToMemory } from './inflate.ts';
import { bcjX86Decode } from './filters.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import { fixturePath } from '../../test-support/fixtures.ts';

const signal = new AbortController().signal;
const load = (name: string): Promise<Buffer> => readFile(fixturePath('archives', name));

test('bzip2, xz and .lzma decode to the same pickle as gzip', async () => {
  const reference = await inflateToMemory(new MemorySource(await load('pickle.gz')), 0, Infinity, 'gzip', { cap: 1 << 20, signal, rule: 'gzip' });
  const same = (a: Uint8Array): void => assert.deepEqual(Buffer.from(a), Buffer.from(reference));
  same(bunzip2(await load('pickle.bz2'), 1 << 20, signal));
  same(await decodeXz(new MemorySource(await load('pickle.xz')), 1 << 20, signal));
  same(await decodeLzmaAlone(new MemorySource(await load('pickle.lzma')), 1 << 20, signal));
});

test('multi-block bzip2 and BCJ-filtered xz decode completely', async () => {
  const multi = bunzip2(await load('benign-multiblock.bz2'), 16 << 20, signal);
  assert.ok(multi.length > 300_000);
  assert.equal(multi[multi.length - 1], 0x2e, 'ends with the pickle STOP opcode');
  const bcj = await decodeXz(new MemorySource(await load('benign-bcj.xz')), 1 << 20, signal);
  assert.equal(bcj[0], 0x80);
});

test('corrupt streams are format errors', async () => {
  const bz = Buffer.from(await load('pickle.bz2'));
  bz[20] = (bz[20] as number) ^ 0xff;
  assert.throws(() => bunzip2(bz, 1 << 20, signal), ScanFormatError);
  const xz = Buffer.from(await load('pickle.xz'));
  xz[30] = (xz[30] as number) ^ 0x55;
  await assert.rejects(decodeXz(new MemorySource(xz), 1 << 20, signal), ScanFormatError);
  await assert.rejects(
    inflateToMemory(new MemorySource(Buffer.from('not deflate at all')), 0, 18, 'raw', { cap: 1 << 20, signal, rule: 'zip.member' }),
    ScanFormatError,
  );
});

test('decompression stops at the member cap (bombs)', async () => {
  const bomb = gzipSync(Buffer.alloc(8 << 20));
  await assert.rejects(
    inflateToMemory(new MemorySource(bomb), 0, bomb.length, 'gzip', { cap: 1 << 20, signal, rule: 'gzip' }),
    ScanLimitError,
  );
  const raw = deflateRawSync(Buffer.alloc(4 << 20));
  await assert.rejects(inflateToMemory(new MemorySource(raw), 0, raw.length, 'raw', { cap: 1 << 20, signal, rule: 'z' }), ScanLimitError);
  assert.throws(() => bunzip2(Buffer.from(bunzipBomb()), 1024, signal), ScanLimitError);
});

/** 1 MiB of zeros compressed by bzip2 -9 (generated once; 45 bytes). */
function bunzipBomb(): number[] {
  return [
    0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0x38, 0x57, 0x1c, 0xe5, 0x00, 0x08, 0x08, 0x40, 0x00, 0xc0,
    0x04, 0x00, 0x08, 0x20, 0x00, 0x30, 0xcc, 0x05, 0x29, 0xa6, 0x08, 0x06, 0xc4, 0x20, 0x1e, 0x2e, 0xe4, 0x8a, 0x70, 0xa1,
    0x20, 0x70, 0xae, 0x39, 0xca,
  ];
}

test('BCJ x86 decoding converts absolute CALL targets back to relative', () => {
  // E8 followed by an absolute target 0x00000105 at position 0: relative = 0x105 - 5 = 0x100.
  const code = Uint8Array.from([0xe8, 0x05, 0x01, 0x00, 0x00, 0x90, 0x90, 0x90, 0x90, 0x90]);
  bcjX86Decode(code, 0);
  assert.deepEqual([...code.subarray(0, 5)], [0xe8, 0x00, 0x01, 0x00, 0x00]);
});

test('gzip content beyond the member limit is streamed, not refused', async () => {
  const { scanBytes } = await import('../../api.ts');
  const zeros = new Uint8Array(8 << 20);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(zeros.length), true);
  const payload = Buffer.concat([
    Buffer.from([0x80, 0x04, 0x8e]), len, zeros, Buffer.from([0x30]),
    Buffer.from('\x8c\x02os\x8c\x06system\x93\x8c\x04true\x85R.', 'latin1'),
  ]);
  const r = await scanBytes(gzipSync(payload), 'big.gz', { limits: { maxMemberBytes: 1 << 20 } });
  assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  assert.ok(r.findings.some((f) => f.evidence.callable === 'os.system'));
});
