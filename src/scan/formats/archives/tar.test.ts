import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySource } from '../../sources/memory-source.ts';
import { DEFAULT_SCAN_LIMITS } from '../../engine/limits.ts';
import { base256Size, octalSize, paxHeader, realTar, resum } from '../../../../test/support/gnu-tar.ts';
import { paxRecord, tar, type TarFile } from '../../../../test/support/npm-registry/tarball.ts';
import { listTar, type TarListing } from './tar.ts';
import { ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { scanBytes } from '../../api.ts';
import { asm, P, type Part } from '../../test-support/pickle-asm.ts';

const long = `${'m'.repeat(110)}/weights.bin`;
const list = (bytes: Uint8Array) => listTar(new MemorySource(bytes), DEFAULT_SCAN_LIMITS);

test('GNU long names and long link names (L, K) name the entry after them', async () => {
  const r = await list(realTar('gnu', [{ path: long, content: 'w' }, { path: 'lnk', link: `${'t'.repeat(120)}/x` }]));
  assert.deepEqual(r.entries.map((e) => [e.name, e.type, e.size]), [[long, '0', 1], ['lnk', '2', 0]]);
  assert.deepEqual(r.anomalies, []);
});

test('a pax size is the entry size: its data is not read as the next header', async () => {
  const file = realTar('ustar', [{ path: 'sys_info', content: 'hello world' }]);
  octalSize(file.subarray(0, 512), 0);
  const r = await list(Buffer.concat([paxHeader({ size: '11' }), file]));
  assert.deepEqual(r.entries.map((e) => [e.name, e.size, e.dataOffset]), [['sys_info', 11, 1536]]);
  assert.deepEqual(r.anomalies, []);
});

test('a GNU header has no ustar prefix; a base-256 size is read', async () => {
  const archive = realTar('gnu', [{ path: 'a.bin', content: 'x' }]);
  archive.set(Buffer.from('atime'), 345);
  base256Size(archive.subarray(0, 512), 1);
  resum(archive.subarray(0, 512));
  const r = await list(archive);
  assert.deepEqual(r.entries.map((e) => [e.name, e.size]), [['a.bin', 1]]);
});

test('extended headers over maxHeaderBytes for one entry are a limit, not an unreadable size', async () => {
  const archive = Buffer.concat([paxHeader({ comment: 'a'.repeat(300) }), paxHeader({ comment: 'b'.repeat(300) }), realTar('ustar', [{ path: 'a.txt', content: 'x' }])]);
  await assert.rejects(listTar(new MemorySource(archive), { ...DEFAULT_SCAN_LIMITS, maxHeaderBytes: 500 }), (err) => err instanceof ScanLimitError && err.limit === 'maxHeaderBytes');
  assert.equal((await listTar(new MemorySource(archive), { ...DEFAULT_SCAN_LIMITS, maxHeaderBytes: 1000 })).entries.length, 1);
});

// Archives as Python's tarfile reads them: each expectation below was read by hand from
// `tarfile.open(...).getmembers()` (name, offset_data, size) on these same bytes with CPython
// 3.11.7; 3.12.1 and 3.13.0 read them alike except where a test says otherwise.
const paxText = (r: Readonly<Record<string, string>>): string => Object.entries(r).map(([k, v]) => paxRecord(k, v)).join('');
const g = (r: Readonly<Record<string, string>>): TarFile => ({ path: 'GlobalHead', content: paxText(r), raw: { typeflag: 'g' } });
const x = (r: Readonly<Record<string, string>>): TarFile => ({ path: 'PaxHeader', content: paxText(r), raw: { typeflag: 'x' } });
const longName = (name: string): TarFile => ({ path: '././@LongLink', content: `${name}\0`, raw: { typeflag: 'L' } });
const file = (path: string, content: string | Uint8Array = 'x'): TarFile => ({ path, content });
const listed = (r: TarListing): [string, string, number, number][] => r.entries.map((e) => [e.name, e.type, e.dataOffset, e.size]);

test('a global pax path names the entry right after it and every later one; a local path wins over it', async () => {
  const r = await list(tar([g({ path: 'sys_info' }), file('readme.txt'), file('b'), x({ path: 'local' }), file('c'), g({ path: '' }), file('d')]));
  assert.deepEqual(listed(r), [['sys_info', '0', 1536, 1], ['sys_info', '0', 2560, 1], ['local', '0', 4608, 1], ['', '0', 6656, 1]]);
  assert.deepEqual(r.anomalies, ["global pax header at 0 sets path: Python's tarfile applies it to every later entry without one of its own"]);
});

test('a global pax size sizes every later entry, but places the next header only under a local pax header', async () => {
  // Alone: the next header is where the header's own size puts it; the data is read for 5 bytes.
  assert.deepEqual(listed(await list(tar([g({ size: '5' }), file('a', 'AAA'), file('b', 'BBBBBBBB')]))), [['a', '0', 1536, 5], ['b', '0', 2560, 5]]);
  // Under a local header (of other records): 600 bytes, two blocks, place the next header.
  const framed = tar([g({ size: '600' }), x({ mtime: '1' }), file('a', `AAA${'\0'.repeat(509)}${'X'.repeat(88)}`), file('b', 'B')]);
  assert.deepEqual(listed(await list(framed)), [['a', '0', 2560, 600], ['b', '0', 4096, 600]]);
});

test('several extended headers before one entry: the first that names it wins, a local header brings the global path', async () => {
  const r = await list(tar([g({ path: 'G' }), x({ mtime: '1' }), x({ path: 'P' }), file('a'), longName('LL'), x({ path: 'P2' }), file('b'), x({ path: 'P3' }), longName('LL3'), file('c')]));
  assert.deepEqual(listed(r), [['G', '0', 3584, 1], ['LL', '0', 6656, 1], ['P3', '0', 9728, 1]]);
  // Each kind of anomaly is recorded once, at its first place.
  assert.deepEqual(r.anomalies.filter((a) => /named by more than one extended header/.test(a)), ["entry G at 3072 is named by more than one extended header: listed as Python's tarfile names it, by the first"]);
});

test("records and name bytes in an extended header's padding are read, as tarfile reads them", async () => {
  const first = paxRecord('path', 'a');
  const r = await list(tar([
    { path: 'PaxHeader', content: first + paxRecord('path', 'pickle'), raw: { typeflag: 'x', claimedSize: first.length } },
    file('m'),
    { path: '././@LongLink', content: 'abcdeXYZ', raw: { typeflag: 'L', claimedSize: 5 } },
    file('n'),
  ]));
  assert.deepEqual(listed(r), [['pickle', '0', 1536, 1], ['abcdeXYZ', '0', 3584, 1]]);
  assert.deepEqual(r.anomalies, ["extended header at 0 has bytes in its padding: Python's tarfile reads them, tar does not"]);
});

test('after a link or a directory the next header comes at once, whatever size the header claims', async () => {
  const inner = (name: string, content: string) => tar([file(name, content)]).subarray(0, 1024);
  const r = await list(tar([
    { path: 'lnk', content: inner('data.pkl', 'EVIL'), raw: { typeflag: '2' } },
    file('after'),
    { path: 'd/', content: inner('in-dir', 'D'), raw: { typeflag: '5' } },
    { path: 'v7dir/', content: inner('in-v7', 'V'), raw: { typeflag: '\0', magic: 'v7' } },
  ]));
  assert.deepEqual(listed(r), [['lnk', '2', 512, 1024], ['data.pkl', '0', 1024, 4], ['after', '0', 2048, 1], ['d', '5', 3072, 1024], ['in-dir', '0', 3584, 1], ['v7dir', '5', 4608, 1024], ['in-v7', '0', 5120, 1]]);
  assert.deepEqual(r.anomalies, ["entry lnk (type 2) at 0 claims 1024 bytes of data: Python's tarfile reads the next header right after it"]);
});

test('a pax header that does not parse is read as the lenient tarfile reads it; one it refuses keeps the records before', async () => {
  // 3.11.7 and 3.12.1 name the entry 'pickle'; 3.13.0 refuses the archive.
  const lenient = await list(tar([{ path: 'PaxHeader', content: '15 path=pickleX', raw: { typeflag: 'x' } }, file('readme')]));
  assert.deepEqual(listed(lenient), [['pickle', '0', 1536, 1]]);
  assert.match(lenient.anomalies.join('\n'), /pax header at 0: the pax record at 0 does not end with a newline; .*3\.13/);
  // Every tarfile stops at the length of 0 (after 'one'); the walk goes on and hides nothing.
  const refused = await list(tar([file('one'), { path: 'PaxHeader', content: '7 k=ab\n0 path=x\n', raw: { typeflag: 'x' } }, file('readme'), file('three')]));
  assert.deepEqual(listed(refused), [['one', '0', 512, 1], ['readme', '0', 2560, 1], ['three', '0', 3584, 1]]);
  assert.match(refused.anomalies.join('\n'), /pax header at 1024: the pax record at 7 has a length of 0; Python's tarfile refuses it too/);
});

test('a pax size is read as Python int() reads it; one it reads by other rules is a format error', async () => {
  const r = await list(tar([x({ size: ' 12 ' }), file('a', 'A'.repeat(20)), x({ size: 'abc' }), file('b', ''), x({ size: '1_0' }), file('c', 'C'.repeat(10))]));
  assert.deepEqual(listed(r), [['a', '0', 1536, 12], ['b', '0', 3584, 0], ['c', '0', 5120, 10]]);
  for (const size of ['-1', '\u0663']) {
    await assert.rejects(list(tar([g({ size }), file('a')])), (err) => err instanceof ScanFormatError && /the pax size/.test(err.message), size);
  }
});

test('global pax headers are bounded in all: a flood of them is a limit, each small', async () => {
  const flood = tar(Array.from({ length: 40 }, (_, i) => g({ [`comment${i}`]: 'c'.repeat(200) })).concat([file('a')]));
  await assert.rejects(listTar(new MemorySource(flood), { ...DEFAULT_SCAN_LIMITS, maxHeaderBytes: 4096 }), (err) => err instanceof ScanLimitError && err.limit === 'maxHeaderBytes' && /tar global pax headers of more than 4096 bytes in all/.test(err.message));
  assert.equal((await listTar(new MemorySource(flood), { ...DEFAULT_SCAN_LIMITS, maxHeaderBytes: 16384 })).entries.length, 1);
});

test('a GNU sparse file, by type or by pax records, is unscannable: tarfile rebuilds its data from a map', async () => {
  for (const archive of [tar([{ path: 'pickle', content: 'x', raw: { typeflag: 'S' } }]), tar([x({ 'GNU.sparse.map': '0,1' }), file('pickle')]), tar([g({ 'GNU.sparse.realsize': '9' }), file('pickle')])]) {
    await assert.rejects(list(archive), (err) => err instanceof ScanUnscannableError && err.rule === 'tar.sparse');
  }
});

/**
 * A legacy torch checkpoint whose `storages` holds a protocol 0 pickle (no PROTO opcode for the
 * trailing-data carver to find) after its raw storage record: only read as `storages` is it
 * found. Each way of naming the members below had the scanner list other names (so no torch
 * checkpoint, and the pickle unscanned: verdict safe) before the walk read names as tarfile does.
 */
const EVIL_PROTO_0 = asm(P.GLOBAL('os', 'system'), P.MARK, "S'true'\n", P.TUPLE, P.REDUCE, P.STOP);
const pickle2 = (...parts: Part[]): Uint8Array => asm(P.PROTO(2), ...parts, P.STOP);
const storageRecord = Buffer.concat([pickle2(P.U('0'), P.U('cpu'), P.GLOBAL('torch', 'FloatStorage'), [0x87]), Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(12, 0x7f)]);
const MEMBERS: [string, Uint8Array][] = [
  ['sys_info', pickle2(P.EMPTY_DICT)],
  ['pickle', pickle2(P.EMPTY_DICT)],
  ['storages', Buffer.concat([pickle2(P.BININT1(1)), storageRecord, EVIL_PROTO_0])],
  ['tensors', pickle2(P.BININT1(0))],
];

test('a pickle behind a torch member name that tarfile reads and tar does not is still found', async () => {
  const namings: [string, (name: string, i: number) => TarFile[]][] = [
    ['global path', (name) => [g({ path: name })]],
    ['malformed pax record', (name) => [{ path: 'PaxHeader', content: `${name.length + 9} path=${name}X`, raw: { typeflag: 'x' } }]],
    ['record in the padding', (name) => [{ path: 'PaxHeader', content: paxRecord('path', 'z') + paxRecord('path', name), raw: { typeflag: 'x', claimedSize: paxRecord('path', 'z').length } }]],
  ];
  for (const [how, naming] of namings) {
    const archive = tar(MEMBERS.flatMap(([name, content], i) => [...naming(name, i), file(`member${i}`, content)]));
    const r = await scanBytes(archive, 'model.pt');
    assert.equal(r.format, 'pytorch-tar', how);
    assert.equal(r.verdict, 'malicious', how);
    assert.ok(r.findings.some((f) => f.class === 'malicious' && f.evidence.member === 'storages' && f.evidence.callable === 'os.system'), how);
  }
});

test('a pickle file inside the data a symbolic link claims is listed and scanned, as tarfile extracts it', async () => {
  const hidden = tar([file('data.pkl', pickle2(P.U('os'), P.U('system'), P.STACK_GLOBAL, P.U('true'), P.TUPLE1, P.REDUCE))]).subarray(0, 1024);
  const r = await scanBytes(tar([{ path: 'lnk', content: hidden, raw: { typeflag: '2' } }, file('readme.txt', 'hello')]), 'archive.tar');
  assert.equal(r.verdict, 'malicious');
});

test('an entry of a type tarfile does not know is scanned: tarfile extracts it as a regular file', async () => {
  const evil = pickle2(P.U('os'), P.U('system'), P.STACK_GLOBAL, P.U('true'), P.TUPLE1, P.REDUCE);
  for (const typeflag of ['V', 'Z', 'M', 'A']) {
    const r = await scanBytes(tar([{ path: 'data.pkl', content: evil, raw: { typeflag } }, file('readme.txt', 'hello')]), 'archive.tar');
    assert.equal(r.verdict, 'malicious', typeflag);
  }
  // A directory's entry has no data to scan.
  const dir = await scanBytes(tar([{ path: 'data/', content: '', raw: { typeflag: '5' } }, file('readme.txt', 'hello')]), 'archive.tar');
  assert.notEqual(dir.verdict, 'malicious');
});
