/**
 * Tags and referrer annotations of a hosted oci repository, over the real stores (SQLite and the
 * filesystem blob store): a tag is any name OCI's grammar allows, `__proto__` and `constructor`
 * too, and is kept, listed, resolved and deleted as pushed — never a member every object has.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { isAirlockError, sha256Of } from '../../../core/index.ts';
import type { SqliteMetadataStore } from '../../../storage/sqlite/index.ts';
import { tempStores } from '../../../../test/support/temp-stores.ts';
import { MEDIA } from '../manifest.ts';
import { HostedImages } from './hosted-images.ts';

const WHO = { actor: 'token:ci' };

async function hosted(t: TestContext): Promise<{ readonly images: HostedImages; readonly store: SqliteMetadataStore }> {
  const { store, blobs } = await tempStores(t, 'hosted-images');
  const images = new HostedImages({ repo: 'hosted', store, blobs, clock: () => new Date('2026-02-01T00:00:00Z') }, { maxDocumentBytes: 1024 * 1024, cacheBytes: 1024 * 1024, uploadGraceMs: 86_400_000 });
  return { images, store };
}

/** An image index: it names no blobs, so it can be pushed alone. */
const index = (extra: object = {}): Buffer => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [], ...extra }));

test('a tag named __proto__ is kept, listed and pulled like any other; one named constructor is not there until pushed', async (t) => {
  const { images, store } = await hosted(t);
  const bytes = index();
  const { digest } = await images.putManifest('team/app', { kind: 'tag', tag: '__proto__' }, bytes, MEDIA.ociIndex, WHO);
  assert.equal(digest, sha256Of(bytes));
  assert.deepEqual(await images.tags('team/app'), ['__proto__']);
  assert.equal((await images.optional('team/app', { kind: 'tag', tag: '__proto__' }))?.digest, digest);
  assert.equal(await images.optional('team/app', { kind: 'tag', tag: 'constructor' }), null);
  const before = (await store.listAudit({ limit: 100 })).length;
  await assert.rejects(images.deleteTag('team/app', 'constructor', WHO), (err) => isAirlockError(err, 'NOT_FOUND') && err.details['ociCode'] === 'MANIFEST_UNKNOWN');
  assert.equal((await store.listAudit({ limit: 100 })).length, before, 'nothing untagged is audited');
  await images.deleteTag('team/app', '__proto__', WHO);
  assert.deepEqual(await images.tags('team/app'), []);
});

test("a referrer's annotation named __proto__ is in its descriptor like any other", async (t) => {
  const { images } = await hosted(t);
  const { digest: subject } = await images.putManifest('team/app', { kind: 'tag', tag: 'v1' }, index(), MEDIA.ociIndex, WHO);
  const referrer = index({ subject: { mediaType: MEDIA.ociIndex, digest: subject, size: index().length }, annotations: JSON.parse('{"__proto__": "x", "org.example.kind": "sbom"}') });
  await images.putManifest('team/app', { kind: 'digest', digest: sha256Of(referrer) }, referrer, MEDIA.ociIndex, WHO);
  const [descriptor] = await images.referrers('team/app', subject);
  assert.deepEqual(Object.entries(descriptor?.annotations ?? {}), [['__proto__', 'x'], ['org.example.kind', 'sbom']]);
});
