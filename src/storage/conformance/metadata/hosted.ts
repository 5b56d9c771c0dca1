import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Of } from '../../../core/index.ts';
import type { Ecosystem, Sha256Digest } from '../../../core/index.ts';
import { verifyAuditChain } from '../../ports/index.ts';
import type { AuditEventInput, HostedFile, HostedPackage, MetadataStore } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, collect, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

/** A packument-like document with text from outside the Basic Multilingual Plane, combining marks and escapes. */
function documentFor(name: string, versions: readonly string[]): string {
  return JSON.stringify({
    name,
    description: 'Ünïcödé 🚀 日本語 e\u0301 — "quoted" \\ back\tslash',
    versions: Object.fromEntries(versions.map((v) => [v, { name, version: v, dist: { tarball: `${name}-${v}.tgz` } }])),
  });
}

function file(text: string): HostedFile {
  return { blob: sha256Of(text), size: Buffer.byteLength(text) };
}

function hostedPkg(over: Partial<HostedPackage> = {}): HostedPackage {
  return {
    repo: 'npm-hosted',
    ecosystem: 'npm',
    name: '@acme/widget',
    rev: 1,
    document: documentFor('@acme/widget', ['1.0.0', '1.1.0']),
    files: { 'widget-1.0.0.tgz': file('widget 1.0.0'), 'widget-1.1.0.tgz': file('widget 1.1.0') },
    updatedAt: at(0),
    ...over,
  };
}

/** The package as a write of the next revision, published later. */
function next(pkg: HostedPackage, over: Partial<HostedPackage> = {}): HostedPackage {
  return { ...pkg, rev: pkg.rev + 1, updatedAt: new Date(pkg.updatedAt.getTime() + 60_000), ...over };
}

function audit(action: string, subject: string, details: AuditEventInput['details'] = {}): AuditEventInput {
  return { at: at(1000), actor: 'tok_publisher', action, subject, details };
}

async function events(store: MetadataStore): Promise<Array<[string, string]>> {
  const all = await store.listAudit({ limit: 1000 });
  assert.equal(verifyAuditChain(all).ok, true, 'the chain verifies');
  return all.map((e) => [e.action, e.subject]);
}

