/**
 * The blob upload protocol of a hosted oci repository at its edges, over HTTP: chunked PATCHes
 * with `Content-Range` (416 out of order, the status readable with GET), a whole blob in one POST,
 * a digest that does not match (DIGEST_INVALID, nothing stored), an unknown or cancelled upload
 * (BLOB_UPLOAD_UNKNOWN), and the size limit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { HOSTED, hostedOci, type HostedOci } from './hosted-support.ts';

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function codeOf(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { errors: { code: string }[] }).errors[0]?.code;
}

describe('blob uploads to a hosted oci repository', () => {
  let h: HostedOci;
  const base = `/v2/${HOSTED}/team/blobs/blobs`;
  before(async () => {
    h = await hostedOci({ repo: { maxArtifactSize: '64KiB' } });
  });
  after(async () => {
    await h?.close();
  });

  async function start(): Promise<string> {
    const res = await h.fetch(`${base}/uploads/`, { method: 'POST' });
    assert.equal(res.status, 202);
    assert.match(res.headers.get('docker-upload-uuid') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(res.headers.get('range'), '0-0');
    return res.headers.get('location') ?? '';
  }

  test('chunks in order, a chunk out of order refused with 416 and the range received, then the blob closed and served', async () => {
    const bytes = Buffer.from('first chunk|second chunk|last');
    const location = await start();
    const first = await h.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': '0-11' }, body: bytes.subarray(0, 12) });
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('range'), '0-11');
    const skipped = await h.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': '20-24' }, body: bytes.subarray(20, 25) });
    assert.equal(skipped.status, 416);
    assert.equal(skipped.headers.get('range'), '0-11');
    assert.equal(await codeOf(skipped), 'BLOB_UPLOAD_INVALID');
    const status = await h.fetch(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-11');
    const second = await h.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': '12-24' }, body: bytes.subarray(12, 25) });
    assert.equal(second.status, 202);
    const digest = digestOf(bytes);
    const done = await h.fetch(`${location}?digest=${digest}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes.subarray(25) });
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('docker-content-digest'), digest);
    assert.equal(done.headers.get('location'), `${base}/${digest}`);
    const head = await h.fetch(`${base}/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal((await h.fetch(location)).status, 404, 'the session is over');
  });

  test('a whole blob in one POST ?digest=', async () => {
    const bytes = Buffer.from('a monolithic upload');
    const res = await h.fetch(`${base}/uploads/?digest=${digestOf(bytes)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    assert.equal(res.status, 201);
    assert.equal((await h.fetch(`${base}/${digestOf(bytes)}`, { method: 'HEAD' })).status, 200);
    const files = await readdir(h.airlock.dataDir, { recursive: true });
    assert.ok(files.some((f) => f.includes(digestOf(bytes).slice('sha256:'.length))), 'a stored blob is a file named by its digest');
  });

  test('bytes that do not hash to the digest named: DIGEST_INVALID, and nothing is stored', async () => {
    const bytes = Buffer.from('what was sent');
    const claimed = digestOf(Buffer.from('what was claimed'));
    const location = await start();
    const res = await h.fetch(`${location}?digest=${claimed}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    assert.equal(res.status, 400);
    assert.equal(await codeOf(res), 'DIGEST_INVALID');
    for (const d of [claimed, digestOf(bytes)]) assert.equal((await h.fetch(`${base}/${d}`, { method: 'HEAD' })).status, 404);
    // Nor anywhere in the data directory: no blob file named by either digest.
    const files = await readdir(h.airlock.dataDir, { recursive: true });
    for (const d of [claimed, digestOf(bytes)]) assert.ok(!files.some((f) => f.includes(d.slice('sha256:'.length))), `no file of ${d}`);
    const whole = await h.fetch(`${base}/uploads/?digest=${claimed}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    assert.equal(whole.status, 400);
    assert.equal(await codeOf(whole), 'DIGEST_INVALID');
  });

  test('the whole blob in one PATCH, closed by an empty PUT naming another digest: DIGEST_INVALID, the upload ended', async () => {
    const bytes = Buffer.from('one chunk, the whole blob');
    const claimed = digestOf(Buffer.from('another blob'));
    const location = await start();
    assert.equal((await h.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: bytes })).status, 202);
    const res = await h.fetch(`${location}?digest=${claimed}`, { method: 'PUT' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0]?.code, 'DIGEST_INVALID');
    assert.match(body.errors[0]?.message ?? '', new RegExp(`the ${bytes.length} bytes uploaded do not hash to ${claimed}`));
    assert.equal((await h.fetch(`${base}/${claimed}`, { method: 'HEAD' })).status, 404);
    assert.equal((await h.fetch(location)).status, 404, 'the upload ended');
  });

  test('an unknown upload, and a cancelled one: BLOB_UPLOAD_UNKNOWN', async () => {
    const unknown = await h.fetch(`${base}/uploads/00000000-0000-4000-8000-000000000000`, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
    assert.equal(unknown.status, 404);
    assert.equal(await codeOf(unknown), 'BLOB_UPLOAD_UNKNOWN');
    const location = await start();
    assert.equal((await h.fetch(location, { method: 'DELETE' })).status, 204);
    const after = await h.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
    assert.equal(after.status, 404);
    assert.equal(await codeOf(after), 'BLOB_UPLOAD_UNKNOWN');
  });

  test('a blob larger than maxArtifactSize is refused (SIZE_INVALID) and the upload ends', async () => {
    const location = await start();
    const res = await h.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(65 * 1024, 1) });
    assert.equal(res.status, 413);
    assert.equal(await codeOf(res), 'SIZE_INVALID');
    assert.equal((await h.fetch(location)).status, 404);
  });

  test('the version check challenges anonymous clients with the Docker token protocol, which serves them with or without credentials', async () => {
    const ping = await h.fetch('/v2/', { token: null });
    assert.equal(ping.status, 401);
    const challenge = /^Bearer realm="([^"]+)",service="airlock"$/.exec(ping.headers.get('www-authenticate') ?? '');
    assert.ok(challenge !== null, String(ping.headers.get('www-authenticate')));
    const realm = new URL(challenge[1] as string);
    assert.equal(realm.pathname, '/-/oci/token');
    const tokenOf = async (authorization: string | null) => {
      const res = await fetch(`${realm.href}?service=airlock&scope=repository:hosted/app:pull`, authorization === null ? {} : { headers: { authorization } });
      return { status: res.status, body: (await res.json()) as { token?: string; access_token?: string; expires_in?: number } };
    };
    // Without credentials: the anonymous registry token, which reads where anonymous reads are on.
    const anonymous = await tokenOf(null);
    assert.equal(anonymous.status, 200);
    assert.equal(anonymous.body.token, 'airlock-anonymous');
    assert.equal((await h.fetch('/v2/', { token: null, headers: { authorization: `Bearer ${anonymous.body.token}` } })).status, 200);
    // With a token as the Basic password: the token itself, to present as Bearer.
    const basic = (password: string) => `Basic ${Buffer.from(`ci:${password}`).toString('base64')}`;
    const own = await tokenOf(basic(h.publisher));
    assert.deepEqual([own.status, own.body.token, own.body.access_token, own.body.expires_in], [200, h.publisher, h.publisher, 300]);
    assert.equal((await tokenOf(basic('airlock_not-a-token'))).status, 401, 'a wrong password is refused, not taken as anonymous');
    // The anonymous token writes nothing.
    const push = await h.fetch(`${base}/uploads/`, { method: 'POST', token: null, headers: { authorization: 'Bearer airlock-anonymous' } });
    assert.equal(push.status, 401);
  });

  test('an upload needs a publisher token; a reader is denied', async () => {
    const anonymous = await h.fetch(`${base}/uploads/`, { method: 'POST', token: null });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Airlock"');
    const reader = await h.fetch(`${base}/uploads/`, { method: 'POST', token: h.reader });
    assert.equal(reader.status, 403);
    assert.equal(await codeOf(reader), 'DENIED');
  });
});
