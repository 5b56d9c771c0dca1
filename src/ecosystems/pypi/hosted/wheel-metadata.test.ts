import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AirlockError } from '../../../core/index.ts';
import { buildZip } from '../../../scan/packages/test-archives.ts';
import { openFsBlobStore } from '../../../storage/fs-blob/fs-blob-store.ts';
import { storeStream, type BlobStore, type HostedFile } from '../../../storage/ports/index.ts';
import { storeWheelMetadata } from './wheel-metadata.ts';

const metadataOf = (name: string, version: string): Buffer => Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: a test\n\n`);

function wheel(members: Readonly<Record<string, Uint8Array | string>>): Buffer {
  return buildZip(Object.entries(members).map(([name, data]) => ({ name, data: Buffer.from(data) })));
}

async function withStore(t: { after(fn: () => Promise<void>): void }): Promise<BlobStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-wheel-metadata-'));
  const store = await openFsBlobStore({ dataDir });
  t.after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return store;
}

async function stored(blobs: BlobStore, bytes: Buffer): Promise<HostedFile> {
  const c = await storeStream(blobs, [bytes], { maxBytes: bytes.length, digests: 'address' });
  return { blob: c.digest, size: c.size };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AirlockError && err.code === 'BAD_REQUEST', String(err));
    return err.message;
  }
  return assert.fail('not refused');
}

test("a wheel's METADATA is kept, byte for byte, with its sha256; names and versions compare as PEP 503 and PEP 440 say", async (t) => {
  const blobs = await withStore(t);
  const metadata = metadataOf('Acme_Billing', '1.0.0');
  const file = await stored(blobs, wheel({ 'acme_billing/__init__.py': '', 'acme_billing-1.0.0.dist-info/METADATA': metadata, 'acme_billing-1.0.0.dist-info/WHEEL': 'Wheel-Version: 1.0\n' }));
  const kept = await storeWheelMetadata(blobs, file, 'acme_billing-1.0-py3-none-any.whl', { name: 'acme.billing', version: '1.0' });
  assert.equal(kept.sha256, createHash('sha256').update(metadata).digest('hex'));
  assert.equal(kept.file.blob, `sha256:${kept.sha256}`);
  assert.equal(kept.file.size, metadata.length);
  assert.deepEqual(await blobs.read(kept.file.blob, { maxBytes: metadata.length }), metadata);
});

test('a METADATA naming another project or version, or none, is refused with both sides named', async (t) => {
  const blobs = await withStore(t);
  const of = (m: Buffer) => stored(blobs, wheel({ 'acme_billing-1.0.dist-info/METADATA': m }));
  const form = { name: 'acme-billing', version: '1.0' };
  const f = 'acme_billing-1.0-py3-none-any.whl';
  assert.equal(await refusal(storeWheelMetadata(blobs, await of(metadataOf('acme-billing', '1.1')), f, form)), `${f}: its METADATA gives the version "1.1", the upload form "1.0" (compared as PEP 440 versions)`);
  assert.equal(await refusal(storeWheelMetadata(blobs, await of(metadataOf('acme-ledger', '1.0')), f, form)), `${f}: its METADATA names the project "acme-ledger", the upload form "acme-billing" (compared as PEP 503 names)`);
  assert.match(await refusal(storeWheelMetadata(blobs, await of(Buffer.from('Metadata-Version: 2.1\nName: acme-billing\n\n')), f, form)), /gives the version null/);
  assert.match(await refusal(storeWheelMetadata(blobs, await of(Buffer.from('Metadata-Version: 2.1\nVersion: 1.0\n\n')), f, form)), /names the project null/);
  assert.match(await refusal(storeWheelMetadata(blobs, await of(metadataOf('acme-billing', 'not a version')), f, form)), /gives the version "not a version"/);
});

test('a wheel without METADATA, or one that cannot be read completely, is refused, saying what is wrong', async (t) => {
  const blobs = await withStore(t);
  const form = { name: 'acme-billing', version: '1.0' };
  const f = 'acme_billing-1.0-py3-none-any.whl';
  const whole = wheel({ 'acme_billing-1.0.dist-info/METADATA': metadataOf('acme-billing', '1.0') });
  const cases: ReadonlyArray<readonly [Buffer, string]> = [
    [wheel({ 'acme_billing/__init__.py': '', 'acme_billing-1.0.dist-info/WHEEL': 'Wheel-Version: 1.0\n' }), `${f} has no .dist-info/METADATA; a wheel must carry its core metadata`],
    [wheel({ METADATA: metadataOf('acme-billing', '1.0') }), `${f} has no .dist-info/METADATA; a wheel must carry its core metadata`],
    [Buffer.from('not a zip at all'), `${f} is not a wheel Airlock can read: not a zip archive (a wheel must be one)`],
    [
      wheel({ 'a-1.0.dist-info/METADATA': metadataOf('acme-billing', '1.0'), 'b-1.0.dist-info/METADATA': metadataOf('acme-billing', '1.0') }),
      `${f} is not a wheel Airlock can read: 2 .dist-info directories at the root (a-1.0.dist-info, b-1.0.dist-info)`,
    ],
    [
      wheel({ 'acme_billing-1.0.dist-info/METADATA': Buffer.concat([metadataOf('acme-billing', '1.0'), Buffer.alloc(1024 * 1024, 0x61)]) }),
      `${f} is not a wheel Airlock can read: acme_billing-1.0.dist-info/METADATA is larger than 1048576 bytes`,
    ],
    // Truncated: its METADATA is found from the local headers, but the central directory is gone.
    [whole.subarray(0, whole.length - 30), `${f} is not a wheel Airlock can read: zip structure: no end of central directory record: entries found from local headers only`],
  ];
  for (const [bytes, message] of cases) assert.equal(await refusal(storeWheelMetadata(blobs, await stored(blobs, bytes), f, form)), message);
});
