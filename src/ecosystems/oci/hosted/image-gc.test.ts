import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError, sha256Of } from '../../../core/index.ts';
import type { HostedFile } from '../../../storage/ports/index.ts';
import { MEDIA, parseManifest, type Manifest } from '../manifest.ts';
import { blobFile, hostedFile, manifestEntry, manifestFile, type ImageDocument } from './image-document.ts';
import { claimed, collect, deletionOf, expireUploads, withoutManifests } from './image-gc.ts';

const T0 = new Date('2026-01-10T12:00:00Z');
const DAY = 86_400_000;
const ago = (ms: number): string => new Date(T0.getTime() - ms).toISOString();
const times = { now: T0, graceMs: DAY, writtenAt: T0 };

const blob = (text: string): { readonly digest: string; readonly size: number } => ({ digest: sha256Of(text), size: text.length });
const CONFIG_A = blob('config a');
const CONFIG_B = blob('config b');
const BASE = blob('shared base layer');
const ONLY_A = blob('layer only a has');
const ONLY_B = blob('layer only b has');
const EMPTY = blob('{}');
const SIG = blob('a signature bundle');

interface Pushed {
  readonly digest: string;
  readonly size: number;
  readonly manifest: Manifest;
}

function pushed(doc: object): Pushed {
  const bytes = Buffer.from(JSON.stringify(doc));
  return { digest: sha256Of(bytes), size: bytes.length, manifest: parseManifest(bytes, null, 'a test manifest') };
}

const desc = (mediaType: string, b: { readonly digest: string; readonly size: number }): object => ({ mediaType, digest: b.digest, size: b.size });
const image = (config: typeof CONFIG_A, layers: readonly (typeof BASE)[]): Pushed =>
  pushed({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: desc('application/vnd.oci.image.config.v1+json', config), layers: layers.map((l) => desc('application/vnd.oci.image.layer.v1.tar+gzip', l)) });
const index = (children: readonly Pushed[]): Pushed => pushed({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: children.map((c) => desc(MEDIA.ociManifest, c)) });
const signature = (subject: Pushed): Pushed =>
  pushed({ schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType: MEDIA.sigstoreBundle, config: desc(MEDIA.ociEmpty, EMPTY), layers: [desc(MEDIA.sigstoreBundle, SIG)], subject: desc(MEDIA.ociManifest, subject) });

const A = image(CONFIG_A, [BASE, ONLY_A]);
const B = image(CONFIG_B, [BASE, ONLY_B]);

/** A record holding `manifests` (tagged as `tags` says) and every blob they name, plus `extra` blobs as uploads at the given times. */
function record(manifests: readonly Pushed[], tags: Readonly<Record<string, Pushed>>, extra: Readonly<Record<string, string>> = {}): { doc: ImageDocument; files: Record<string, HostedFile>; parsed: Map<string, Manifest> } {
  const files: Record<string, HostedFile> = {};
  const entries: ImageDocument['manifests'] = Object.fromEntries(
    manifests.map((m) => [m.digest, manifestEntry({ mediaType: m.manifest.mediaType, size: m.size, subject: m.manifest.subject, artifactType: m.manifest.artifactType, configType: null, annotations: {} }, ago(2 * DAY))]),
  );
  for (const m of manifests) {
    files[manifestFile(m.digest)] = hostedFile(m.digest, m.size);
    if (m.manifest.kind === 'manifest') for (const d of [m.manifest.config, ...m.manifest.layers]) files[blobFile(d.digest)] = hostedFile(d.digest, d.size);
  }
  for (const d of Object.keys(extra)) files[blobFile(d)] = hostedFile(d, 10);
  const doc: ImageDocument = { tags: Object.fromEntries(Object.entries(tags).map(([t, m]) => [t, m.digest])), manifests: entries, uploads: { ...extra } };
  return { doc, files, parsed: new Map(manifests.map((m) => [m.digest, m.manifest])) };
}

