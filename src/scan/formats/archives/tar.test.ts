import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySource } from '../../sources/memory-source.ts';
import { DEFAULT_SCAN_LIMITS } from '../../engine/limits.ts';
import { base256Size, octalSize, paxHeader, realTar, resum } from '../../../../test/support/gnu-tar.ts';
import { listTar } from './tar.ts';
import { ScanLimitError } from '../../engine/errors.ts';

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
