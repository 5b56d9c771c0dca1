import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBytes } from '../../api.ts';
import type { FileScanResult, ScanLimits } from '../../types.ts';
import { asm, P, SYSTEM } from '../../test-support/pickle-asm.ts';

async function scan(bytes: Uint8Array, limits?: Partial<ScanLimits>): Promise<FileScanResult> {
  return scanBytes(bytes, 't.pkl', limits === undefined ? {} : { limits });
}

function callables(r: FileScanResult): string[] {
  return r.findings.filter((f) => f.class === 'malicious').map((f) => String(f.evidence.callable));
}

test('MEMOIZE stores at len(memo), not at a count of MEMOIZE opcodes', async () => {
  const body = [P.U('os'), P.BINPUT(5), P.POP, P.U('system'), P.MEMOIZE, P.POP] as const;
  const ok = await scan(asm(P.PROTO(4), ...body, P.BINGET(5), P.BINGET(1), P.STACK_GLOBAL, P.STOP));
  assert.deepEqual(callables(ok), ['os.system']);
  const wrongSlot = await scan(asm(P.PROTO(4), ...body, P.BINGET(5), P.BINGET(0), P.STACK_GLOBAL, P.STOP));
  assert.equal(wrongSlot.verdict, 'invalid');
  assert.equal(wrongSlot.findings[0]?.rule, 'pickle.memo.missing');
});

test('PUT indices are read as Python int(): whitespace, sign, underscores', async () => {
  const r = await scan(
    asm(P.U('os'), P.LINE('p', ' 1_2 '), P.POP, P.U('system'), P.LINE('p', '+3'), P.POP, P.LINE('g', '12'), P.LINE('g', '3'), P.STACK_GLOBAL, P.STOP),
  );
  assert.deepEqual(callables(r), ['os.system']);
});

test('POP on an empty frame pops the MARK, as CPython does', async () => {
  const r = await scan(asm(P.PROTO(2), P.MARK, P.POP, P.EMPTY_DICT, P.STOP));
  assert.equal(r.verdict, 'safe');
  const under = await scan(asm(P.PROTO(2), P.POP, P.STOP));
  assert.equal(under.verdict, 'invalid');
});

test('stack underflow and unknown protocols are invalid', async () => {
  assert.equal((await scan(asm(P.PROTO(2), P.REDUCE, P.STOP))).findings[0]?.rule, 'pickle.stack.underflow');
  assert.equal((await scan(asm(P.PROTO(6), P.NONE, P.STOP))).findings[0]?.rule, 'pickle.protocol');
});

test('the payload counts even when the call result is discarded and the stream then breaks', async () => {
  const r = await scan(asm(P.PROTO(4), SYSTEM, P.POP, [0xff]));
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.findings.some((f) => f.rule === 'pickle.opcode.unknown' && f.class === 'invalid'));
});

test('frames are transparent and oversized byte arguments are skipped, not buffered', async () => {
  const big = new Uint8Array(3 << 20).fill(0x41);
  const r = await scan(asm(P.PROTO(4), P.FRAME(4), P.BYTES8(big), P.POP, SYSTEM, P.STOP));
  assert.deepEqual(callables(r), ['os.system']);
});

test('a nested pickle.loads payload larger than the inline limit is still scanned', async () => {
  const inner = asm(P.PROTO(4), P.BYTES8(new Uint8Array(2 << 20)), P.POP, SYSTEM, P.STOP);
  const r = await scan(asm(P.PROTO(4), P.GLOBAL('pickle', 'loads'), P.BYTES8(inner), P.TUPLE1, P.REDUCE, P.STOP));
  assert.ok(r.findings.some((f) => f.evidence.callable === 'os.system' && String(f.evidence.member).startsWith('@')));
});

test('torch.storage._load_from_bytes of something that is not a tensor is flagged', async () => {
  const r = await scan(asm(P.PROTO(4), P.GLOBAL('torch.storage', '_load_from_bytes'), P.BYTES(new TextEncoder().encode('not a tensor')), P.TUPLE1, P.REDUCE, P.STOP));
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.findings.some((f) => f.rule === 'pickle.loader.payload'));
});

test('a loader fed a computed payload cannot be verified', async () => {
  const r = await scan(asm(P.PROTO(2), P.GLOBAL('torch.storage', '_load_from_bytes'), P.GLOBAL('mylib', 'fetch'), P.EMPTY_TUPLE, P.REDUCE, P.TUPLE1, P.REDUCE, P.STOP));
  assert.ok(r.findings.some((f) => f.rule === 'pickle.loader.opaque' && f.class === 'malicious'));
});