function deleted(r: ReturnType<typeof record>, digest: string): { removed: string[]; blobs: readonly string[]; files: string[] } {
  const removed = deletionOf(r.doc, r.parsed, digest, 'team/app@x');
  const left = withoutManifests(r.doc, r.files, removed);
  const remaining = new Map([...r.parsed].filter(([d]) => left.doc.manifests[d] !== undefined));
  const c = collect(left.doc, left.files, remaining, times);
  return { removed, blobs: c.blobs, files: Object.keys(c.files).sort() };
}

const filesOf = (...ms: readonly Pushed[]): string[] =>
  [...new Set(ms.flatMap((m) => [manifestFile(m.digest), ...(m.manifest.kind === 'manifest' ? [m.manifest.config, ...m.manifest.layers].map((d) => blobFile(d.digest)) : [])]))].sort();

test('an image deleted: its config and the layers no other image names are dropped, a layer another image shares stays', () => {
  const r = record([A, B], { a: A, b: B });
  const d = deleted(r, A.digest);
  assert.deepEqual(d.removed, [A.digest]);
  assert.deepEqual(d.blobs, [CONFIG_A.digest, ONLY_A.digest].sort());
  assert.deepEqual(d.files, filesOf(B));
});

test('the last image deleted: every blob goes', () => {
  const d = deleted(record([A], {}), A.digest);
  assert.deepEqual(d.blobs, [BASE.digest, CONFIG_A.digest, ONLY_A.digest].sort());
  assert.deepEqual(d.files, []);
});

test('an index deleted takes its untagged children and their blobs; a tagged child stays with its blobs', () => {
  const idx = index([A, B]);
  const untagged = deleted(record([A, B, idx], { latest: idx }), idx.digest);
  assert.deepEqual(untagged.removed.sort(), [A.digest, B.digest, idx.digest].sort());
  assert.deepEqual(untagged.files, []);
  const tagged = deleted(record([A, B, idx], { latest: idx, 'amd64-only': A }), idx.digest);
  assert.deepEqual(tagged.removed.sort(), [B.digest, idx.digest].sort());
  assert.deepEqual(tagged.files, filesOf(A));
});

test('a child another index still lists stays when one index is deleted', () => {
  const one = index([A, B]);
  const other = index([A]);
  const d = deleted(record([A, B, one, other], { one, other }), one.digest);
  assert.deepEqual(d.removed.sort(), [B.digest, one.digest].sort());
  assert.deepEqual(d.files, filesOf(A, other));
});

test('deleting a child an index lists is refused, naming the index and its tags', () => {
  const idx = index([A, B]);
  const r = record([A, B, idx], { '1.0': idx });
  assert.throws(
    () => deletionOf(r.doc, r.parsed, A.digest, `team/app@${A.digest}`),
    (err: unknown) => isAirlockError(err, 'CONFLICT') && err.details['ociCode'] === 'DENIED' && err.message.includes(`is listed by the index ${idx.digest} (tagged 1.0)`) && err.message.includes('delete the index first'),
  );
});

test('a signature keeps only its own blobs: deleting it leaves the image whole, deleting the image takes its untagged signature', () => {
  const sig = signature(A);
  const r = record([A, B, sig], { a: A, b: B });
  const sigGone = deleted(r, sig.digest);
  assert.deepEqual(sigGone.removed, [sig.digest]);
  assert.deepEqual(sigGone.blobs, [EMPTY.digest, SIG.digest].sort(), 'the image keeps its blobs; the signature\'s go');
  assert.deepEqual(sigGone.files, filesOf(A, B));
  const imageGone = deleted(r, A.digest);
  assert.deepEqual(imageGone.removed, [A.digest, sig.digest]);
  assert.deepEqual(imageGone.files, filesOf(B));
});

