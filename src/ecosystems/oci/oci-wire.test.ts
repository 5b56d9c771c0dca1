import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError } from '../../core/index.ts';
import { accepts, MEDIA, parseImageConfig, parseManifest } from './manifest.ts';
import { parseTarget } from './references.ts';
import { parseChallenge, pullScope } from './registry-auth.ts';

const D = `sha256:${'a'.repeat(64)}`;

test('request paths: names of several components, tags, digests, the tag list and referrers', () => {
  assert.deepEqual(parseTarget('library/alpine/manifests/3.20'), { kind: 'manifest', name: 'library/alpine', reference: { kind: 'tag', tag: '3.20' } });
  assert.deepEqual(parseTarget(`a/b/c/manifests/${D}`), { kind: 'manifest', name: 'a/b/c', reference: { kind: 'digest', digest: D } });
  assert.deepEqual(parseTarget(`x/blobs/${D}`), { kind: 'blob', name: 'x', digest: D });
  assert.deepEqual(parseTarget('x/y/tags/list'), { kind: 'tags', name: 'x/y' });
  assert.deepEqual(parseTarget(`x/referrers/${D}`), { kind: 'referrers', name: 'x', digest: D });
  assert.equal(parseTarget('x/blobs/uploads/').kind, 'upload');
  // An image whose name has a "manifests" component still parses by its last action.
  assert.deepEqual(parseTarget('acme/manifests/manifests/v1'), { kind: 'manifest', name: 'acme/manifests', reference: { kind: 'tag', tag: 'v1' } });
});

test('request paths: what is no name, tag or digest is refused with the registry code for it', () => {
  const code = (p: string): unknown => {
    try {
      parseTarget(p);
      return 'parsed';
    } catch (err) {
      assert.ok(isAirlockError(err));
      return err.details['ociCode'];
    }
  };
  assert.equal(code('Library/alpine/manifests/1'), 'NAME_INVALID');
  assert.equal(code('a/../b/manifests/1'), 'NAME_INVALID');
  assert.equal(code('a%2Fb/manifests/1'), 'NAME_INVALID');
  assert.equal(code('a/manifests/sha256:abc'), 'DIGEST_INVALID');
  assert.equal(code(`a/manifests/sha512:${'a'.repeat(128)}`), 'DIGEST_INVALID');
  assert.equal(code('a/blobs/latest'), 'DIGEST_INVALID');
  assert.equal(code(`a/manifests/${'t'.repeat(129)}`), 'MANIFEST_INVALID');
  assert.equal(code('a/other/thing'), 'NAME_UNKNOWN');
  // An upload's id follows `uploads/`: `uploadsX/` is no upload route (it was read as the upload `X/`).
  assert.equal(code('acme/app/blobs/uploadsX/'), 'NAME_UNKNOWN');
  assert.equal(code('acme/app/blobs/uploads/a/b'), 'NAME_UNKNOWN');
  assert.deepEqual(parseTarget('acme/app/blobs/uploads/'), { kind: 'upload', name: 'acme/app', id: null });
  assert.deepEqual(parseTarget('acme/app/blobs/uploads/1b4e28ba'), { kind: 'upload', name: 'acme/app', id: '1b4e28ba' });
});

const manifest = (o: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D, size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D, size: 20 }], ...o }));

test('manifests: images, indexes and their descriptors are read; what is malformed is named', () => {
  const m = parseManifest(manifest({}), null, 'it');
  assert.equal(m.kind, 'manifest');
  const index = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA.ociManifest, digest: D, size: 3, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] })), MEDIA.ociIndex, 'it');
  assert.equal(index.kind, 'index');
  assert.deepEqual(index.kind === 'index' ? index.manifests[0]?.platform : null, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  for (const [bytes, problem] of [
    [Buffer.from('not json'), /not JSON/],
    [manifest({ schemaVersion: 1 }), /schema 1/],
    [manifest({ layers: [{ mediaType: 'x', digest: 'md5:abc', size: 1 }] }), /layers\[0\]\.digest/],
    [manifest({ layers: [{ mediaType: 'x', digest: D, size: -1 }] }), /layers\[0\]\.size/],
    [manifest({ layers: Array.from({ length: 1001 }, () => ({ mediaType: 'x', digest: D, size: 1 })) }), /more than 1000/],
    [manifest({ mediaType: 'text/html' }), /not a manifest type/],
    [manifest({ annotations: { a: 1 } }), /annotations\.a/],
  ] as const) {
    assert.throws(() => parseManifest(bytes, null, 'the manifest'), (err: unknown) => isAirlockError(err, 'UPSTREAM_BAD_RESPONSE') && problem.test(err.message));
  }
});

