/**
 * PyTorch's legacy tar checkpoints, laid out as torch.load's legacy_load reads them: `storages`
 * is a count pickle, then per storage an args pickle `(key, location, storage_type)`, an int64
 * element count and the raw elements, then a storage-views pickle; `tensors` is a count pickle,
 * then per tensor an args pickle and a raw record (int32 ndim, 4 bytes, ndim sizes, ndim
 * strides, int64 offset). The scanner skips each raw record by its size, as torch does, and so
 * reads every pickle where torch would unpickle it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBytes } from '../../api.ts';
import { asm, P, SYSTEM, type Part } from '../../test-support/pickle-asm.ts';
import { tar } from '../../../../test/support/npm-registry/tarball.ts';
import type { FileScanResult } from '../../types.ts';

const TUPLE3 = [0x87];
const pickle = (...parts: Part[]): Uint8Array => asm(P.PROTO(2), ...parts, P.STOP);
const int64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};

const SYS_INFO = pickle(P.EMPTY_DICT);
/** The top-level object: a persistent id naming tensor '1' (resolved from `tensors`). */
const TOP = pickle(P.U('1'), P.BINPERSID);
const count = (n: number): Uint8Array => pickle(P.BININT1(n));
const storageArgs = (type = 'FloatStorage'): Uint8Array => pickle(P.U('0'), P.U('cpu'), P.GLOBAL('torch', type), TUPLE3);
/** One storage of three float32 elements: args, element count, 12 raw bytes. */
const floatStorage = (type = 'FloatStorage', elements = 3): Buffer =>
  Buffer.concat([storageArgs(type), int64(elements), Buffer.alloc(12, 0x7f)]);
const NO_VIEWS = pickle(P.EMPTY_LIST);
const EVIL = pickle(SYSTEM);
/** One rank-1 tensor of three elements over storage '0'. */
const tensor = (): Buffer =>
  Buffer.concat([pickle(P.U('1'), P.U('0'), P.GLOBAL('torch', 'FloatTensor'), TUPLE3), int32(1), int32(0), int64(3), int64(1), int64(0)]);
const TENSORS = Buffer.concat([count(1), tensor()]);

function checkpoint(members: ReadonlyArray<readonly [string, Uint8Array]>): Buffer {
  return tar(members.map(([path, content]) => ({ path, content })));
}

function standard(storages: Uint8Array, tensors: Uint8Array = TENSORS): Buffer {
  return checkpoint([
    ['sys_info', SYS_INFO],
    ['pickle', TOP],
    ['storages', storages],
    ['tensors', tensors],
  ]);
}

function describe(r: FileScanResult): string {
  return r.findings.map((f) => `${f.class} ${f.rule} ${String(f.evidence.member ?? '')}: ${f.message}`).join('\n  ');
}

function assertCalls(r: FileScanResult, member: string): void {
  assert.equal(r.verdict, 'malicious', describe(r));
  assert.ok(
    r.findings.some((f) => f.class === 'malicious' && f.evidence.callable === 'os.system' && String(f.evidence.member).startsWith(member)),
    `expected os.system in ${member}:\n  ${describe(r)}`,
  );
}

test('a legacy tar checkpoint with raw storage and tensor records is read record by record and found safe', async () => {
  const r = await scanBytes(standard(Buffer.concat([count(1), floatStorage(), NO_VIEWS])), 'model.pt');
  assert.equal(r.format, 'pytorch-tar');
  assert.equal(r.verdict, 'safe', describe(r));
  assert.deepEqual(r.findings.filter((f) => f.class !== 'info'), []);
});

test('pickles after raw records are scanned: the storage views, a later storage, a later tensor', async () => {
  assertCalls(await scanBytes(standard(Buffer.concat([count(1), floatStorage(), EVIL])), 'views.pt'), 'storages');
  assertCalls(await scanBytes(standard(Buffer.concat([count(2), floatStorage(), EVIL, int64(0), NO_VIEWS])), 'storage.pt'), 'storages');
  const tensors = Buffer.concat([count(2), tensor(), EVIL]);
  assertCalls(await scanBytes(standard(Buffer.concat([count(1), floatStorage(), NO_VIEWS]), tensors), 'tensor.pt'), 'tensors');
});

test('torch.load does not need sys_info first: a checkpoint without it still has its hidden pickle found', async () => {
  const storages = Buffer.concat([count(1), floatStorage(), EVIL]);
  const r = await scanBytes(checkpoint([['storages', storages], ['tensors', TENSORS], ['pickle', TOP]]), 'reordered.pt');
  assertCalls(r, 'storages');
});

test('a record that overruns its member, or a storage type torch does not size, is reported, never passed', async () => {
  const overrun = await scanBytes(standard(Buffer.concat([count(1), floatStorage('FloatStorage', 1000), NO_VIEWS])), 'overrun.pt');
  assert.equal(overrun.verdict, 'invalid', describe(overrun));
  const unknown = await scanBytes(standard(Buffer.concat([count(1), floatStorage('WeirdStorage'), NO_VIEWS])), 'unknown.pt');
  assert.equal(unknown.verdict, 'unscannable', describe(unknown));
  assert.ok(unknown.findings.some((f) => f.rule === 'pytorch.tar.layout'), describe(unknown));
  // Named like what every object has: no size either (it was a function, every later offset NaN, and the pickle after it unread).
  for (const type of ['constructorStorage', '__proto__Storage']) {
    const named = await scanBytes(standard(Buffer.concat([count(1), floatStorage(type), EVIL])), 'named.pt');
    assert.equal(named.verdict, 'unscannable', describe(named));
    assert.ok(named.findings.some((f) => f.rule === 'pytorch.tar.layout'), describe(named));
  }
  const rank = Buffer.concat([count(1), pickle(P.U('1'), P.U('0'), P.GLOBAL('torch', 'FloatTensor'), TUPLE3), int32(65), int32(0)]);
  const badRank = await scanBytes(standard(Buffer.concat([count(1), floatStorage(), NO_VIEWS]), rank), 'rank.pt');
  assert.equal(badRank.verdict, 'invalid', describe(badRank));
});

test('a checkpoint cut short is invalid, never safe: cut after sys_info (no pickle member), or inside a member', async () => {
  const whole = standard(Buffer.concat([count(1), floatStorage(), NO_VIEWS]));
  const afterSysInfo = await scanBytes(whole.subarray(0, 1024), 'cut.pt');
  assert.equal(afterSysInfo.format, 'pytorch-tar');
  assert.equal(afterSysInfo.verdict, 'invalid', describe(afterSysInfo));
  assert.ok(afterSysInfo.findings.some((f) => f.rule === 'pytorch.tar.incomplete' && /pickle, storages, tensors/.test(f.message)), describe(afterSysInfo));
  const insidePickle = await scanBytes(whole.subarray(0, 1024 + 512 + 3), 'cut.pt');
  assert.equal(insidePickle.verdict, 'invalid', describe(insidePickle));
  assert.ok(insidePickle.findings.some((f) => f.rule === 'tar.truncated'), describe(insidePickle));
});
