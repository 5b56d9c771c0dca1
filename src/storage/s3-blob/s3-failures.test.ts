/**
 * The S3 store against an endpoint that refuses, fails in passing, or cuts connections: start-up
 * says what is wrong, idempotent requests are retried, and every failure names the request.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { digestHex, isAirlockError, sha256Of } from '../../core/index.ts';
import { startTestS3, type ReceivedRequest, type TestS3 } from '../../../test/support/s3-server.ts';
import { hasOpenssl, selfSignedCert } from '../../../test/support/tls-cert.ts';
import { readAll } from '../conformance/helpers.ts';
import { BlobCorruptError, storeStream } from '../ports/index.ts';
import { openS3BlobStore, type S3BlobStoreOptions } from './index.ts';

let s3: TestS3;
let scratch: string;
let n = 0;

before(async () => {
  s3 = await startTestS3({ bucket: 'airlock-failures', sessionToken: 'session-token-1' });
  scratch = await mkdtemp(join(tmpdir(), 'airlock-s3fail-'));
});
after(async () => {
  await s3.close();
  await rm(scratch, { recursive: true, force: true });
});

function optionsFor(more: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions {
  const prefix = `f${++n}`;
  return { endpoint: s3.endpoint, bucket: s3.bucket, credentials: s3.credentials, prefix, stagingDir: join(scratch, prefix), retryBaseDelayMs: 1, ...more };
}

/** Rejects with a STORAGE_ERROR whose message matches. */
async function failsWith(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isAirlockError(err, 'STORAGE_ERROR'), `expected a STORAGE_ERROR, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

function objectRequest(method: string): (r: ReceivedRequest) => boolean {
  return (r) => r.method === method && r.path.includes('/sha256/');
}

test('start-up: a wrong secret, an unknown key, a missing session token, a missing bucket or an unreachable endpoint each fail with what is wrong', async () => {
  const { accessKeyId, secretAccessKey } = s3.credentials;
  const where = `S3 blob store: cannot use bucket "${s3.bucket}" at ${s3.endpoint.replace(/\./g, '\\.')}`;
  await assert.rejects(
    openS3BlobStore(optionsFor({ credentials: { ...s3.credentials, secretAccessKey: 'not-the-secret' } })),
    (err: unknown) => {
      assert.ok(isAirlockError(err, 'STORAGE_ERROR'));
      assert.match(err.message, new RegExp(`^${where}: the secret access key does not match the access key id \\(S3 listing of "f\\d+/sha256/" in bucket "${s3.bucket}" answered 403 SignatureDoesNotMatch: The request signature we calculated does not match`));
      assert.doesNotMatch(err.message, /not-the-secret/);
      return true;
    },
  );
  await failsWith(openS3BlobStore(optionsFor({ credentials: { ...s3.credentials, accessKeyId: 'AKIAUNKNOWN' } })), new RegExp(`^${where}: the endpoint does not know the access key id .*403 InvalidAccessKeyId`));
  await failsWith(openS3BlobStore(optionsFor({ credentials: { accessKeyId, secretAccessKey } })), new RegExp(`^${where}: the session token is not valid .*403 InvalidToken`));
  await assert.rejects(openS3BlobStore(optionsFor({ credentials: { ...s3.credentials, sessionToken: 'other' } })), /403 InvalidToken/);
  await assert.rejects(openS3BlobStore(optionsFor({ region: 'eu-west-1' })), /: the bucket is not in region eu-west-1, or the endpoint wants another region .*400 AuthorizationHeaderMalformed/);
  await failsWith(
    openS3BlobStore({ ...optionsFor(), bucket: 'no-such-bucket' }),
    new RegExp(`^S3 blob store: cannot use bucket "no-such-bucket" at .*: the bucket does not exist .*404 NoSuchBucket`),
  );
  // A port nobody listens on: refused, retried, then named. Below the ephemeral range, so no
  // server another test file starts meanwhile can be given it, as it can a port just closed.
  const closed = 9;
  await failsWith(
    openS3BlobStore({ ...optionsFor(), endpoint: `http://127.0.0.1:${closed}` }),
    new RegExp(`^S3 blob store: cannot use bucket "${s3.bucket}" at http://127\\.0\\.0\\.1:${closed} \\(S3 listing of .* failed: cannot reach http://127\\.0\\.0\\.1:${closed}: ECONNREFUSED \\(after 4 attempts\\)\\)$`),
  );
  await assert.rejects(openS3BlobStore({ ...optionsFor(), partSize: 1024 * 1024 }), /partSize must be a whole number from 5242880/);
  await assert.rejects(openS3BlobStore({ ...optionsFor(), prefix: 'a/../b' }), /prefix must not have empty, \. or \.\. segments/);
  await assert.rejects(openS3BlobStore({ ...optionsFor(), endpoint: 'http://h/bucket' }), /endpoint must be the service URL alone/);
});

