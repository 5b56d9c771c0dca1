/**
 * The signature look-up's failures: an upstream that fails leaves an image's signatures
 * unverifiable (nothing proven, looked up again next time); a fault of Airlock's own fails the
 * judgement instead of passing as "no proof".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import { EMPTY_TRUSTED_ROOT } from '../../verify/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import type { ImageCatalog, ResolvedManifest } from './catalog.ts';
import { parseManifest } from './manifest.ts';
import { SignatureFinder, UpstreamReferrers } from './signatures.ts';

const D = `sha256:${'c'.repeat(64)}`;
const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D, size: 2 }, layers: [] }));
const image: ResolvedManifest = { name: 'acme/app', digest: D, bytes, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifest: parseManifest(bytes, null, 'it'), stale: false };

/** A finder whose every upstream look-up (the .sig tag, the referrers) fails with `err`, and how often it was asked. */
function finder(err: Error): { readonly f: SignatureFinder; readonly asked: () => number } {
  let asked = 0;
  const fail = async (): Promise<never> => {
    asked++;
    throw err;
  };
  const catalog = { optional: fail } as unknown as ImageCatalog;
  const f = new SignatureFinder({
    referrers: new UpstreamReferrers({ fetchDocument: fail } as unknown as Upstream, catalog),
    catalog,
    blobs: { read: fail },
    trust: () => ({ sigstoreRoot: EMPTY_TRUSTED_ROOT, keys: [] }),
    generation: () => 'g1',
    clock: () => new Date(),
  });
  return { f, asked: () => asked };
}

test('an upstream that fails while signatures are looked up leaves them unverifiable, and they are looked up again', async () => {
  const { f, asked } = finder(new AirlockError('UPSTREAM_UNAVAILABLE', 'upstream x answered 503'));
  const first = await f.check(image);
  assert.equal(first.status, 'unverifiable');
  assert.match(first.error ?? '', /could not be read from the upstream: upstream x answered 503/);
  const before = asked();
  assert.ok(before > 0);
  assert.equal((await f.check(image)).status, 'unverifiable');
  assert.ok(asked() > before, 'not kept: the next judgement asks again');
});

test("a fault of Airlock's own while signatures are looked up fails the judgement", async () => {
  await assert.rejects(finder(new AirlockError('STORAGE_ERROR', 'the disk is full')).f.check(image), (e: unknown) => isAirlockError(e, 'STORAGE_ERROR'));
  await assert.rejects(finder(new TypeError('a bug')).f.check(image), TypeError);
});
