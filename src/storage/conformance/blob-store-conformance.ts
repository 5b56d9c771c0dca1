import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { isAirlockError, sha256Of } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';
import { hasLocalPath, storeStream, writeStreamToUpload } from '../ports/index.ts';
import { BlobCorruptError, type BlobStore, type CommittedBlob } from '../ports/index.ts';
import { hex, readAll, rejectsWithCode } from './helpers.ts';

export interface BlobStoreFixture {
  readonly store: BlobStore;
  /** Another, independent handle on the same storage (what a second process would see). */
  reopen(): Promise<BlobStore>;
  /** Changes one byte in the middle of a committed blob's stored bytes, as a failing disk would. */
  corrupt(digest: Sha256Digest): Promise<void>;
  /**
   * The step of the store's `committedAt` in milliseconds, when coarser than a millisecond (S3
   * keeps LastModified to the second): a renewal is looked for that much later.
   */
  readonly committedAtStepMs?: number;
  /** Release everything the fixture created. */
  cleanup(): Promise<void>;
}

const MB = 1024 * 1024;

async function put(store: BlobStore, data: Uint8Array): Promise<CommittedBlob> {
  return storeStream(store, [data], { maxBytes: data.byteLength });
}

async function assertAbsent(store: BlobStore, data: Uint8Array): Promise<void> {
  const digest = sha256Of(data);
  assert.equal(await store.stat(digest), null, 'no blob may be visible under the digest');
  assert.equal(await store.open(digest), null);
}

/**
 * The behaviour every BlobStore driver must show. Call from the driver's own test file with a
 * factory that yields a fresh, empty store per test.
 */