test('retries: 503 SlowDown and connection resets on idempotent requests are tried again; past the retries the failure is named', async () => {
  const options = optionsFor({ retries: 2 });
  const store = await openS3BlobStore(options);
  try {
    const data = randomBytes(50_000);
    s3.failNext({ match: objectRequest('PUT'), fail: { status: 503, code: 'SlowDown' } });
    s3.failNext({ match: objectRequest('HEAD'), fail: 'reset' });
    const { digest } = await storeStream(store, [data], { maxBytes: 100_000 });
    s3.failNext({ match: objectRequest('GET'), fail: { status: 500, code: 'InternalError' }, times: 2 });
    const gets = s3.count('GET', objectRequest('GET'));
    assert.ok((await store.read(digest, { maxBytes: 100_000 }))?.equals(data));
    assert.equal(s3.count('GET', objectRequest('GET')) - gets, 3);

    s3.failNext({ match: objectRequest('GET'), fail: { status: 503, code: 'SlowDown' }, times: 3 });
    const key = `${options.prefix}/sha256/${digestHex(digest).slice(0, 2)}/${digestHex(digest)}`;
    await assert.rejects(store.read(digest, { maxBytes: 100_000 }), (err: unknown) => {
      assert.ok(isAirlockError(err, 'STORAGE_ERROR'));
      assert.equal(err.message, `S3 GET of ${key} in bucket "${s3.bucket}" answered 503 SlowDown: injected by the test server (503) (after 3 attempts)`);
      return true;
    });
    // Refusals are not retried.
    s3.failNext({ match: objectRequest('HEAD'), fail: { status: 403 } });
    const heads = s3.count('HEAD', objectRequest('HEAD'));
    await failsWith(store.stat(digest), /^S3 HEAD of .* answered 403$/);
    assert.equal(s3.count('HEAD', objectRequest('HEAD')) - heads, 1);
  } finally {
    await store.close();
  }
});