test('a tagged referrer stays when its subject is deleted, and keeps its own blobs; a referrer of a deleted child goes with it', () => {
  const sig = signature(A);
  const kept = deleted(record([A, sig], { a: A, 'sig-a': sig }), A.digest);
  assert.deepEqual(kept.removed, [A.digest]);
  assert.deepEqual(kept.files, filesOf(sig));
  const idx = index([A, B]);
  const chained = deleted(record([A, B, idx, sig], { latest: idx }), idx.digest);
  assert.deepEqual(chained.removed.sort(), [A.digest, B.digest, idx.digest, sig.digest].sort());
  assert.deepEqual(chained.files, []);
});

test('a signature does not keep its subject: the subject may be deleted, and a referrer pushed before its subject is kept', () => {
  const sig = signature(A);
  const r = record([B, sig], { b: B });
  const c = collect(r.doc, r.files, r.parsed, times);
  assert.deepEqual(c.blobs, []);
  assert.deepEqual(Object.keys(c.files).sort(), filesOf(B, sig));
});

test('uploads no manifest names: dropped past the grace, kept within it; a named blob is never dropped whatever its age', () => {
  const old = blob('an upload a day and a half old');
  const young = blob('an upload an hour old');
  const r = record([A], { a: A }, { [old.digest]: ago(1.5 * DAY), [young.digest]: ago(3600_000) });
  const c = collect(r.doc, r.files, r.parsed, times);
  assert.deepEqual(c.blobs, [old.digest]);
  assert.equal(c.bytes, 10);
  assert.deepEqual(c.doc.uploads, { [young.digest]: ago(3600_000) });
  assert.deepEqual(Object.keys(c.files).sort(), [...filesOf(A), blobFile(young.digest)].sort());
  const e = expireUploads({ ...r.doc, uploads: r.doc.uploads ?? {} }, r.files, times);
  assert.deepEqual([e.blobs, e.doc.uploads, Object.keys(e.files).length], [[old.digest], { [young.digest]: ago(3600_000) }, Object.keys(r.files).length - 1]);
});

test('a pushed manifest claims its uploads', () => {
  const uploads = { [ONLY_A.digest]: ago(10), [ONLY_B.digest]: ago(10) };
  assert.deepEqual(claimed(uploads, A.manifest), { [ONLY_B.digest]: ago(10) });
  assert.equal(claimed(uploads, index([A]).manifest), uploads);
  assert.equal(claimed(null, A.manifest), null);
});

test('a record written before uploads were kept: its unnamed blobs count as uploaded when it was last written', () => {
  const stray = blob('a blob an old record names');
  const r = record([A], { a: A }, { [stray.digest]: ago(0) });
  const legacy = { ...r.doc, uploads: null };
  const recent = collect(legacy, r.files, r.parsed, { ...times, writtenAt: new Date(T0.getTime() - 3600_000) });
  assert.deepEqual([recent.blobs, recent.doc.uploads], [[], { [stray.digest]: ago(3600_000) }]);
  const stale = collect(legacy, r.files, r.parsed, { ...times, writtenAt: new Date(T0.getTime() - 2 * DAY) });
  assert.deepEqual([stale.blobs, stale.doc.uploads], [[stray.digest], {}]);
});

test('a manifest that could not be read: no blob is dropped (what it names is unknown), and children are not followed', () => {
  const old = blob('an old upload');
  const r = record([A, B], { a: A, b: B }, { [old.digest]: ago(2 * DAY) });
  const partial = new Map([[B.digest, B.manifest]]);
  const c = collect(r.doc, r.files, partial, times);
  assert.deepEqual(c.blobs, []);
  const idx = index([A, B]);
  const withIndex = record([A, B, idx], {});
  assert.deepEqual(deletionOf(withIndex.doc, new Map([[idx.digest, idx.manifest]]), idx.digest, 'x'), [idx.digest]);
});

test('a manifest file the record names without its entry is dropped', () => {
  const r = record([A], { a: A });
  const files = { ...r.files, [manifestFile(B.digest)]: hostedFile(B.digest, B.size) };
  const c = collect(r.doc, files, r.parsed, times);
  assert.deepEqual([c.manifests, c.blobs], [[B.digest], []]);
  assert.deepEqual(Object.keys(c.files).sort(), filesOf(A));
});