export function runBlobStoreConformance(driver: string, makeFixture: () => Promise<BlobStoreFixture>): void {
  async function withStore(body: (store: BlobStore, fixture: BlobStoreFixture) => Promise<void>): Promise<void> {
    const fixture = await makeFixture();
    try {
      await body(fixture.store, fixture);
    } finally {
      await fixture.cleanup();
    }
  }

  describe(`BlobStore conformance: ${driver}`, () => {
    test('commit publishes the bytes under their sha256, with every digest computed while streaming', () =>
      withStore(async (store) => {
        const data = randomBytes(300_000);
        const upload = await store.begin({ maxBytes: MB });
        for (let i = 0; i < data.byteLength; i += 65_536) await upload.write(data.subarray(i, i + 65_536));
        assert.equal(upload.bytesWritten, data.byteLength);
        const blob = await upload.commit();
        assert.equal(blob.digest, sha256Of(data));
        assert.equal(blob.size, data.byteLength);
        assert.deepEqual(blob.digests, { sha256: hex('sha256', data), sha512: hex('sha512', data), sha1: hex('sha1', data) });
        assert.deepEqual(await store.stat(blob.digest), { digest: blob.digest, size: data.byteLength });
        assert.deepEqual(await readAll(await store.open(blob.digest)), data);
      }));

    test('list: every committed blob once, with its size and when it was committed; nothing uncommitted, aborted or deleted', () =>
      withStore(async (store, fixture) => {
        const listed = async (s: BlobStore): Promise<Map<string, { size: number; committedAt: Date }>> => {
          const out = new Map<string, { size: number; committedAt: Date }>();
          for await (const b of s.list()) {
            assert.ok(!out.has(b.digest), `${b.digest} listed twice`);
            out.set(b.digest, { size: b.size, committedAt: b.committedAt });
          }
          return out;
        };
        assert.equal((await listed(store)).size, 0);
        const before = Date.now() - 2000;
        const kept = await Promise.all(Array.from({ length: 40 }, (_, i) => put(store, Buffer.from(`blob ${i} `.repeat(i + 1)))));
        const open = await store.begin({ maxBytes: MB });
        await open.write(Buffer.from('not committed yet'));
        const aborted = await store.begin({ maxBytes: MB });
        await aborted.write(Buffer.from('aborted'));
        await aborted.abort();
        const gone = await put(store, Buffer.from('deleted'));
        await store.delete(gone.digest);

        const all = await listed(store);
        assert.deepEqual([...all.keys()].sort(), kept.map((b) => b.digest).sort());
        for (const b of kept) {
          assert.equal(all.get(b.digest)?.size, b.size);
          const at = all.get(b.digest)?.committedAt.getTime() ?? 0;
          assert.ok(at >= before && at <= Date.now() + 2000, 'committed just now');
        }
        assert.deepEqual([...(await listed(await fixture.reopen())).keys()].sort(), [...all.keys()].sort(), 'another handle lists the same');
        await open.abort();

        // The same content committed again is new again (a sweep's grace period relies on it).
        const first = kept[0] as CommittedBlob;
        const was = all.get(first.digest)?.committedAt.getTime() ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 30 + (fixture.committedAtStepMs ?? 0)));
        await put(store, Buffer.from('blob 0 '));
        assert.ok(((await listed(store)).get(first.digest)?.committedAt.getTime() ?? 0) > was, 'committing again renews the time');
      }));

    test('a blob whose stored bytes changed: a whole read or stream fails with BlobCorruptError and removes it, and never hands over all of it; a range is read as it is', () =>
      withStore(async (store, fixture) => {
        const small = await put(store, randomBytes(10_000));
        await fixture.corrupt(small.digest);
        await assert.rejects(store.read(small.digest, { maxBytes: MB }), (err: unknown) => err instanceof BlobCorruptError && err.digest === small.digest);
        assert.equal(await store.stat(small.digest), null, 'removed');

        const data = randomBytes(3 * MB);
        const big = await put(store, data);
        await fixture.corrupt(big.digest);
        assert.equal((await store.read(big.digest, { maxBytes: MB, range: { start: 0, end: 99 } }))?.length, 100, 'a range cannot be checked');
        const stream = await store.open(big.digest);
        assert.ok(stream !== null);
        let received = 0;
        await assert.rejects(
          (async () => {
            for await (const chunk of stream) received += (chunk as Buffer).length;
          })(),
          (err: unknown) => err instanceof BlobCorruptError,
        );
        assert.ok(received < data.length, `received ${received} of ${data.length} bytes`);
        assert.equal(await store.stat(big.digest), null, 'removed');

        // Intact blobs are read and streamed whole, as before.
        const intact = await put(store, data);
        assert.deepEqual(await readAll(await store.open(intact.digest)), data);
        assert.deepEqual(await store.read(intact.digest, { maxBytes: 4 * MB }), data);
      }));

    test('write: once a write resolves the upload is done with the chunk, so the caller may reuse or free it', () =>
      withStore(async (store) => {
        const data = randomBytes(MB + 4_321);
        const upload = await store.begin({ maxBytes: 2 * MB });
        const chunk = Buffer.allocUnsafeSlow(64 * 1024);
        for (let i = 0; i < data.byteLength; i += chunk.byteLength) {
          const piece = chunk.subarray(0, data.copy(chunk, 0, i, i + chunk.byteLength));
          await upload.write(piece);
          chunk.fill(0xee); // what a reuse would leave behind
        }
        const freed = Buffer.allocUnsafeSlow(64 * 1024).fill(7);
        await upload.write(freed);
        freed.buffer.transfer(0); // freed: the buffer now reads as empty
        const whole = Buffer.concat([data, Buffer.alloc(64 * 1024, 7)]);
        const blob = await upload.commit({ size: whole.byteLength, sha256: hex('sha256', whole) });
        assert.deepEqual(await readAll(await store.open(blob.digest)), whole);
      }));

    test('an upload begun for its address only computes the sha256, verifies it, and refuses other expectations', () =>
      withStore(async (store) => {
        const data = randomBytes(100_000);
        const upload = await store.begin({ maxBytes: MB, digests: 'address' });
        await upload.write(data);
        const blob = await upload.commit({ size: data.byteLength, sha256: hex('sha256', data) });
        assert.equal(blob.digest, sha256Of(data));
        assert.deepEqual(blob.digests, { sha256: hex('sha256', data), sha512: null, sha1: null });
        assert.deepEqual(await readAll(await store.open(blob.digest)), data);
        const other = randomBytes(1_000);
        const asked = await store.begin({ maxBytes: MB, digests: 'address' });
        await asked.write(other);
        await assert.rejects(asked.commit({ sha512: hex('sha512', other) }), (e) => isAirlockError(e, 'INTERNAL'));
        assert.equal(await store.stat(sha256Of(other)), null, 'nothing was published');
      }));

    test('an empty blob is a blob', () =>
      withStore(async (store) => {
        const blob = await put(store, new Uint8Array(0));
        assert.equal(blob.size, 0);
        assert.deepEqual(await store.stat(blob.digest), { digest: blob.digest, size: 0 });
        assert.equal((await readAll(await store.open(blob.digest))).byteLength, 0);
      }));

    test('expectations that hold (upper-case hex too) let the commit through', () =>
      withStore(async (store) => {
        const data = Buffer.from('hello, airlock\n');
        const upload = await store.begin({ maxBytes: 100 });
        await upload.write(data);
        const blob = await upload.commit({
          size: data.byteLength,
          sha256: hex('sha256', data).toUpperCase(),
          sha512: hex('sha512', data),
          sha1: hex('sha1', data),
        });
        assert.equal(blob.digest, sha256Of(data));
      }));

    test('a size mismatch aborts with SIZE_MISMATCH and publishes nothing', () =>
      withStore(async (store) => {
        const data = randomBytes(1000);
        const upload = await store.begin({ maxBytes: MB });
        await upload.write(data);
        await rejectsWithCode(upload.commit({ size: 999, sha256: hex('sha256', data) }), 'SIZE_MISMATCH');
        await assertAbsent(store, data);
        await upload.abort();
      }));

    for (const algorithm of ['sha256', 'sha512', 'sha1'] as const) {
      test(`a ${algorithm} mismatch aborts with DIGEST_MISMATCH and publishes nothing`, () =>
        withStore(async (store) => {
          const data = randomBytes(5000);
          const other = randomBytes(5000);
          const upload = await store.begin({ maxBytes: MB });
          await upload.write(data);
          await assert.rejects(upload.commit({ size: 5000, [algorithm]: hex(algorithm, other) }), (err: unknown) => {
            assert.ok(isAirlockError(err, 'DIGEST_MISMATCH'));
            assert.equal(err.details['algorithm'], algorithm);
            assert.equal(err.details['actual'], hex(algorithm, data));
            return true;
          });
          await assertAbsent(store, data);
          await rejectsWithCode(upload.commit(), 'STORAGE_ERROR', 'a failed upload cannot be committed later');
        }));
    }

    test('a malformed expected digest is refused before anything is published', () =>
      withStore(async (store) => {
        const data = randomBytes(10);
        const upload = await store.begin({ maxBytes: 100 });
        await upload.write(data);
        await rejectsWithCode(upload.commit({ sha512: 'abc' }), 'INVALID_DIGEST');
        await assertAbsent(store, data);
      }));

    test('maxBytes is a hard cap: exactly the limit passes, one byte more fails with LIMIT_EXCEEDED', () =>
      withStore(async (store) => {
        const exact = await store.begin({ maxBytes: 10 });
        await exact.write(new Uint8Array(4));
        await exact.write(new Uint8Array(6));
        assert.equal((await exact.commit()).size, 10);

        const data = randomBytes(11);
        const over = await store.begin({ maxBytes: 10 });
        await over.write(data.subarray(0, 6));
        await rejectsWithCode(over.write(data.subarray(6)), 'LIMIT_EXCEEDED');
        await rejectsWithCode(over.write(new Uint8Array(1)), 'STORAGE_ERROR');
        await rejectsWithCode(over.commit(), 'STORAGE_ERROR');
        await over.abort();
        await assertAbsent(store, data);
        await assertAbsent(store, data.subarray(0, 6));
      }));

    test('abort discards, is idempotent, and after a commit does nothing', () =>
      withStore(async (store) => {
        const data = randomBytes(2048);
        const dropped = await store.begin({ maxBytes: MB });
        await dropped.write(data);
        await dropped.abort();
        await dropped.abort();
        await assertAbsent(store, data);
        await rejectsWithCode(dropped.write(data), 'STORAGE_ERROR');
        await rejectsWithCode(dropped.commit(), 'STORAGE_ERROR');

        const kept = await store.begin({ maxBytes: MB });
        await kept.write(data);
        const blob = await kept.commit();
        await kept.abort();
        await rejectsWithCode(kept.commit(), 'INTERNAL', 'a second commit is a programming error');
        await rejectsWithCode(kept.write(data), 'INTERNAL');
        assert.deepEqual(await readAll(await store.open(blob.digest)), data);
      }));

    test('writes that are not awaited still land in order', () =>
      withStore(async (store) => {
        const parts = Array.from({ length: 50 }, () => randomBytes(1000));
        const upload = await store.begin({ maxBytes: MB });
        const pending = parts.map((p) => upload.write(p));
        const committed = upload.commit();
        await Promise.all(pending);
        const blob = await committed;
        assert.equal(blob.digest, sha256Of(Buffer.concat(parts)));
      }));

    test('an AbortSignal stops the upload: writes reject with its reason and nothing is published', () =>
      withStore(async (store) => {
        const data = randomBytes(4096);
        const controller = new AbortController();
        const upload = await store.begin({ maxBytes: MB, signal: controller.signal });
        await upload.write(data);
        controller.abort();
        await assert.rejects(upload.write(data), { name: 'AbortError' });
        await assert.rejects(upload.commit(), { name: 'AbortError' });
        await upload.abort();
        await assertAbsent(store, data);
        await assert.rejects(store.begin({ maxBytes: MB, signal: controller.signal }), { name: 'AbortError' });
      }));

    test('committing content that already exists succeeds and leaves one blob', () =>
      withStore(async (store) => {
        const data = randomBytes(10_000);
        const first = await put(store, data);
        const second = await put(store, data);
        assert.equal(second.digest, first.digest);
        assert.deepEqual(await readAll(await store.open(first.digest)), data);
      }));

    test('two uploads of the same content at once both succeed', () =>
      withStore(async (store) => {
        const data = randomBytes(MB);
        const [a, b] = await Promise.all([
          storeStream(store, Readable.from(chunks(data, 16_384)), { maxBytes: MB, expect: { sha256: hex('sha256', data) } }),
          storeStream(store, Readable.from(chunks(data, 10_000)), { maxBytes: MB, expect: { sha512: hex('sha512', data) } }),
        ]);
        assert.equal(a.digest, b.digest);
        assert.deepEqual(await store.stat(a.digest), { digest: a.digest, size: MB });
        assert.deepEqual(await readAll(await store.open(a.digest)), data);
      }));

    test('ranges: inclusive ends, clamped past the end, unsatisfiable ones refused', () =>
      withStore(async (store) => {
        const data = randomBytes(1000);
        const { digest } = await put(store, data);
        assert.deepEqual(await readAll(await store.open(digest, { start: 0, end: 0 })), data.subarray(0, 1));
        assert.deepEqual(await readAll(await store.open(digest, { start: 10, end: 19 })), data.subarray(10, 20));
        assert.deepEqual(await readAll(await store.open(digest, { start: 999, end: 999 })), data.subarray(999));
        assert.deepEqual(await readAll(await store.open(digest, { start: 500, end: 5000 })), data.subarray(500));
        await rejectsWithCode(store.open(digest, { start: 1000, end: 1000 }), 'BAD_REQUEST');
        await rejectsWithCode(store.open(digest, { start: 20, end: 10 }), 'BAD_REQUEST');
        await rejectsWithCode(store.open(digest, { start: -1, end: 10 }), 'BAD_REQUEST');
        assert.equal(await store.open(sha256Of('absent'), { start: 0, end: 1 }), null);
      }));

    test("open: every chunk is the reader's own allocation, so a reader may free it once done", () =>
      withStore(async (store) => {
        const data = randomBytes(MB + 12_345);
        const { digest } = await put(store, data);
        for (const stream of [await store.open(digest), await store.open(digest, { start: 1, end: MB })]) {
          assert.ok(stream !== null);
          let chunks = 0;
          for await (const chunk of stream as AsyncIterable<Uint8Array>) {
            chunks++;
            assert.ok(chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength, `chunk ${chunks} (${chunk.byteLength} bytes) shares its allocation`);
          }
          assert.ok(chunks > 1);
        }
      }));

    test('read: the blob or a range in one buffer of its own, capped before anything is read', () =>
      withStore(async (store) => {
        const data = randomBytes(300_000);
        const { digest } = await put(store, data);
        const whole = await store.read(digest, { maxBytes: data.length });
        assert.ok(whole !== null);
        assert.deepEqual(whole, data);
        assert.equal(whole.buffer.byteLength, data.length, 'the buffer owns exactly its bytes (safe to cache)');
        assert.deepEqual(await store.read(digest, { maxBytes: 10, range: { start: 10, end: 19 } }), data.subarray(10, 20));
        assert.deepEqual(await store.read(digest, { maxBytes: 1000, range: { start: data.length - 5, end: data.length + 99 } }), data.subarray(-5));
        await rejectsWithCode(store.read(digest, { maxBytes: data.length - 1 }), 'LIMIT_EXCEEDED');
        await rejectsWithCode(store.read(digest, { maxBytes: 9, range: { start: 10, end: 19 } }), 'LIMIT_EXCEEDED');
        await rejectsWithCode(store.read(digest, { maxBytes: 10, range: { start: data.length, end: data.length } }), 'BAD_REQUEST');
        await rejectsWithCode(store.read(digest, { maxBytes: 10, range: { start: 20, end: 10 } }), 'BAD_REQUEST');
        assert.equal(await store.read(sha256Of('absent'), { maxBytes: 10 }), null);
        const empty = await put(store, new Uint8Array(0));
        assert.equal((await store.read(empty.digest, { maxBytes: 0 }))?.length, 0);
        await rejectsWithCode(store.read('sha256:../../etc/passwd' as Sha256Digest, { maxBytes: 10 }), 'INVALID_DIGEST');
      }));

    test('absent blobs: stat and open answer null, delete answers false', () =>
      withStore(async (store) => {
        const digest = sha256Of('never stored');
        assert.equal(await store.stat(digest), null);
        assert.equal(await store.open(digest), null);
        assert.equal(await store.delete(digest), false);
      }));

    test('delete removes a blob once', () =>
      withStore(async (store) => {
        const { digest } = await put(store, randomBytes(100));
        assert.equal(await store.delete(digest), true);
        assert.equal(await store.stat(digest), null);
        assert.equal(await store.delete(digest), false);
      }));

    test('malformed digests are refused, never turned into paths or keys', () =>
      withStore(async (store) => {
        for (const bad of ['sha256:../../etc/passwd', 'sha256:ABC', `sha256:${'A'.repeat(64)}`, 'md5:00']) {
          await rejectsWithCode(store.stat(bad as Sha256Digest), 'INVALID_DIGEST');
          await rejectsWithCode(store.open(bad as Sha256Digest), 'INVALID_DIGEST');
          await rejectsWithCode(store.delete(bad as Sha256Digest), 'INVALID_DIGEST');
        }
      }));

    test('writeStreamToUpload pumps a stream; a failing source aborts the upload', () =>
      withStore(async (store) => {
        const data = randomBytes(200_000);
        const upload = await store.begin({ maxBytes: MB });
        assert.equal(await writeStreamToUpload(Readable.from(chunks(data, 7000)), upload), data.byteLength);
        assert.equal((await upload.commit()).digest, sha256Of(data));

        const broken = await store.begin({ maxBytes: MB });
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield data.subarray(0, 1000);
          throw new Error('upstream reset');
        }
        await assert.rejects(writeStreamToUpload(failing(), broken), /upstream reset/);
        await rejectsWithCode(broken.commit(), 'STORAGE_ERROR');
        await assertAbsent(store, data.subarray(0, 1000));
      }));

    test('storeStream: a signal aborts a stalled source; a limit breach or a string chunk fails the ingest', () =>
      withStore(async (store) => {
        const controller = new AbortController();
        let started!: () => void;
        const startedP = new Promise<void>((resolve) => (started = resolve));
        const stalled = new Readable({
          read() {
            if (this.readableLength === 0) {
              this.push(Buffer.alloc(100, 1));
              started();
            }
          },
        });
        const ingest = storeStream(store, stalled, { maxBytes: MB, signal: controller.signal });
        await startedP;
        controller.abort();
        await assert.rejects(ingest, { name: 'AbortError' });
        assert.equal(stalled.destroyed, true, 'the source is destroyed');

        await rejectsWithCode(storeStream(store, [randomBytes(600), randomBytes(600)], { maxBytes: 1000 }), 'LIMIT_EXCEEDED');
        const text = Readable.from(['not bytes'], { objectMode: true });
        await rejectsWithCode(storeStream(store, text, { maxBytes: 1000 }), 'INTERNAL');
      }));

    test('another handle on the same storage sees committed blobs', () =>
      withStore(async (store, fixture) => {
        const data = randomBytes(3000);
        const { digest } = await put(store, data);
        const other = await fixture.reopen();
        assert.deepEqual(await other.stat(digest), { digest, size: 3000 });
        assert.deepEqual(await readAll(await other.open(digest)), data);
      }));

    test('localPath, when offered, names a file with the blob bytes', () =>
      withStore(async (store) => {
        if (!hasLocalPath(store)) return;
        const data = randomBytes(500);
        const { digest } = await put(store, data);
        const path = await store.localPath(digest);
        assert.ok(path !== null);
        const { readFile } = await import('node:fs/promises');
        assert.deepEqual(await readFile(path), data);
        assert.equal(await store.localPath(sha256Of('absent')), null);
      }));
  });
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.byteLength; i += size) yield data.subarray(i, i + size);
}
