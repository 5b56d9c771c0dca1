/**
 * Fuzz targets of what publishers send to hosted repositories (authenticated, still hostile):
 * the `npm publish` body (its JSON and manifest, then its base64 tarball read as the publisher
 * reads it), a twine upload (the Content-Type's boundary and the multipart form, through the
 * PyPI uploader into real stores, wheel METADATA read back) and the OCI push (a manifest PUT with
 * the content type it was sent as, a chunk's Content-Range). Each refuses bad input with an
 * AirlockError, which the routes map to a 4xx.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AirlockError, parseNpmPackageName } from '../../../src/core/index.ts';
import { HostedPublisher } from '../../../src/ecosystems/npm/hosted/publisher.ts';
import { PypiUploads } from '../../../src/ecosystems/pypi/hosted/uploads.ts';
import { MEDIA } from '../../../src/ecosystems/oci/manifest.ts';
import { HostedImages } from '../../../src/ecosystems/oci/hosted/hosted-images.ts';
import { parseContentRange } from '../../../src/ecosystems/oci/hosted/push-routes.ts';
import { openFsBlobStore } from '../../../src/storage/fs-blob/index.ts';
import { openSqliteMetadataStore } from '../../../src/storage/sqlite/index.ts';
import { publishDoc, tar } from '../../support/npm-registry/index.ts';
import { buildWheel } from '../../support/pypi-index/index.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

/** The codes the routes answer with a 4xx: a store failure (STORAGE_ERROR, a 500) is not the client's fault. */
const CLIENT_CODES: ReadonlySet<string> = new Set(['BAD_REQUEST', 'INVALID_NAME', 'INVALID_VERSION', 'INVALID_DIGEST', 'NOT_FOUND', 'CONFLICT', 'LIMIT_EXCEEDED', 'DIGEST_MISMATCH', 'SIZE_MISMATCH']);
const clientError = (err: unknown): boolean => ownError(AirlockError)(err) && CLIENT_CODES.has((err as AirlockError).code);

const NAME = parseNpmPackageName('@acme/lib');
const TGZ = gzipSync(
  tar([
    { path: 'package/package.json', content: '{"name":"@acme/lib","version":"1.2.3","scripts":{"install":"node-gyp rebuild"},"bin":{"lib":"cli.js"}}' },
    { path: 'package/cli.js', content: '#!/usr/bin/env node\n', mode: 0o755 },
    { path: 'package/binding.gyp', content: '{}' },
    { path: 'package/node_modules/dep/package.json', content: '{"name":"dep","version":"1.0.0","scripts":{"postinstall":"x"}}' },
  ]),
);

/** A publish body as libnpmpublish builds it (as publish-body.test.ts builds it). */
const publishBody = (tarball: Buffer): Buffer => Buffer.from(JSON.stringify(publishDoc(tarball)));

const dir = mkdtempSync(join(tmpdir(), 'airlock-fuzz-hosted-'));
const store = openSqliteMetadataStore({ path: join(dir, 'airlock.db') });
await store.migrate();
const blobs = await openFsBlobStore({ dataDir: dir, fsync: false });
/** A repository of its own for each write: one publish accepted does not make the next a republish. */
let writes = 0;
const writer = (ecosystem: string) => ({ repo: `${ecosystem}-hosted-${writes++}`, store, clock: () => new Date(), changed: async () => {}, blobs });

/** A `PUT /<name>` through the publisher: the body parsed, the tarball's package.json read, the version stored. */
async function publish(body: Buffer): Promise<undefined> {
  await new HostedPublisher(writer('npm'), { maxTarballBytes: 1 << 20, maxDocumentBytes: 1 << 20 }).put(NAME, body, { actor: 'token:fuzz', name: 'fuzz' });
  return undefined;
}

const DEPRECATE = JSON.stringify({ _id: '@acme/lib', name: '@acme/lib', versions: { '1.2.3': { name: '@acme/lib', version: '1.2.3', deprecated: 'use 2' }, '1.0.0': { deprecated: '' } } });

const npmBody: FuzzTarget = {
  seeds: () => [new Uint8Array(publishBody(TGZ)), text(DEPRECATE)],
  text: true,
  extra: () => [
    text(`{"name":"@acme/lib","_attachments":${nested('{"a":', '}', 100_000, '1')}}`),
    text(`{"name":"@acme/lib","versions":{"1.0.0":${nested('[', ']', 100_000)}}}`),
    text(`{"name":"@acme/lib","_attachments":{"@acme/lib-1.2.3.tgz":{"data":"${'A'.repeat(1 << 16)}"}}}`),
    // A publish that is whole but for a manifest field nested 100,000 deep.
    text(asText(publishBody(TGZ)).replace('"dist":', `"x":${nested('[', ']', 100_000)},"dist":`)),
    text(asText(publishBody(TGZ)).replace('"description":"a library"', `"description":"a library","x":${nested('{"a":', '}', 100_000, '1')}`)),
  ],
  run: (input) => publish(Buffer.from(input)),
  accepts: clientError,
};

/** The tarball corrupted, in a body whose digests name the corrupt bytes (so it gets past them). */
const npmTarball: FuzzTarget = {
  seeds: () => [new Uint8Array(TGZ)],
  // A package.json naming another package by a name and version of 100,000 characters each: the refusal names them, cut.
  extra: () => [new Uint8Array(gzipSync(tar([{ path: 'package/package.json', content: JSON.stringify({ name: 'n'.repeat(100_000), version: '9'.repeat(100_000) }) }])))],
  run: (input) => publish(publishBody(Buffer.from(input))),
  accepts: (err) => clientError(err) && (err as Error).message.length < 4000,
};