test('EXT opcodes: the reference is suspicious, calling it malicious', async () => {
  const ref = await scan(asm(P.PROTO(2), P.EXT1(7), P.STOP));
  assert.equal(ref.verdict, 'suspicious');
  const call = await scan(asm(P.PROTO(2), P.EXT1(7), P.EMPTY_TUPLE, P.REDUCE, P.STOP));
  assert.equal(call.verdict, 'malicious');
});

test('persistent ids outside PyTorch are informational', async () => {
  const r = await scan(asm(P.PROTO(2), P.U('x'), P.BINPERSID, P.STOP));
  assert.equal(r.verdict, 'safe');
  assert.ok(r.findings.some((f) => f.rule === 'pickle.persistent-id'));
});

test('limits end the scan with unscannable findings', async () => {
  const many = asm(P.PROTO(2), P.EMPTY_LIST, ...Array.from({ length: 100 }, () => asm(P.NONE, P.APPEND)), P.STOP);
  assert.equal((await scan(many, { maxPickleOpcodes: 50 })).findings[0]?.rule, 'scan.limit.maxPickleOpcodes');
  const deep = asm(P.PROTO(2), ...Array.from({ length: 100 }, () => P.NONE), P.STOP);
  assert.equal((await scan(deep, { maxPickleStack: 10 })).findings[0]?.rule, 'scan.limit.maxPickleStack');
  const memo = asm(P.PROTO(2), P.NONE, ...Array.from({ length: 20 }, (_, i) => P.BINPUT(i)), P.STOP);
  assert.equal((await scan(memo, { maxPickleMemo: 5 })).findings[0]?.rule, 'scan.limit.maxPickleMemo');
});

test('a payload before a limit breach is still reported', async () => {
  const r = await scan(asm(P.PROTO(4), SYSTEM, P.POP, ...Array.from({ length: 50 }, () => asm(P.NONE, P.POP)), P.NONE, P.STOP), {
    maxPickleOpcodes: 30,
  });
  assert.equal(r.verdict, 'malicious');
  assert.ok(r.findings.some((f) => f.rule === 'scan.limit.maxPickleOpcodes'));
});

test('getattr on an imported object resolves to the attribute path', async () => {
  const r = await scan(asm(P.PROTO(2), P.GLOBAL('builtins', 'getattr'), P.GLOBAL('mylib', 'Thing'), P.U('danger'), P.TUPLE2, P.REDUCE, P.EMPTY_TUPLE, P.REDUCE, P.STOP));
  assert.ok(r.findings.some((f) => f.evidence.callable === 'mylib.Thing.danger' && f.evidence.calls === 1));
});

test('calling the result of a call is flagged', async () => {
  const r = await scan(asm(P.PROTO(2), P.GLOBAL('collections', 'OrderedDict'), P.EMPTY_TUPLE, P.REDUCE, P.EMPTY_TUPLE, P.REDUCE, P.STOP));
  assert.ok(r.findings.some((f) => f.rule === 'pickle.call.computed'));
  assert.notEqual(r.verdict, 'safe');
});

test('protocol 0 and 1 pickles are recognised without magic; plain text is not', async () => {
  assert.equal((await scan(asm('(dp0\nVa\np1\nI1\ns.'))).format, 'pickle');
  const text = await scan(new TextEncoder().encode('(define x 1)\nsome lisp\n'));
  assert.equal(text.format, 'unknown');
});

/** A protocol 2 pickle of `pairs` NONE/POP pairs, built byte by byte (millions of opcodes). */
function longPickle(pairs: number): Uint8Array {
  const bytes = new Uint8Array(2 + pairs * 2 + 2);
  bytes.set([0x80, 2]);
  for (let i = 0; i < pairs; i++) bytes.set([0x4e, 0x30], 2 + 2 * i);
  bytes.set([0x4e, 0x2e], 2 + pairs * 2);
  return bytes;
}

test('the deadline holds for a pickle scanned from memory: ten million opcodes in 5 ms are unscannable, not safe', async () => {
  // Before, nothing gave the event loop a turn, so the deadline's timer never fired and the
  // scan ran to the end and said safe.
  const r = await scan(longPickle(5_000_000), { timeoutMs: 5 });
  assert.equal(r.verdict, 'unscannable');
  assert.deepEqual(
    r.findings.map((f) => f.rule),
    ['scan.timeout'],
  );
});

test('a long pickle scanned from memory lets other work run while it is read, and still reads to the end', async () => {
  let ran = false;
  setTimeout(() => {
    ran = true;
  }, 0);
  const r = await scan(longPickle(5_000_000));
  assert.equal(r.verdict, 'safe');
  assert.equal(ran, true, 'a timer due before the scan began ran before it ended');
});
