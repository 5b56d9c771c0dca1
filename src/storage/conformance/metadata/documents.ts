import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePurl, sha256Of } from '../../../core/index.ts';
import type { Sha256Digest } from '../../../core/index.ts';
import type { ArtifactKey, ArtifactRecord, NewArtifactRecord } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { artifactRec, at, collect, DAY, documentRec, purl, quarantineRec, storedArtifact, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

export function documentCacheCases(make: MakeMetadataFixture): void {
  test('documents: absent is null; put then get round-trips every field', using(make, async (store) => {
    assert.equal(await store.getDocument('npm', 'packument:@acme/widget'), null);
    const doc = documentRec();
    await store.putDocument(doc);
    assert.deepEqual(await store.getDocument('npm', 'packument:@acme/widget'), doc);
    const bare = documentRec({ key: 'packument:bare', etag: null, lastModified: null });
    await store.putDocument(bare);
    assert.deepEqual(await store.getDocument('npm', 'packument:bare'), bare);
  }));

  test('documents: put replaces; repos are separate namespaces', using(make, async (store) => {
    await store.putDocument(documentRec());
    const newer = documentRec({ blob: sha256Of('v2'), size: 99, etag: '"v2"', fetchedAt: at(60_000) });
    await store.putDocument(newer);
    await store.putDocument(documentRec({ repo: 'npm-internal', blob: sha256Of('other') }));
    assert.deepEqual(await store.getDocument('npm', newer.key), newer);
    assert.equal((await store.getDocument('npm-internal', newer.key))?.blob, sha256Of('other'));
  }));

  test('documents: touch moves fetchedAt only; touching an absent document does nothing', using(make, async (store) => {
    const doc = documentRec();
    await store.putDocument(doc);
    await store.touchDocument('npm', doc.key, at(3_600_000));
    assert.deepEqual(await store.getDocument('npm', doc.key), { ...doc, fetchedAt: at(3_600_000) });
    await store.touchDocument('npm', 'packument:absent', at(1));
    assert.equal(await store.getDocument('npm', 'packument:absent'), null);
  }));

  test('documents: delete drops one repository\'s document, and nothing else; deleting an absent one does nothing', using(make, async (store) => {
    const doc = documentRec();
    await store.putDocument(doc);
    await store.putDocument(documentRec({ repo: 'npm-internal' }));
    await store.deleteDocument('npm', doc.key);
    assert.equal(await store.getDocument('npm', doc.key), null);
    assert.deepEqual(await collect(store.documentBlobs()), [doc.blob], 'the other repository still refers to its blob');
    assert.notEqual(await store.getDocument('npm-internal', doc.key), null);
    await store.deleteDocument('npm', 'packument:absent');
  }));

  test('documents: documentBlobs yields each referenced blob once, across many pages', using(make, async (store) => {
    assert.deepEqual(await collect(store.documentBlobs()), [], 'an empty store references none');
    const expected = new Set<Sha256Digest>();
    for (let i = 0; i < 1203; i++) {
      const blob = sha256Of(`doc-${i % 1100}`);
      expected.add(blob);
      await store.putDocument(documentRec({ key: `packument:p${i}`, blob }));
    }
    const blobs = await collect(store.documentBlobs());
    assert.equal(blobs.length, expected.size);
    assert.deepEqual(new Set(blobs), expected);
  }));

  test('documents: malformed input is refused', using(make, async (store) => {
    await rejectsWithCode(store.putDocument(documentRec({ blob: 'sha256:nope' as Sha256Digest })), 'INVALID_DIGEST');
    await rejectsWithCode(store.putDocument(documentRec({ size: -1 })), 'BAD_REQUEST');
    await rejectsWithCode(store.putDocument(documentRec({ fetchedAt: new Date(Number.NaN) })), 'BAD_REQUEST');
  }));
}

export function artifactIndexCases(make: MakeMetadataFixture): void {
  test('artifacts: artifactBlobs yields the blob of every record, across many pages and repositories, and follows replacement', using(make, async (store) => {
    const blobsOf = async (): Promise<Sha256Digest[]> => (await collect(store.artifactBlobs())).map((a) => a.blob);
    assert.deepEqual(await blobsOf(), [], 'an empty store references none');
    const expected: Sha256Digest[] = [];
    for (let i = 0; i < 1203; i++) {
      const blob = sha256Of(`tarball-${i % 1100}`);
      expected.push(blob);
      const version = `1.0.${i}`;
      await store.putArtifact(artifactRec({ repo: i % 3 === 0 ? 'npm-b' : 'npm', purl: purl('@acme/widget', version), version, filename: `widget-${version}.tgz`, blob }));
    }
    const all = await collect(store.artifactBlobs());
    assert.ok(all.every((a) => a.retained), 'without usedSince, every record is retained');
    assert.deepEqual(all.map((a) => a.blob).sort(), [...expected].sort(), 'once per record');
    const replaced = sha256Of('tarball-replaced');
    await store.putArtifact(artifactRec({ repo: 'npm', purl: purl('@acme/widget', '1.0.500'), version: '1.0.500', filename: 'widget-1.0.500.tgz', blob: replaced }));
    const after = await blobsOf();
    assert.equal(after.length, 1203);
    assert.ok(after.includes(replaced));
    assert.ok(!after.includes(sha256Of('tarball-500')), 'the replaced blob is no longer referenced');
  }));

  test('artifacts: every record of a package, by version, repository and file; names match exactly', using(make, async (store) => {
    assert.deepEqual(await store.artifactsOf('npm', '@acme/widget'), []);
    const recs = [
      artifactRec({ repo: 'npm', purl: purl('@acme/widget', '2.0.0'), version: '2.0.0', filename: 'widget-2.0.0.tgz', blob: sha256Of('w2') }),
      artifactRec({ repo: 'all', purl: purl('@acme/widget', '1.0.0'), version: '1.0.0', filename: 'widget-1.0.0.tgz', blob: sha256Of('w1') }),
      artifactRec({ repo: 'npm', purl: purl('@acme/widget', '1.0.0'), version: '1.0.0', filename: 'widget-1.0.0.tgz', blob: sha256Of('w1') }),
      artifactRec({ repo: 'npm', purl: purl('@acme/other', '1.0.0'), name: '@acme/other', version: '1.0.0', filename: 'other-1.0.0.tgz', blob: sha256Of('o1') }),
    ];
    for (const r of recs) await store.putArtifact(r);
    const got = await store.artifactsOf('npm', '@acme/widget');
    assert.deepEqual(got.map((a) => [a.version, a.repo]), [['1.0.0', 'all'], ['1.0.0', 'npm'], ['2.0.0', 'npm']]);
    assert.deepEqual(got[2], storedArtifact(recs[0] as (typeof recs)[0]));
    assert.deepEqual(await store.artifactsOf('npm', '@ACME/widget'), []);
    assert.deepEqual(await store.artifactsOf('pypi', '@acme/widget'), []);
  }));

  test('artifacts: absent is null; put then get round-trips; put replaces', using(make, async (store) => {
    const rec = artifactRec();
    assert.equal(await store.getArtifact('npm', rec.purl, rec.filename), null);
    assert.deepEqual(await store.putArtifact(rec), storedArtifact(rec));
    assert.deepEqual(await store.getArtifact('npm', rec.purl, rec.filename), storedArtifact(rec));
    const refetched = artifactRec({ blob: sha256Of('rebuilt'), size: 10, storedAt: at(5) });
    assert.deepEqual(await store.putArtifact(refetched), storedArtifact(refetched));
    assert.deepEqual(await store.getArtifact('npm', rec.purl, rec.filename), storedArtifact(refetched));
  }));

  test('artifacts: other bytes put for the same file keep the first stored digest, through every later replacement', using(make, async (store) => {
    const first = artifactRec();
    await store.putArtifact(first);
    const other = artifactRec({ blob: sha256Of('other bytes'), sha512: 'ef'.repeat(64), sha1: '01'.repeat(20), storedAt: at(5) });
    assert.deepEqual(await store.putArtifact(other), storedArtifact(other, first.sha512));
    const third = artifactRec({ blob: sha256Of('third bytes'), sha512: '23'.repeat(64), storedAt: at(9) });
    assert.deepEqual(await store.putArtifact(third), storedArtifact(third, first.sha512));
    assert.deepEqual(await store.getArtifact('npm', first.purl, first.filename), storedArtifact(third, first.sha512));
    // Back to the first bytes: nothing differs from what was first stored.
    assert.equal((await store.putArtifact(first)).firstSha512, (await store.getArtifact('npm', first.purl, first.filename))?.sha512);
    // Another file of the same version, or the same file elsewhere, has its own first digest.
    const elsewhere = artifactRec({ repo: 'npm-2', sha512: '45'.repeat(64) });
    assert.equal((await store.putArtifact(elsewhere)).firstSha512, elsewhere.sha512);
  }));

  test('artifacts: a record without sha512 and sha1 (verified by its sha256 alone) round-trips; its first digest stays null through every later put', using(make, async (store) => {
    const file = { repo: 'huggingface', purl: makePurl('huggingface', 'acme/tiny', 'a1'.repeat(20)), ecosystem: 'huggingface', name: 'acme/tiny', version: 'a1'.repeat(20), filename: 'model.safetensors' } as const;
    const bare = artifactRec({ ...file, blob: sha256Of('weights'), sha512: null, sha1: null });
    assert.deepEqual(await store.putArtifact(bare), storedArtifact(bare, null));
    assert.deepEqual(await store.getArtifact('huggingface', bare.purl, bare.filename), storedArtifact(bare, null));
    const rebuilt = artifactRec({ ...file, blob: sha256Of('other weights'), sha512: null, sha1: null, storedAt: at(5) });
    assert.deepEqual(await store.putArtifact(rebuilt), storedArtifact(rebuilt, null));
    // A later put with digests has them, but they are not the first bytes': the first digest stays unknown.
    const hashed = artifactRec({ ...file, blob: sha256Of('third weights'), sha512: 'ef'.repeat(64), sha1: '01'.repeat(20), storedAt: at(9) });
    assert.deepEqual(await store.putArtifact(hashed), storedArtifact(hashed, null));
    assert.deepEqual(await store.getArtifact('huggingface', bare.purl, bare.filename), storedArtifact(hashed, null));
    // And one without again records none: the digests are those of the bytes stored now.
    const again = artifactRec({ ...file, blob: sha256Of('fourth weights'), sha512: null, sha1: null, storedAt: at(12) });
    assert.deepEqual(await store.putArtifact(again), storedArtifact(again, null));
    // A record first stored with a sha512 keeps it as its first through a put without one.
    const first = artifactRec();
    await store.putArtifact(first);
    const unhashed = artifactRec({ blob: sha256Of('unhashed bytes'), sha512: null, sha1: null, storedAt: at(5) });
    assert.deepEqual(await store.putArtifact(unhashed), storedArtifact(unhashed, first.sha512));
    assert.deepEqual(await store.getArtifact('npm', first.purl, first.filename), storedArtifact(unhashed, first.sha512));
    // Each digest is optional on its own.
    const sha1Only = artifactRec({ repo: 'npm-2', sha512: null });
    assert.deepEqual(await store.putArtifact(sha1Only), storedArtifact(sha1Only, null));
    const sha512Only = artifactRec({ repo: 'npm-3', sha1: null });
    assert.deepEqual(await store.putArtifact(sha512Only), storedArtifact(sha512Only));
  }));

  test('artifacts: markBlobsUsed moves every record of a blob forward, never back; a later put keeps the later use', using(make, async (store) => {
    const shared = sha256Of('shared bytes');
    const a = artifactRec({ blob: shared, storedAt: at(10) });
    const b = artifactRec({ repo: 'npm-2', blob: shared, storedAt: at(20) });
    const c = artifactRec({ purl: purl('@acme/widget', '2.0.0'), version: '2.0.0', filename: 'widget-2.0.0.tgz', blob: sha256Of('c'), storedAt: at(10) });
    for (const r of [a, b, c]) await store.putArtifact(r);
    await store.markBlobsUsed([shared, shared, sha256Of('no record names it')], at(15));
    assert.deepEqual(await store.getArtifact('npm', a.purl, a.filename), storedArtifact(a, a.sha512, at(15)));
    assert.deepEqual(await store.getArtifact('npm-2', b.purl, b.filename), storedArtifact(b, b.sha512, at(20)), 'used later already: kept');
    assert.deepEqual(await store.getArtifact('npm', c.purl, c.filename), storedArtifact(c), 'another blob: untouched');
    await store.markBlobsUsed([], at(99));
    await store.markBlobsUsed([shared], at(30));
    // Stored again (fetched afresh) at an earlier time than its last use: the use stays.
    assert.deepEqual(await store.putArtifact(artifactRec({ blob: shared, storedAt: at(25) })), storedArtifact(artifactRec({ blob: shared, storedAt: at(25) }), a.sha512, at(30)));
    await rejectsWithCode(store.markBlobsUsed(['sha256:nope' as Sha256Digest], at(40)), 'INVALID_DIGEST');
    await rejectsWithCode(store.markBlobsUsed([shared], new Date(Number.NaN)), 'BAD_REQUEST');
  }));

  test('artifacts: artifactBlobs with usedSince retains records used since, and those of versions under quarantine', using(make, async (store) => {
    const old = artifactRec({ purl: purl('@acme/widget', '1.0.0'), version: '1.0.0', filename: 'widget-1.0.0.tgz', blob: sha256Of('old'), storedAt: at(0) });
    const recent = artifactRec({ purl: purl('@acme/widget', '1.0.1'), version: '1.0.1', filename: 'widget-1.0.1.tgz', blob: sha256Of('recent'), storedAt: at(50) });
    const downloaded = artifactRec({ purl: purl('@acme/widget', '1.0.2'), version: '1.0.2', filename: 'widget-1.0.2.tgz', blob: sha256Of('downloaded'), storedAt: at(0) });
    const held = artifactRec({ purl: purl('evil-pkg', '6.6.6'), name: 'evil-pkg', version: '6.6.6', filename: 'evil-pkg-6.6.6.tgz', blob: sha256Of('held'), storedAt: at(0) });
    const released = artifactRec({ purl: purl('fine-pkg', '1.0.0'), name: 'fine-pkg', version: '1.0.0', filename: 'fine-pkg-1.0.0.tgz', blob: sha256Of('released'), storedAt: at(0) });
    const elsewhere = artifactRec({ repo: 'npm-2', purl: held.purl, name: 'evil-pkg', version: '6.6.6', filename: held.filename, blob: sha256Of('held elsewhere'), storedAt: at(0) });
    for (const r of [old, recent, downloaded, held, released, elsewhere]) await store.putArtifact(r);
    await store.markBlobsUsed([downloaded.blob], at(60));
    await store.openQuarantine(quarantineRec({ purl: held.purl }));
    const q = await store.openQuarantine(quarantineRec({ createdAt: at(1), purl: released.purl, name: 'fine-pkg', version: '1.0.0' }));
    await store.transitionQuarantine(q.id, { to: 'released', actor: 'alice', reason: 'reviewed', at: at(1), expiresAt: null });
    const retained = async (usedSince?: Date): Promise<Sha256Digest[]> => {
      const all = await collect(store.artifactBlobs(usedSince === undefined ? {} : { usedSince }));
      assert.equal(all.length, 6, 'every record comes, retained or not');
      return all.filter((a) => a.retained).map((a) => a.blob).sort();
    };
    assert.deepEqual(await retained(at(40)), [recent.blob, downloaded.blob, held.blob].sort());
    assert.deepEqual(await retained(at(50)), [recent.blob, downloaded.blob, held.blob].sort(), 'used exactly then counts');
    assert.deepEqual(await retained(at(61)), [held.blob], 'only the held one');
    assert.equal((await retained(at(0))).length, 6);
    assert.equal((await retained()).length, 6, 'without usedSince: every record');
  }));

  test('artifacts: artifactBlobs with usedSince pages through many records', using(make, async (store) => {
    const expected: Sha256Digest[] = [];
    for (let i = 0; i < 1205; i++) {
      const version = `1.0.${i}`;
      const blob = sha256Of(`paged-${i}`);
      await store.putArtifact(artifactRec({ purl: purl('@acme/widget', version), version, filename: `widget-${version}.tgz`, blob, storedAt: at(i % 2 === 0 ? 100 : 1) }));
      if (i % 2 === 0) expected.push(blob);
    }
    const all = await collect(store.artifactBlobs({ usedSince: at(50) }));
    assert.equal(all.length, 1205);
    assert.deepEqual(all.filter((a) => a.retained).map((a) => a.blob).sort(), expected.sort());
  }));

  test('artifacts: keyed by repo, purl and file name', using(make, async (store) => {
    const a = artifactRec();
    const b = artifactRec({ filename: 'widget-1.2.3-other.tgz', blob: sha256Of('b') });
    const c = artifactRec({ repo: 'npm-2', blob: sha256Of('c') });
    const d = artifactRec({ purl: purl('@acme/widget', '1.2.4'), version: '1.2.4', blob: sha256Of('d') });
    for (const r of [a, b, c, d]) await store.putArtifact(r);
    assert.deepEqual(await store.getArtifact('npm', a.purl, a.filename), storedArtifact(a));
    assert.deepEqual(await store.getArtifact('npm', b.purl, b.filename), storedArtifact(b));
    assert.deepEqual(await store.getArtifact('npm-2', c.purl, c.filename), storedArtifact(c));
    assert.deepEqual(await store.getArtifact('npm', d.purl, d.filename), storedArtifact(d));
    assert.equal(await store.getArtifact('npm-3', a.purl, a.filename), null);
  }));

  test('artifacts: listArtifacts pages through every record in ecosystem, name, version, file and repository order', using(make, async (store) => {
    const recs = [
      artifactRec({ repo: 'npm-b', purl: purl('zeta', '1.0.0'), name: 'zeta', version: '1.0.0', filename: 'zeta-1.0.0.tgz', blob: sha256Of('z1') }),
      artifactRec({ repo: 'npm-a', purl: purl('zeta', '1.0.0'), name: 'zeta', version: '1.0.0', filename: 'zeta-1.0.0.tgz', blob: sha256Of('z1') }),
      artifactRec({ repo: 'npm-a', purl: purl('Zeta', '2.0.0'), name: 'Zeta', version: '2.0.0', filename: 'Zeta-2.0.0.tgz', blob: sha256Of('Z2') }),
      artifactRec({ repo: 'npm-a', purl: purl('@acme/widget', '1.2.3'), filename: 'widget-1.2.3.tgz', blob: sha256Of('w'), storedAt: at(-DAY) }),
      artifactRec({ repo: 'pypi', ecosystem: 'pypi', purl: makePurl('pypi', 'demo', '1.0'), name: 'demo', version: '1.0', filename: 'demo-1.0.tar.gz', blob: sha256Of('d1') }),
      artifactRec({ repo: 'pypi', ecosystem: 'pypi', purl: makePurl('pypi', 'demo', '1.0'), name: 'demo', version: '1.0', filename: 'demo-1.0-py3-none-any.whl', blob: sha256Of('d2') }),
    ];
    for (const r of recs) await store.putArtifact(r);
    const key = (r: { repo: string; name: string; version: string; filename: string }): string => `${r.name}@${r.version}/${r.filename}@${r.repo}`;
    // Code-point order: '@' < 'Z' < 'z'; npm before pypi; a wheel's name before its sdist's ('-p' < '.t').
    const expected = ['@acme/widget@1.2.3/widget-1.2.3.tgz@npm-a', 'Zeta@2.0.0/Zeta-2.0.0.tgz@npm-a', 'zeta@1.0.0/zeta-1.0.0.tgz@npm-a', 'zeta@1.0.0/zeta-1.0.0.tgz@npm-b', 'demo@1.0/demo-1.0-py3-none-any.whl@pypi', 'demo@1.0/demo-1.0.tar.gz@pypi'];
    const paged: string[] = [];
    let after: ArtifactKey | null = null;
    for (;;) {
      const page: readonly ArtifactRecord[] = await store.listArtifacts({ after, limit: 4 });
      paged.push(...page.map(key));
      const last = page[page.length - 1];
      if (page.length < 4 || last === undefined) break;
      after = last;
    }
    assert.deepEqual(paged, expected);
    const first = (await store.listArtifacts({ limit: 1 }))[0];
    assert.deepEqual(first, storedArtifact(recs[3] as NewArtifactRecord), 'whole records');
    assert.deepEqual((await store.listArtifacts({ limit: 100, repo: 'npm-b' })).map(key), ['zeta@1.0.0/zeta-1.0.0.tgz@npm-b']);
    assert.deepEqual((await store.listArtifacts({ limit: 100, usedSince: at(0) })).length, 5, 'the record stored a day before is left out');
    await store.markBlobsUsed([sha256Of('w')], at(10));
    assert.equal((await store.listArtifacts({ limit: 100, usedSince: at(0) })).length, 6, 'downloaded since');
    await rejectsWithCode(store.listArtifacts({ limit: 0 }), 'BAD_REQUEST');
    await rejectsWithCode(store.listArtifacts({ limit: 10, after: { ...recs[0] as NewArtifactRecord, name: '' } }), 'BAD_REQUEST');
  }));
}
