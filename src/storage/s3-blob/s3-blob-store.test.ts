import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { digestHex, isAirlockError, sha256Of } from '../../core/index.ts';
import type { Sha256Digest } from '../../core/index.ts';
import { startTestS3, type ReceivedRequest, type TestS3 } from '../../../test/support/s3-server.ts';
import { runBlobStoreConformance } from '../conformance/index.ts';
import { readAll } from '../conformance/helpers.ts';
import { storeStream, type BlobListing } from '../ports/index.ts';
import { openS3BlobStore, type S3BlobStore, type S3BlobStoreOptions } from './index.ts';

const MiB = 1024 * 1024;
let s3: TestS3;
let scratch: string;
let fixtures = 0;

before(async () => {
  s3 = await startTestS3({ bucket: 'airlock-test' });
  scratch = await mkdtemp(join(tmpdir(), 'airlock-s3blob-'));
});
after(async () => {
  await s3.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Options for a store of its own: a fresh prefix in the shared bucket, a fresh staging folder. */
function optionsFor(prefix: string, more: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions {
  return { endpoint: s3.endpoint, bucket: s3.bucket, credentials: s3.credentials, prefix, stagingDir: join(scratch, prefix, 'staging'), retryBaseDelayMs: 1, ...more };
}

function freshPrefix(): string {
  return `t${++fixtures}-${randomBytes(3).toString('hex')}`;
}

async function withStore(more: Partial<S3BlobStoreOptions>, body: (store: S3BlobStore, prefix: string) => Promise<void>): Promise<void> {
  const prefix = freshPrefix();
  const store = await openS3BlobStore(optionsFor(prefix, more));
  try {
    await body(store, `${prefix}/`);
  } finally {
    await store.close();
  }
}

function keyOf(prefix: string, digest: Sha256Digest): string {
  const hex = digestHex(digest);
  return `${prefix}sha256/${hex.slice(0, 2)}/${hex}`;
}

/** Requests on one key, by what they were. */
function on(key: string): (r: ReceivedRequest) => boolean {
  return (r) => r.path === `/${s3.bucket}/${key}`;
}

runBlobStoreConformance('s3', async () => {
  const prefix = freshPrefix();
  const store = await openS3BlobStore(optionsFor(prefix));
  const others: S3BlobStore[] = [];
  return {
    store,
    reopen: async () => {
      const other = await openS3BlobStore(optionsFor(prefix));
      others.push(other);
      return other;
    },
    corrupt: async (digest) => {
      // Through a correctly signed PUT of other bytes under the key, as a faulty writer would.
      const key = keyOf(`${prefix}/`, digest);
      const { status, body } = await s3.send({ method: 'GET', key });
      assert.equal(status, 200);
      body[body.length >> 1] = (body[body.length >> 1] as number) ^ 0xff;
      assert.equal((await s3.send({ method: 'PUT', key, body })).status, 200);
    },
    // LastModified is kept to the second (by S3 as by s3rver).
    committedAtStepMs: 1000,
    cleanup: async () => {
      for (const o of others) await o.close();
      await store.close();
    },
  };
});

test('s3 layout: <prefix>sha256/<aa>/<hex>; uploads stage locally and nothing is in the bucket before commit', async () => {
  await withStore({}, async (store, prefix) => {
    const data = randomBytes(70_000);
    const upload = await store.begin({ maxBytes: 100_000 });
    await upload.write(data);
    assert.deepEqual((await s3.keys()).filter((k) => k.startsWith(prefix)), []);
    const staging = join(scratch, prefix, 'staging');
    const [folder] = await readdir(staging);
    assert.equal((await readdir(join(staging, folder as string))).length, 1, 'the upload is staged locally');
    const { digest } = await upload.commit();
    assert.deepEqual((await s3.keys()).filter((k) => k.startsWith(prefix)), [keyOf(prefix, digest)]);
    assert.deepEqual(await readdir(join(staging, folder as string)), [], 'the staging file is removed after the upload');
    await store.close();
    assert.deepEqual(await readdir(staging), [], 'close removes the instance staging folder');
  });
});

test('s3 multipart: a blob over the part size goes up in parts, each with its own sha256 (the server checks it), and reads back whole', async () => {
  await withStore({ partSize: 5 * MiB }, async (store, prefix) => {
    const data = randomBytes(12 * MiB + 12_345);
    const blob = await storeStream(store, [data.subarray(0, 7 * MiB), data.subarray(7 * MiB)], { maxBytes: 13 * MiB });
    const key = keyOf(prefix, blob.digest);
    assert.equal(s3.count('POST', (r) => on(key)(r) && r.query.has('uploads')), 1);
    assert.deepEqual(
      s3.requests.filter((r) => on(key)(r) && r.method === 'PUT').map((r) => r.query.get('partNumber')).sort(),
      ['1', '2', '3'],
      'three parts, no single PUT',
    );
    assert.equal(s3.count('POST', (r) => on(key)(r) && r.query.has('uploadId')), 1);
    assert.deepEqual(await s3.openMultipartUploads(), []);
    assert.deepEqual(await store.stat(blob.digest), { digest: blob.digest, size: data.length });
    assert.ok((await readAll(await store.open(blob.digest))).equals(data));
    // Exactly one part's worth goes up in one PUT.
    const one = randomBytes(5 * MiB);
    const single = await storeStream(store, [one], { maxBytes: 6 * MiB });
    assert.equal(s3.count('PUT', (r) => on(keyOf(prefix, single.digest))(r) && !r.query.has('partNumber')), 1);
  });
});

test('s3 multipart: a part that fails aborts the upload, and leaves no object, no parts and no staging file', async () => {
  await withStore({ partSize: 5 * MiB, retries: 1 }, async (store, prefix) => {
    const data = randomBytes(11 * MiB);
    const key = keyOf(prefix, sha256Of(data));
    s3.failNext({ match: (r) => on(key)(r) && r.query.get('partNumber') === '2', fail: { status: 403, code: 'AccessDenied' } });
    await assert.rejects(storeStream(store, [data], { maxBytes: 12 * MiB }), (err: unknown) => {
      assert.ok(isAirlockError(err, 'STORAGE_ERROR'));
      assert.equal(err.message, `S3 UploadPart 2 of ${key} in bucket "${s3.bucket}" answered 403 AccessDenied: injected by the test server (403)`);
      return true;
    });
    assert.equal(s3.count('DELETE', (r) => on(key)(r) && r.query.has('uploadId')), 1, 'the upload is aborted');
    assert.deepEqual(await s3.openMultipartUploads(), []);
    assert.equal(await store.stat(sha256Of(data)), null);
    const staging = join(scratch, prefix, 'staging');
    assert.deepEqual(await readdir(join(staging, (await readdir(staging))[0] as string)), []);

    // A connection cut in the middle of a part, twice (more than the one retry): the same.
    s3.failNext({ match: (r) => on(key)(r) && r.query.get('partNumber') === '3', fail: 'cut-request', times: 2 });
    await assert.rejects(storeStream(store, [data], { maxBytes: 12 * MiB }), /S3 UploadPart 3 of .* failed: cannot reach http:\/\/127\.0\.0\.1:\d+: (ECONNRESET|EPIPE) \(after 2 attempts\)/);
    assert.deepEqual(await s3.openMultipartUploads(), []);
    assert.equal(await store.stat(sha256Of(data)), null);
  });
});

test('s3: committing content that is there already renews it by a copy onto itself, without sending the bytes again', async () => {
  await withStore({}, async (store, prefix) => {
    const data = randomBytes(200_000);
    const first = await storeStream(store, [data], { maxBytes: MiB });
    const key = keyOf(prefix, first.digest);
    const listed = async (): Promise<BlobListing | undefined> => {
      for await (const b of store.list()) if (b.digest === first.digest) return b;
      return undefined;
    };
    const was = (await listed())?.committedAt.getTime() ?? 0;
    const puts = s3.count('PUT', on(key));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await storeStream(store, [data], { maxBytes: MiB });
    assert.equal(again.digest, first.digest);
    const copies = s3.requests.filter((r) => on(key)(r) && r.method === 'PUT').slice(puts);
    assert.equal(copies.length, 1);
    assert.equal(copies[0]?.headers['x-amz-copy-source'], `/${s3.bucket}/${key}`);
    assert.equal(copies[0]?.headers['x-amz-metadata-directive'], 'REPLACE');
    assert.equal(copies[0]?.headers['content-length'], '0', 'no bytes sent again');
    assert.ok(((await listed())?.committedAt.getTime() ?? 0) > was, 'LastModified renewed');
    assert.ok((await readAll(await store.open(first.digest))).equals(data));

    // Another size under the key (a partial object a broken writer left) is overwritten.
    assert.equal((await s3.send({ method: 'PUT', key, body: data.subarray(0, 100) })).status, 200);
    await storeStream(store, [data], { maxBytes: MiB });
    assert.deepEqual(await store.stat(first.digest), { digest: first.digest, size: data.length });
  });
});

test('s3 list: pages follow continuation tokens; keys not of the layout are skipped', async () => {
  await withStore({ listPageSize: 3 }, async (store, prefix) => {
    const blobs = await Promise.all(Array.from({ length: 10 }, (_, i) => storeStream(store, [Buffer.from(`blob ${i}`)], { maxBytes: 100 })));
    const hex = digestHex(sha256Of('stranger'));
    for (const key of [`${prefix}sha256/zz/${hex}`, `${prefix}sha256/${hex.slice(0, 2)}/${hex}.part`, `${prefix}sha256/00/${hex}`, `${prefix}sha256/${hex.slice(0, 2)}/${hex.toUpperCase()}`]) {
      assert.equal((await s3.send({ method: 'PUT', key, body: Buffer.from('x') })).status, 200);
    }
    const before = s3.count('GET', (r) => r.query.get('list-type') === '2');
    const listed: string[] = [];
    for await (const b of store.list()) listed.push(b.digest);
    assert.deepEqual(listed.sort(), blobs.map((b) => b.digest).sort());
    assert.equal(s3.count('GET', (r) => r.query.get('list-type') === '2') - before, 5, '14 keys, 3 a page');
  });
});

test('s3 list: a malformed page is an error, never a listing cut short', async () => {
  await withStore({}, async (store, prefix) => {
    await storeStream(store, [Buffer.from('one')], { maxBytes: 10 });
    const listing = (r: ReceivedRequest): boolean => r.query.get('prefix') === `${prefix}sha256/`;
    const pages: Record<string, RegExp> = {
      '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>x': /a malformed page: the document ends inside an element/,
      '<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>': /truncated but has no <NextContinuationToken>/,
      '<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>2</KeyCount><Contents><Key>k</Key><Size>1</Size><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>':
        /<KeyCount> says 2 but the page has 1/,
      '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>-1</Size><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>':
        /<Size> "-1" is not a byte count/,
      '<!DOCTYPE x [<!ENTITY a "aaaa">]><ListBucketResult/>': /document type declarations are refused/,
      // What the page says is quoted in one printable line: XML carries line breaks and C1 controls.
      '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1\u0085\n\u009b2</Size><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>':
        /^[^\u0000-\u001f\u007f-\u009f]*<Size> "1 2" is not a byte count$/,
      '<Other/>': /not a <ListBucketResult>/,
    };
    for (const [body, message] of Object.entries(pages)) {
      s3.failNext({ match: listing, fail: { status: 200, body } });
      await assert.rejects(
        (async () => {
          for await (const _ of store.list());
        })(),
        (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && /^S3 listing of ".*sha256\/" in bucket "airlock-test" answered /.test(err.message) && message.test(err.message),
      );
    }
  });
});

test('s3 list: a page naming a continuation token already followed (the same page again, or pages naming each other) is an error, its keys not listed again', async () => {
  await withStore({}, async (store, prefix) => {
    const listing = (r: ReceivedRequest): boolean => r.query.get('prefix') === `${prefix}sha256/`;
    const page = (name: string, next: string): string => {
      const hex = digestHex(sha256Of(name));
      return (
        '<ListBucketResult><IsTruncated>true</IsTruncated>' +
        `<Contents><Key>${prefix}sha256/${hex.slice(0, 2)}/${hex}</Key><Size>1</Size><LastModified>2025-01-01T00:00:00.000Z</LastModified></Contents>` +
        `<NextContinuationToken>${next}</NextContinuationToken></ListBucketResult>`
      );
    };
    for (const pages of [[page('a', 'token-a'), page('a', 'token-a')], [page('a', 'token-b'), page('b', 'token-a'), page('a', 'token-b')]]) {
      for (const body of pages) s3.failNext({ match: listing, fail: { status: 200, body } });
      const listed: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const b of store.list()) listed.push(b.digest);
        })(),
        (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && /^S3 listing of ".*sha256\/" in bucket "airlock-test" answered a continuation token it gave before$/.test(err.message),
      );
      assert.deepEqual(listed, [...new Set(listed)], 'no blob listed twice');
      assert.equal(listed.length, pages.length - 1);
    }
  });
});
