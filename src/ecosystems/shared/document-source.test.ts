import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Of } from '../../core/index.ts';
import type { BlobStore, HostedPackage } from '../../storage/ports/index.ts';
import { tempStores } from '../../../test/support/temp-stores.ts';
import { DocumentSource } from './document-source.ts';
import { HostedStoreOrigin } from './hosted-origin.ts';

test('background writes of one key land in the order they were fetched: a slow older copy never replaces a newer one', async (t) => {
  const { store, blobs: fs } = await tempStores(t, 'document-source');
  // The first document's blob write is held until released, as a slow disk would hold it.
  let release = (): void => undefined;
  let held = new Promise<void>((resolve) => (release = resolve));
  let writes = 0;
  /** `target` with `name` answered by `replacement` (its own methods bound to it: drivers keep private fields). */
  const overriding = <T extends object>(target: T, name: string, replacement: unknown): T =>
    new Proxy(target, {
      get(obj, prop) {
        if (prop === name) return replacement;
        const value: unknown = Reflect.get(obj, prop, obj);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(obj) : value;
      },
    });
  const blobs = overriding<BlobStore>(fs, 'begin', async (options: Parameters<BlobStore['begin']>[0]) => {
    const upload = await fs.begin(options);
    if (++writes !== 1) return upload;
    return overriding(upload, 'commit', async (expect: Parameters<typeof upload.commit>[0]) => {
      await held;
      return upload.commit(expect);
    });
  });
  const origin = new HostedStoreOrigin('internal', store, fs, {
    contentType: 'application/json',
    document: async (url) => ({ kind: 'package', name: url.pathname.slice(1, -1) }),
    file: () => ({ name: 'x', filename: 'x' }),
  });
  const source = new DocumentSource(
    { repo: 'internal', upstream: origin, documents: store, blobs, clock: () => new Date() },
    { freshness: { maxAgeMs: 60_000, staleIfErrorMs: 60_000 }, maxBytes: 1024 * 1024 },
  );
  const pkg = (rev: number): HostedPackage => ({ repo: 'internal', ecosystem: 'pypi', name: 'acme', rev, document: JSON.stringify({ rev }), files: { 'acme-1.0.tar.gz': { blob: sha256Of('acme'), size: 4 } }, updatedAt: new Date(Date.now() + rev) });
  const read = { path: 'acme/', accept: 'application/json', revalidate: true };

  assert.equal(await store.putHostedPackage(pkg(1)), true);
  const older = await source.get('acme', read);
  assert.equal(await store.putHostedPackage(pkg(2)), true);
  const newer = await source.get('acme', read);
  assert.notEqual(older.blob, newer.blob);
  // The newer write is done but for its record, which waits for the older one's.
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await source.flush();
  assert.equal((await store.getDocument('internal', 'acme'))?.blob, newer.blob, 'the record is the newer copy');
  const again = await source.get('acme', { path: 'acme/', accept: 'application/json' });
  assert.equal((await source.bytes(again)).toString(), '{"rev":2}');

  // A, then B, then A's bytes again while the first A is still being written: the record is A.
  writes = 0;
  let releaseAgain = (): void => undefined;
  const heldAgain = new Promise<void>((resolve) => (releaseAgain = resolve));
  held = heldAgain;
  const same = (rev: number, content: number): HostedPackage => ({ ...pkg(rev), document: JSON.stringify({ content }) });
  assert.equal(await store.putHostedPackage(same(3, 1)), true);
  const a1 = await source.get('acme', read);
  assert.equal(await store.putHostedPackage(same(4, 2)), true);
  const b = await source.get('acme', read);
  assert.equal(await store.putHostedPackage(same(5, 1)), true);
  const a2 = await source.get('acme', read);
  assert.equal(a2.blob, a1.blob);
  assert.notEqual(b.blob, a1.blob);
  releaseAgain();
  await source.flush();
  assert.equal((await store.getDocument('internal', 'acme'))?.blob, a1.blob, 'the record is the newest copy, A, not B');
});
