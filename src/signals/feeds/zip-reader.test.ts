import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readZipDirectory, zipEntries, ZipFormatError, DEFAULT_ZIP_LIMITS } from './zip-reader.ts';
import { makeZip, memorySource } from './testdata/make-zip.ts';

async function all(bytes: Uint8Array, limits = DEFAULT_ZIP_LIMITS): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of zipEntries(memorySource(bytes), () => true, limits)) out[e.name] = Buffer.from(e.bytes).toString();
  return out;
}

test('stored, deflated and zip64 archives read back exactly', async () => {
  const entries = [
    { name: 'a.json', data: '{"a":1}', method: 0 as const },
    { name: 'dir/b.json', data: 'x'.repeat(5000) },
    { name: 'ünïcode.json', data: '{}' },
    { name: 'empty.json', data: '' },
    { name: 'dir/', data: '' },
  ];
  for (const zip64 of [false, true]) {
    assert.deepEqual(await all(makeZip(entries, { zip64 })), {
      'a.json': '{"a":1}',
      'dir/b.json': 'x'.repeat(5000),
      'ünïcode.json': '{}',
      'empty.json': '',
    });
  }
});

test('hostile archives are refused with a specific reason', async () => {
  const ok = { name: 'a.json', data: 'hello world' };
  const cases: [string, Buffer, RegExp, Partial<typeof DEFAULT_ZIP_LIMITS>?][] = [
    ['not a zip', Buffer.from('PK not really a zip archive at all, just text'), /end-of-central-directory/],
    ['too short', Buffer.from('PK'), /too short/],
    ['bad crc', makeZip([{ ...ok, badCrc: true }]), /CRC-32/],
    ['size lie', makeZip([{ ...ok, declaredSize: 5 }]), /declared/],
    ['encrypted', makeZip([{ ...ok, encrypted: true }]), /encrypted/],
    ['unsupported method', makeZip([{ ...ok, methodOverride: 12 }]), /unsupported compression method 12/],
    ['overlapping entries', makeZip([ok, { name: 'b.json', data: 'second' }], { overlap: true }), /overlap/],
    ['trailing garbage', makeZip([ok], { trailing: Buffer.from('garbage after the end') }), /end-of-central-directory/],
    ['entry over the size limit', makeZip([{ name: 'big.json', data: 'y'.repeat(10_000) }]), /limit 1000/, { maxEntryBytes: 1000 }],
    ['compression bomb', makeZip([{ name: 'bomb.json', data: Buffer.alloc(200_000) }]), /compression ratio/, { maxCompressionRatio: 100 }],
    ['too many entries', makeZip([ok, { name: 'b.json', data: 'x' }]), /entries \(limit 1\)/, { maxEntries: 1 }],
    ['total over the limit', makeZip([ok, { name: 'b.json', data: 'x'.repeat(100) }]), /exceeds 50 bytes/, { maxTotalBytes: 50 }],
  ];
  for (const [what, bytes, re, limits] of cases) {
    await assert.rejects(all(bytes, { ...DEFAULT_ZIP_LIMITS, ...limits }), (e: unknown) => e instanceof ZipFormatError && re.test(e.message), what);
  }
  const truncated = makeZip([ok]).subarray(0, 40);
  await assert.rejects(readZipDirectory(memorySource(truncated)), ZipFormatError);
});