export function hostedPackageCases(make: MakeMetadataFixture): void {
  test('hosted: absent is null; rev 1 creates, rev 2 updates, each read back exactly; repositories are separate', using(make, async (store, fixture) => {
    assert.equal(await store.getHostedPackage('npm-hosted', '@acme/widget'), null);
    const first = hostedPkg();
    assert.equal(await store.putHostedPackage(first), true);
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), first);
    assert.equal(await store.getHostedPackage('npm-other', '@acme/widget'), null, 'another repository has nothing under the name');
    assert.equal(await store.getHostedPackage('npm-hosted', '@acme/other'), null);

    const second = next(first, {
      document: documentFor('@acme/widget', ['1.0.0', '1.1.0', '2.0.0-β.1']),
      files: { ...first.files, 'widget-2.0.0-β.1.tgz': file('widget 2.0.0-β.1') },
    });
    assert.equal(await store.putHostedPackage(second), true);
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), second);

    const elsewhere = hostedPkg({ repo: 'npm-other', document: documentFor('@acme/widget', ['9.0.0']), files: {} });
    assert.equal(await store.putHostedPackage(elsewhere), true, 'rev 1 in another repository');
    assert.deepEqual(await store.getHostedPackage('npm-other', '@acme/widget'), elsewhere);
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), second, 'untouched');

    await store.close();
    const again = await fixture.openPeer();
    assert.deepEqual(await again.getHostedPackage('npm-hosted', '@acme/widget'), second, 'kept across a restart');
  }));

  test('hosted: the document and files round-trip exactly, hostile file names included', using(make, async (store) => {
    const files: Record<string, HostedFile> = Object.fromEntries([
      ['a.tgz', file('a')],
      ['b.tgz', { blob: sha256Of('b'), size: 0 }],
      ['0', file('numeric-looking name')],
      ['__proto__', file('proto')],
      ['d\u00e9j\u00e0 vu 🚀.tgz', file('unicode name')],
      ['same-bytes.tgz', file('a')],
      ['big.tgz', { blob: sha256Of('big'), size: Number.MAX_SAFE_INTEGER }],
    ]);
    const pkg = hostedPkg({ document: documentFor('@acme/widget', ['1.0.0']) + ' \n', files, updatedAt: new Date(Date.UTC(2026, 2, 1, 12, 0, 0, 123)) });
    assert.equal(await store.putHostedPackage(pkg), true);
    const read = await store.getHostedPackage(pkg.repo, pkg.name);
    assert.deepEqual(read, pkg);
    assert.equal(read?.document, pkg.document, 'the text itself, not a re-encoding of it');
    assert.ok(Object.hasOwn(read?.files ?? {}, '__proto__'), 'a file name is a key, never a prototype');
    assert.equal(Object.getPrototypeOf(read?.files), Object.prototype);
  }));

  test('hosted: a write that does not follow the stored revision returns false and changes nothing', using(make, async (store) => {
    assert.equal(await store.putHostedPackage(hostedPkg({ rev: 2 })), false, 'rev 2 with nothing stored');
    assert.equal(await store.getHostedPackage('npm-hosted', '@acme/widget'), null);

    const first = hostedPkg();
    assert.equal(await store.putHostedPackage(first), true);
    assert.equal(await store.putHostedPackage(hostedPkg({ document: '{"name":"@acme/widget","other":true}' })), false, 'rev 1 when 1 exists');
    assert.equal(await store.putHostedPackage(next(next(first), { files: {} })), false, 'rev 3 when 1 is stored');
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), first);

    const second = next(first, { document: documentFor('@acme/widget', ['1.0.0', '1.1.0', '1.2.0']) });
    const rival = next(first, { document: documentFor('@acme/widget', ['1.0.0', '1.1.0', '1.3.0']), files: {} });
    assert.equal(await store.putHostedPackage(second), true);
    assert.equal(await store.putHostedPackage(rival), false, 'rev 2 written twice: the second loses');
    assert.equal(await store.putHostedPackage(first), false, 'back to rev 1');
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), second);
    assert.deepEqual(await collect(store.hostedBlobs()).then((b) => b.sort()), Object.values(second.files).map((f) => f.blob).sort(), 'the losers named no blob');
  }));

  test('hosted: the audit event is written with the change, never with a refused or failed write', using(make, async (store) => {
    const first = hostedPkg();
    const seen: HostedPackage[] = [];
    const publish = (pkg: HostedPackage) => {
      seen.push(pkg);
      return audit('package.publish', `${pkg.repo}/${pkg.name}`, { rev: pkg.rev });
    };
    assert.equal(await store.putHostedPackage(first, publish), true);
    assert.equal(await store.putHostedPackage(first, publish), false);
    const second = next(first);
    assert.equal(await store.putHostedPackage(second, audit('package.publish', 'second')), true);
    assert.equal(await store.putHostedPackage(second, audit('package.publish', 'second again')), false);
    assert.equal(await store.putHostedPackage(next(second, { rev: 5 }), audit('package.publish', 'fifth')), false);
    assert.deepEqual(seen, [first], 'the event is built from the package as stored, for the write that happened only');
    assert.deepEqual(await events(store), [
      ['package.publish', 'npm-hosted/@acme/widget'],
      ['package.publish', 'second'],
    ]);
    assert.deepEqual((await store.listAudit({ limit: 10 }))[0]?.details, { rev: 1 });

    // An event the store refuses, or one that cannot be built, undoes the write.
    const third = next(second);
    await rejectsWithCode(store.putHostedPackage(third, { ...audit('package.publish', 'x'), actor: '' }), 'BAD_REQUEST');
    await rejectsWithCode(
      store.putHostedPackage(third, () => {
        throw new Error('the event could not be built');
      }),
      'STORAGE_ERROR',
    );
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), second);
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ name: 'fresh' }), { ...audit('package.publish', 'x'), actor: '' }), 'BAD_REQUEST');
    assert.equal(await store.getHostedPackage('npm-hosted', 'fresh'), null);
    assert.deepEqual(await collect(store.hostedBlobs()).then((b) => b.sort()), Object.values(second.files).map((f) => f.blob).sort());
    assert.equal((await events(store)).length, 2);
  }));

  test('hosted: parallel writes of the same next revision, from two store instances: exactly one wins', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const writers = (pkg: (i: number) => HostedPackage) =>
      Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? store : peer).putHostedPackage(pkg(i), audit('package.publish', `writer ${i}`))));
    const candidate = (rev: number) => (i: number) =>
      hostedPkg({ rev, document: documentFor('@acme/widget', [`${rev}.0.${i}`]), files: { [`widget-${rev}.0.${i}.tgz`]: file(`rev ${rev} writer ${i}`) } });

    const created = await writers(candidate(1));
    assert.equal(created.filter((w) => w).length, 1, 'one first write');
    const updated = await writers(candidate(2));
    assert.equal(updated.filter((w) => w).length, 1, 'one second write');

    const winner = updated.indexOf(true);
    assert.deepEqual(await peer.getHostedPackage('npm-hosted', '@acme/widget'), candidate(2)(winner));
    assert.deepEqual(await collect(store.hostedBlobs()), [file(`rev 2 writer ${winner}`).blob]);
    assert.deepEqual(await events(store), [
      ['package.publish', `writer ${created.indexOf(true)}`],
      ['package.publish', `writer ${winner}`],
    ]);
  }));

  test('hosted: hostedNames lists an ecosystem\'s names in every repository, sorted by code point, each once', using(make, async (store) => {
    assert.deepEqual(await store.hostedNames('npm'), []);
    const put = async (repo: string, ecosystem: Ecosystem, name: string): Promise<void> => {
      assert.equal(await store.putHostedPackage(hostedPkg({ repo, ecosystem, name, document: `{"name":${JSON.stringify(name)}}`, files: {} })), true);
    };
    for (const name of ['alphabet', 'alpha-beta', '@acme/widget', 'alpha', 'Zebra']) await put('npm-hosted', 'npm', name);
    for (const name of ['alpha', '@acme/widget', 'ünïcode']) await put('npm-team', 'npm', name);
    await put('pypi-hosted', 'pypi', 'requests');
    await put('pypi-hosted', 'pypi', 'alpha');
    assert.deepEqual(await store.hostedNames('npm'), ['@acme/widget', 'Zebra', 'alpha', 'alpha-beta', 'alphabet', 'ünïcode']);
    assert.deepEqual(await store.hostedNames('pypi'), ['alpha', 'requests']);
    assert.deepEqual(await store.hostedNames('oci'), []);
    await rejectsWithCode(store.hostedNames('maven' as Ecosystem), 'BAD_REQUEST');
  }));

  test('hosted: hostedRepositories lists the repositories holding an ecosystem\'s packages, sorted by code point, each once', using(make, async (store) => {
    assert.deepEqual(await store.hostedRepositories('oci'), []);
    for (const [repo, ecosystem, name] of [['oci-team', 'oci', 'team/app'], ['oci-base', 'oci', 'base/debian'], ['oci-team', 'oci', 'team/web'], ['Oci-upper', 'oci', 'x'], ['npm-hosted', 'npm', 'alpha']] as const) {
      assert.equal(await store.putHostedPackage(hostedPkg({ repo, ecosystem, name, document: '{}', files: {} })), true);
    }
    assert.deepEqual(await store.hostedRepositories('oci'), ['Oci-upper', 'oci-base', 'oci-team']);
    assert.deepEqual(await store.hostedRepositories('npm'), ['npm-hosted']);
    assert.deepEqual(await store.hostedRepositories('pypi'), []);
    await rejectsWithCode(store.hostedRepositories('maven' as Ecosystem), 'BAD_REQUEST');
  }));

  test('hosted: hostedRevisions lists one repository\'s packages with their revisions and whether they list no files, sorted by code point', using(make, async (store) => {
    assert.deepEqual(await store.hostedRevisions('npm-hosted'), []);
    for (const [repo, name] of [['npm-hosted', 'beta'], ['npm-hosted', '@acme/widget'], ['npm-hosted', 'Zebra'], ['npm-team', 'alpha']] as const) {
      assert.equal(await store.putHostedPackage(hostedPkg({ repo, name, document: `{"name":${JSON.stringify(name)}}`, files: {} })), true);
    }
    assert.equal(await store.putHostedPackage(hostedPkg({ repo: 'npm-hosted', name: 'beta', rev: 2, document: '{"name":"beta","v":2}', files: {} })), true);
    const withFile = hostedPkg({ repo: 'npm-hosted', name: 'gamma', files: { 'gamma-1.0.0.tgz': file('gamma 1.0.0') } });
    assert.equal(await store.putHostedPackage(withFile), true);
    assert.deepEqual(await store.hostedRevisions('npm-hosted'), [
      { name: '@acme/widget', rev: 1, empty: true },
      { name: 'Zebra', rev: 1, empty: true },
      { name: 'beta', rev: 2, empty: true },
      { name: 'gamma', rev: 1, empty: false },
    ]);
    // Every file removed: the package stays, empty.
    assert.equal(await store.putHostedPackage(next(withFile, { files: {} })), true);
    assert.deepEqual((await store.hostedRevisions('npm-hosted')).at(-1), { name: 'gamma', rev: 2, empty: true });
    assert.deepEqual(await store.hostedRevisions('npm-team'), [{ name: 'alpha', rev: 1, empty: true }]);
    await rejectsWithCode(store.hostedRevisions(''), 'BAD_REQUEST');
  }));

  test('hosted: hostedBlobs yields each blob of the current files once, across many pages, packages and repositories', using(make, async (store) => {
    assert.deepEqual(await collect(store.hostedBlobs()), [], 'an empty store lists none');
    const filesOf = (from: number, to: number): Record<string, HostedFile> =>
      Object.fromEntries(Array.from({ length: to - from }, (_, i) => [`f-${from + i}.tgz`, file(`blob ${(from + i) % 1100}`)]));
    // 1250 file entries naming 1100 blobs: a lists blobs 0–599, b 500–999, c 1000–1099 and 0–49.
    const a = hostedPkg({ name: 'a', files: filesOf(0, 600) });
    const b = hostedPkg({ name: 'b', repo: 'npm-team', files: filesOf(500, 1000) });
    const c = hostedPkg({ name: 'c', files: filesOf(1000, 1150) });
    for (const pkg of [a, b, c]) assert.equal(await store.putHostedPackage(pkg), true);
    const blob = (i: number): Sha256Digest => sha256Of(`blob ${i}`);
    const listed = await collect(store.hostedBlobs());
    assert.equal(listed.length, 1100, 'each once');
    assert.deepEqual(new Set(listed), new Set(Array.from({ length: 1100 }, (_, i) => blob(i))));

    // A later revision of a drops files 0–99 and adds one: blobs 50–99 go, 0–49 stay (c lists them).
    assert.equal(await store.putHostedPackage(next(a, { files: { ...filesOf(100, 600), 'added.tgz': file('added') } })), true);
    const after = new Set<Sha256Digest>(await collect(store.hostedBlobs()));
    assert.equal(after.size, 1100 - 50 + 1);
    for (let i = 0; i < 100; i++) assert.equal(after.has(blob(i)), i < 50, `blob ${i}`);
    assert.ok(after.has(sha256Of('added')));

    // c drops every file: the blobs only it listed go.
    assert.equal(await store.putHostedPackage(next(c, { files: {} })), true);
    const last = new Set<Sha256Digest>(await collect(store.hostedBlobs()));
    assert.equal(last.size, 1100 - 50 + 1 - 150);
    assert.ok(!last.has(blob(1050)) && !last.has(blob(10)), 'listed by c only');
    assert.ok(last.has(blob(150)) && last.has(blob(700)), 'still listed by a and b');
  }));

  test('hosted: invalid input is refused and nothing is written', using(make, async (store) => {
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ rev: 0 })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ rev: -1 })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ rev: 1.5 })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ rev: Number.NaN })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ files: { 'x.tgz': { blob: 'sha256:nope' as Sha256Digest, size: 1 } } })), 'INVALID_DIGEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ files: { 'x.tgz': { blob: sha256Of('x'), size: -1 } } })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ files: { '': file('x') } })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ repo: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ name: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ ecosystem: 'maven' as Ecosystem })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ updatedAt: new Date(Number.NaN) })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ document: '' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ document: '{"name":"nul\u0000"}' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ document: '{"name":"half a pair \ud83d"}' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(hostedPkg({ document: 'x'.repeat(64 * 1024 * 1024 + 1) })), 'LIMIT_EXCEEDED');
    assert.equal(await store.getHostedPackage('npm-hosted', '@acme/widget'), null);
    assert.deepEqual(await collect(store.hostedBlobs()), []);

    const first = hostedPkg();
    assert.equal(await store.putHostedPackage(first), true);
    await rejectsWithCode(store.putHostedPackage(next(first, { rev: 2.5 })), 'BAD_REQUEST');
    await rejectsWithCode(store.putHostedPackage(next(first, { files: { 'x.tgz': { blob: 'sha256:nope' as Sha256Digest, size: 1 } } })), 'INVALID_DIGEST');
    assert.deepEqual(await store.getHostedPackage('npm-hosted', '@acme/widget'), first);
    assert.deepEqual(await events(store), []);
  }));
}