const WHEEL = buildWheel({ name: 'acme-billing', version: '1.0', summary: 'billing', requiresDist: ['requests>=2'] });

/** A twine upload of `wheel`: the request's Content-Type on the first line, then the body fetch sends for the FormData. */
async function twineForm(wheel: Uint8Array): Promise<Buffer> {
  const form = new FormData();
  const fields = {
    ':action': 'file_upload',
    protocol_version: '1',
    name: 'acme-billing',
    version: '1.0',
    filetype: 'bdist_wheel',
    pyversion: 'py3',
    metadata_version: '2.1',
    summary: 'billing',
    requires_python: '>=3.8',
    sha256_digest: createHash('sha256').update(wheel).digest('hex'),
    md5_digest: createHash('md5').update(wheel).digest('hex'),
  };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('classifiers', 'License :: OSI Approved :: MIT License');
  form.append('classifiers', 'Programming Language :: Python :: 3');
  form.append('content', new Blob([wheel]), WHEEL.filename);
  const res = new Response(form);
  return Buffer.concat([Buffer.from(`${res.headers.get('content-type')}\n`), Buffer.from(await res.arrayBuffer())]);
}

/** The body in uneven chunks, as a request streams in. */
async function* chunks(b: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0, step = 1; at < b.length; at += step, step = (step * 7 + 3) % 4093) yield b.subarray(at, at + step);
}

async function upload(b: Buffer): Promise<undefined> {
  const eol = b.indexOf(0x0a);
  const contentType = eol === -1 ? undefined : b.subarray(0, eol).toString('latin1');
  const uploads = new PypiUploads(writer('pypi'), { maxFileBytes: 1 << 20, maxDocumentBytes: 1 << 20 });
  await uploads.upload(chunks(b.subarray(eol + 1)), contentType, { actor: 'token:fuzz', name: 'fuzz' }, () => {});
  return undefined;
}

const pypiUpload: FuzzTarget = {
  seeds: async () => [new Uint8Array(await twineForm(WHEEL.bytes))],
  run: (input) => upload(Buffer.from(input)),
  accepts: clientError,
};

/** The wheel corrupted, in a form whose digests name the corrupt bytes (so its METADATA is read). */
const pypiWheel: FuzzTarget = {
  seeds: () => [new Uint8Array(WHEEL.bytes)],
  run: async (input) => upload(await twineForm(input)),
  accepts: clientError,
};

const DIGEST = (c: string): string => `sha256:${c.repeat(64)}`;
const PUSHED = [
  [MEDIA.ociManifest, { schemaVersion: 2, mediaType: MEDIA.ociManifest, artifactType: 'application/vnd.example+type', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: DIGEST('a'), size: 2, data: 'e30=' }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST('b'), size: 32 }], subject: { mediaType: MEDIA.ociManifest, digest: DIGEST('d'), size: 500 } }],
  [MEDIA.dockerManifest, { schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: DIGEST('a'), size: 1469 }, layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: DIGEST('c'), size: 3623807 }] }],
  [MEDIA.ociIndex, { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [{ mediaType: MEDIA.ociManifest, digest: DIGEST('e'), size: 1024, platform: { architecture: 'amd64', os: 'linux' } }] }],
] as const;

const images = new HostedImages({ repo: 'oci-hosted', store, blobs, clock: () => new Date() }, { maxDocumentBytes: 1 << 20, cacheBytes: 1 << 20, uploadGraceMs: 60_000 });
const PUSHER = { actor: 'token:fuzz' };

/**
 * A manifest PUT by tag: its Content-Type on the first line (as docker, oras and skopeo send it),
 * then its bytes. Each goes to an image repository of its own that has the blobs the seeds name.
 */
const ociPut: FuzzTarget = {
  seeds: () => PUSHED.map(([type, doc]) => text(`${type}\n${JSON.stringify(doc)}`)),
  text: true,
  extra: () => [text(`${MEDIA.ociManifest}\n{"schemaVersion":2,"layers":${nested('[', ']', 100_000)}}`), text(`${MEDIA.ociManifest}\n${nested('{"a":', '}', 100_000, '1')}`)],
  run: async (input) => {
    const s = asText(input);
    const eol = s.indexOf('\n');
    const name = `demo${writes++}`;
    await images.addBlob(name, DIGEST('a'), 2, PUSHER);
    await images.addBlob(name, DIGEST('b'), 32, PUSHER);
    await images.putManifest(name, { kind: 'tag', tag: 'latest' }, Buffer.from(s.slice(eol + 1)), eol === -1 ? null : s.slice(0, eol), PUSHER);
    return undefined;
  },
  accepts: clientError,
};

/** A PATCH chunk's `Content-Range`, which must read as its start and a length of at least one byte. */
const ociRange: FuzzTarget = {
  seeds: () => ['0-1023', 'bytes=1024-2047', 'bytes 0-0/1', '1048576-2097151/*', '999999999999999-999999999999999'].map(text),
  text: true,
  run: (input) => {
    const r = parseContentRange(asText(input));
    if (r !== null && !(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.length) && r.start >= 0 && r.length >= 1)) return `read as ${JSON.stringify(r)}`;
    return undefined;
  },
  accepts: clientError,
};

/** The store and its directory go once the worker's target ran. */
async function done(): Promise<void> {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const all: Record<string, FuzzTarget> = { 'npm-publish-body': npmBody, 'npm-publish-tarball': npmTarball, 'pypi-upload': pypiUpload, 'pypi-upload-wheel': pypiWheel, 'oci-manifest-put': ociPut, 'oci-content-range': ociRange };
export const targets: Record<string, FuzzTarget> = Object.fromEntries(Object.entries(all).map(([name, t]) => [name, { ...t, done }]));