test('reads: a body cut short is a storage error naming the endpoint, not corruption (the blob stays); a corrupt blob is removed', async () => {
  const store = await openS3BlobStore(optionsFor());
  try {
    const data = randomBytes(3 * 1024 * 1024);
    const { digest } = await storeStream(store, [data], { maxBytes: data.length });
    s3.failNext({ match: objectRequest('GET'), fail: 'cut-response' });
    const stream = await store.open(digest);
    await assert.rejects(readAll(stream), (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && !(err instanceof BlobCorruptError) && /S3 GET of .* failed: the answer from http:\/\/127\.0\.0\.1:\d+ broke off: /.test(err.message));
    s3.failNext({ match: objectRequest('GET'), fail: 'cut-response' });
    await assert.rejects(store.read(digest, { maxBytes: data.length }), (err: unknown) => isAirlockError(err, 'STORAGE_ERROR') && !(err instanceof BlobCorruptError));
    assert.deepEqual(await store.stat(digest), { digest, size: data.length }, 'still there');
    assert.ok((await readAll(await store.open(digest))).equals(data));

    // An answer longer than it says, or a Content-Range that is not the range asked for.
    s3.failNext({ match: objectRequest('GET'), fail: { status: 206, body: 'abcdefgh', headers: { 'content-range': 'bytes 0-7/100' } } });
    await assert.rejects(store.read(digest, { maxBytes: 100, range: { start: 2, end: 9 } }), /Content-Range "bytes 0-7\/100" to a request for bytes 2-9/);
    s3.failNext({ match: objectRequest('GET'), fail: { status: 200, body: 'abc' } });
    await assert.rejects(store.read(digest, { maxBytes: 100, range: { start: 0, end: 9 } }), /answered 200 to a range GET/);
  } finally {
    await store.close();
  }
});

test('a PUT refused names the key, the bucket, the status and S3’s code and message; nothing is committed and the staging file is gone', async () => {
  const store = await openS3BlobStore(optionsFor());
  try {
    const data = randomBytes(1000);
    const hex = digestHex(sha256Of(data));
    s3.failNext({ match: objectRequest('PUT'), fail: { status: 403, body: `<Error><Code>AccessDenied</Code><Message>${'no '.repeat(200)}</Message></Error>` } });
    await assert.rejects(storeStream(store, [data], { maxBytes: 1000 }), (err: unknown) => {
      assert.ok(isAirlockError(err, 'STORAGE_ERROR'));
      assert.match(err.message, new RegExp(`^S3 PUT of f\\d+/sha256/${hex.slice(0, 2)}/${hex} in bucket "${s3.bucket}" answered 403 AccessDenied: (no ){99}no…$`));
      return true;
    });
    assert.equal(await store.stat(sha256Of(data)), null);
  } finally {
    await store.close();
  }
});

test('https: a private endpoint is trusted through `ca` (next to the built-in authorities), and refused without it', { skip: !hasOpenssl() && 'needs openssl' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-s3tls-'));
  try {
    const { key, cert } = selfSignedCert(dir, 'objects', 'IP:127.0.0.1');
    const pem = await readFile(cert, 'utf8');
    const secure = await startTestS3({ bucket: 'airlock-tls', tls: { key: await readFile(key, 'utf8'), cert: pem } });
    try {
      const options = { endpoint: secure.endpoint, bucket: secure.bucket, credentials: secure.credentials, stagingDir: join(dir, 'staging'), retries: 0 };
      await failsWith(openS3BlobStore(options), new RegExp(`cannot reach ${secure.endpoint.replace(/\./g, '\\.')}: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)`));
      const store = await openS3BlobStore({ ...options, ca: pem });
      try {
        const data = randomBytes(10_000);
        const { digest } = await storeStream(store, [data], { maxBytes: data.length });
        assert.ok((await store.read(digest, { maxBytes: data.length }))?.equals(data));
      } finally {
        await store.close();
      }
    } finally {
      await secure.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('time-outs name the endpoint; an upload whose signal fires during its commit stops, leaves no object and aborts its multipart upload', async () => {
  const impatient = await openS3BlobStore(optionsFor({ timeoutMs: 150, retries: 0 }));
  try {
    const data = randomBytes(100);
    const { digest } = await storeStream(impatient, [data], { maxBytes: 100 });
    s3.failNext({ match: objectRequest('HEAD'), fail: 'stall' });
    await failsWith(impatient.stat(digest), new RegExp(`^S3 HEAD of .* failed: no response headers within 150 ms from ${s3.endpoint.replace(/\./g, '\\.')}$`));
  } finally {
    await impatient.close();
  }

  const store = await openS3BlobStore(optionsFor({ partSize: 5 * 1024 * 1024 }));
  try {
    const data = randomBytes(11 * 1024 * 1024);
    const stalled = new Promise<void>((resolve) => {
      s3.failNext({
        match: (r) => {
          const hit = r.query.get('partNumber') === '2';
          if (hit) setImmediate(resolve);
          return hit;
        },
        fail: 'stall',
      });
    });
    const controller = new AbortController();
    const upload = await store.begin({ maxBytes: data.length, signal: controller.signal });
    await upload.write(data);
    const committing = upload.commit();
    await stalled;
    controller.abort();
    await assert.rejects(committing, { name: 'AbortError' });
    await upload.abort();
    assert.equal(await store.stat(sha256Of(data)), null);
    assert.deepEqual(await s3.openMultipartUploads(), []);
  } finally {
    await store.close();
  }
});