test('manifests: the Accept header decides which types a client takes', () => {
  assert.ok(accepts(undefined, MEDIA.ociManifest));
  assert.ok(accepts('*/*', MEDIA.ociIndex));
  assert.ok(accepts(`${MEDIA.dockerManifest}, ${MEDIA.ociManifest};q=0.5`, MEDIA.ociManifest));
  assert.ok(!accepts(MEDIA.dockerManifest, MEDIA.ociIndex));
});

test('image configs: bounded, with variable names only (values can be secrets)', () => {
  const c = parseImageConfig(Buffer.from(JSON.stringify({ created: '2025-01-02T03:04:05Z', architecture: 'amd64', os: 'linux', config: { User: '1000', Env: ['PATH=/bin', 'API_KEY=secret'], Entrypoint: ['/app'], Labels: { a: 'b' } }, history: [{}, {}] })));
  assert.deepEqual(c?.env, ['PATH', 'API_KEY']);
  assert.equal(c?.historyCount, 2);
  assert.equal(parseImageConfig(Buffer.from('{}'))?.created, null);
  assert.equal(parseImageConfig(Buffer.from('[')), null);
});

test('manifests and image configs: an annotation or label named __proto__ is one like any other, in what facts and referrers are made of', () => {
  const m = parseManifest(Buffer.from(`{"schemaVersion": 2, "mediaType": "${MEDIA.ociManifest}", "annotations": {"__proto__": "x", "a": "b"}, "config": {"mediaType": "c", "digest": "${D}", "size": 1}, "layers": [{"mediaType": "l", "digest": "${D}", "size": 2, "annotations": {"__proto__": "y"}}]}`), null, 'it');
  assert.deepEqual(Object.entries(m.annotations), [['__proto__', 'x'], ['a', 'b']]);
  assert.deepEqual(m.kind === 'manifest' ? Object.entries(m.layers[0]?.annotations ?? {}) : null, [['__proto__', 'y']]);
  const c = parseImageConfig(Buffer.from('{"config": {"Labels": {"__proto__": "run.sh", "b": "c"}}}'));
  assert.deepEqual(Object.entries(c?.labels ?? {}), [['__proto__', 'run.sh'], ['b', 'c']]);
});

test('token challenges: quoted parameters with escapes, and the pull scope of a path', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="a \\"quoted\\" realm"'), { scheme: 'basic', params: { realm: 'a "quoted" realm' } });
  assert.equal(pullScope(`v2/library/alpine/blobs/${D}`), 'repository:library/alpine:pull');
  assert.equal(pullScope('v2/'), null);
});

test('model layers: an oras file titled with a model name, a model media type even under an image config (Ollama), never an image layer', async () => {
  const { modelLayerPath } = await import('./model-layers.ts');
  const layer = (mediaType: string, title?: string) => ({ mediaType, digest: D, size: 1, artifactType: null, platform: null, annotations: title === undefined ? {} : { 'org.opencontainers.image.title': title } });
  const manifest = (configType: string, layers: ReturnType<typeof layer>[]) => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: configType, digest: D, size: 2 }, layers })), null, 'it');
  const artifact = manifest('application/vnd.oci.empty.v1+json', []);
  assert.equal(modelLayerPath(artifact, layer('application/octet-stream', 'weights/pytorch_model.bin')), 'pytorch_model.bin');
  assert.equal(modelLayerPath(artifact, layer('application/octet-stream', 'README.md')), null);
  assert.equal(modelLayerPath(artifact, layer('application/octet-stream')), null);
  const ollama = manifest('application/vnd.docker.container.image.v1+json', []);
  assert.equal(modelLayerPath(ollama, layer('application/vnd.ollama.image.model')), 'model.gguf');
  assert.equal(modelLayerPath(ollama, layer('application/vnd.ollama.image.template')), null);
  const image = manifest('application/vnd.oci.image.config.v1+json', []);
  assert.equal(modelLayerPath(image, layer('application/vnd.oci.image.layer.v1.tar+gzip', 'model.safetensors')), null);
});
