import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { listZip } from './reader.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { DEFAULT_SCAN_LIMITS } from '../../engine/limits.ts';
import { ScanFormatError } from '../../engine/errors.ts';
import { fixturePath } from '../../test-support/fixtures.ts';

const list = async (folder: string, name: string): ReturnType<typeof listZip> =>
  listZip(new MemorySource(await readFile(fixturePath(folder, name))), DEFAULT_SCAN_LIMITS);

test('a torch.save archive lists every member from both views', async () => {
  const l = await list('pytorch', 'state-dict.pt');
  assert.ok(l.hasCentral);
  assert.deepEqual(l.anomalies, []);
  assert.ok(l.entries.every((e) => e.inCentral && e.inLocalWalk));
  assert.ok(l.entries.some((e) => e.name === 'archive/data.pkl'));
});

test('a member missing from the central directory is still listed', async () => {
  const l = await list('pytorch', 'hidden-local-member.pt');
  const hidden = l.entries.find((e) => e.name === 'archive/extra.pkl');
  assert.ok(hidden !== undefined);
  assert.equal(hidden.inCentral, false);
  assert.ok(l.anomalies.some((a) => /not in the central directory/.test(a)));
});

test('local/central name mismatch keeps both names', async () => {
  const l = await list('pytorch', 'CVE-2025-1944-name-mismatch.pt');
  const e = l.entries.find((x) => x.name === 'archive/data.pkl');
  assert.equal(e?.localName, 'archive/data.pkX');
});

test('no central directory: entries come from the local headers', async () => {
  const l = await list('pytorch', 'no-central-directory.pt');
  assert.equal(l.hasCentral, false);
  assert.ok(l.entries.some((e) => e.name === 'archive/data.pkl' && e.inLocalWalk));
});

test('prepended data, zip64 and data descriptors', async () => {
  const pre = await list('zip', 'prepended-data.zip');
  assert.ok(pre.anomalies.some((a) => /precede the archive/.test(a)));
  assert.equal(pre.entries[0]?.name, 'x.pkl');
  const z64 = await list('zip', 'zip64.zip');
  assert.equal(z64.entries[0]?.name, 'big/data.pkl');
  const dd = await list('zip', 'data-descriptor.zip');
  assert.ok((dd.entries[0]?.csize ?? 0) > 0);
});

test('a zip cut inside its first header is a format error', async () => {
  await assert.rejects(list('zip', 'truncated.zip'), ScanFormatError);
});
