import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { isAirlockError, sha256Of } from '../../../core/index.ts';
import { openStorage } from '../../../storage/open-storage.ts';
import { parseNpmPath } from '../routes.ts';
import { hostedBase, hostedEtag, HostedOrigin } from './origin.ts';

test('routes: publish, dist-tag and unpublish writes are told apart from the writes nothing takes', () => {
  assert.deepEqual(parseNpmPath('/@acme%2flib', 'PUT'), { kind: 'publish', name: '@acme/lib' });
  assert.deepEqual(parseNpmPath('/@acme/lib', 'PUT'), { kind: 'publish', name: '@acme/lib' });
  assert.deepEqual(parseNpmPath('/left-pad', 'PUT'), { kind: 'publish', name: 'left-pad' });
  assert.deepEqual(parseNpmPath('/left-pad/-rev/3-abc', 'PUT'), { kind: 'unpublish-version', name: 'left-pad', rev: '3-abc' });
  assert.deepEqual(parseNpmPath('/@acme%2flib/-rev/3-abc', 'DELETE'), { kind: 'unpublish', name: '@acme/lib', rev: '3-abc' });
  assert.deepEqual(parseNpmPath('/@acme/lib/-/lib-1.0.0.tgz/-rev/4-x1', 'DELETE'), { kind: 'unpublish-file', name: '@acme/lib', filename: 'lib-1.0.0.tgz', rev: '4-x1' });
  for (const rev of ['3', '3-ABC', '3-a/b', `3-${'a'.repeat(17)}`, '-abc']) {
    assert.throws(() => parseNpmPath(`/left-pad/-rev/${encodeURIComponent(rev)}`, 'DELETE'), (err: unknown) => isAirlockError(err, 'BAD_REQUEST') && /invalid revision/.test(err.message), rev);
  }
  assert.deepEqual(parseNpmPath('/left-pad', 'DELETE'), { kind: 'unsupported', what: 'changing published versions' });
  assert.deepEqual(parseNpmPath('/left-pad/1.0.0', 'PUT'), { kind: 'unsupported', what: 'changing published versions' });
  assert.deepEqual(parseNpmPath('/-/package/@acme%2flib/dist-tags/beta', 'PUT'), { kind: 'dist-tag-set', name: '@acme/lib', tag: 'beta' });
  assert.deepEqual(parseNpmPath('/-/package/left-pad/dist-tags/next', 'DELETE'), { kind: 'dist-tag-remove', name: 'left-pad', tag: 'next' });
  assert.deepEqual(parseNpmPath('/-/package/left-pad/dist-tags', 'GET'), { kind: 'dist-tags', name: 'left-pad' });
  assert.deepEqual(parseNpmPath('/-/package/left-pad/access', 'POST'), { kind: 'unsupported', what: 'changing packages (dist-tags, visibility, access)' });
});

test('the origin answers from the store: documents with revalidation, files by name, nothing else', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-hosted-origin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const storage = await openStorage({ dataDir: dir });
  t.after(() => storage.close());
  const origin = new HostedOrigin('internal', storage.metadata, storage.blobs);
  const tgz = Buffer.from('tarball bytes');
  const upload = await storage.blobs.begin({ maxBytes: tgz.length, digests: 'address' });
  await upload.write(tgz);
  const blob = sha256Of(tgz);
  await upload.commit({ size: tgz.length, sha256: blob.slice('sha256:'.length) });
  const updatedAt = new Date('2026-11-01T00:00:00Z');
  const document = JSON.stringify({ name: '@acme/lib', versions: {} });
  assert.ok(await storage.metadata.putHostedPackage({ repo: 'internal', ecosystem: 'npm', name: '@acme/lib', rev: 1, document, files: { 'lib-1.0.0.tgz': { blob, size: tgz.length } }, updatedAt }));

  const fresh = await origin.fetchDocument('@acme%2flib', { maxBytes: 1 << 20 });
  assert.equal(fresh.kind, 'fresh');
  assert.equal(fresh.kind === 'fresh' ? fresh.body.toString() : '', document);
  const etag = hostedEtag({ rev: 1, updatedAt });
  assert.equal(fresh.etag, etag);
  assert.deepEqual(await origin.fetchDocument('@acme%2flib', { maxBytes: 1 << 20, validators: { etag, lastModified: null } }), { kind: 'not-modified', etag, lastModified: null });
  const tooBig = await origin.fetchDocument('@acme%2flib', { maxBytes: 10 }).catch((e: unknown) => e);
  assert.ok(isAirlockError(tooBig, 'LIMIT_EXCEEDED'));

  const stream = await origin.openStream(new URL('@acme/lib/-/lib-1.0.0.tgz', hostedBase('internal')), { maxBytes: 1 << 20 });
  assert.equal(stream.contentLength, tgz.length);
  assert.equal(await text(stream.body), 'tarball bytes');

  const notFound = async (p: Promise<unknown>): Promise<void> => {
    const err = await p.catch((e: unknown) => e);
    assert.ok(isAirlockError(err, 'UPSTREAM_NOT_FOUND'), String(err));
  };
  await notFound(origin.fetchDocument('left-pad', { maxBytes: 1 << 20 }));
  await notFound(origin.fetchDocument('-/npm/v1/keys', { maxBytes: 1 << 20 }));
  await notFound(origin.openStream('@acme/lib/-/lib-9.9.9.tgz', { maxBytes: 1 << 20 }));
  await notFound(origin.openStream('@acme/lib/-/__proto__', { maxBytes: 1 << 20 }));
  await notFound(origin.openStream('%E0%A4%A', { maxBytes: 1 << 20 }));
  await notFound(origin.forward('-/npm/v1/security/advisories/bulk'));
  // Only its own base: a packument naming a file anywhere else is refused, not followed.
  assert.throws(() => origin.resolve(new URL('http://registry.example/@acme/lib/-/lib-1.0.0.tgz')), (e: unknown) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE'));
  assert.ok(!origin.owns(hostedBase('other')));

  // The only copy of a published file gone is Airlock's fault, not a missing package.
  await storage.blobs.delete(blob);
  const gone = await origin.openStream('@acme/lib/-/lib-1.0.0.tgz', { maxBytes: 1 << 20 }).catch((e: unknown) => e);
  assert.ok(isAirlockError(gone, 'STORAGE_ERROR'));
});
