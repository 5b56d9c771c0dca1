/**
 * Fuzz targets of the ecosystem parsers of upstream documents: the npm packument scanner
 * (`json-scan`, `packument-index`, `manifest-reader`), PyPI Simple API project pages (PEP 691
 * JSON, PEP 503 HTML) and OCI manifests and indexes. Each throws its own error for a document
 * it refuses; `json-scan` must also agree with `JSON.parse` on what is JSON.
 */
import { JsonScanError, MAX_DEPTH, expectEnd, scanValue, skipWs } from '../../../src/ecosystems/npm/json-scan.ts';
import { indexPackumentWithManifests, parseVersion, PackumentFormatError } from '../../../src/ecosystems/npm/packument-index.ts';
import { readManifest } from '../../../src/ecosystems/npm/manifest-reader.ts';
import { PageFormatError, parseProjectPage, SIMPLE_JSON } from '../../../src/ecosystems/pypi/simple-page.ts';
import { MEDIA, parseImageConfig, parseManifest } from '../../../src/ecosystems/oci/manifest.ts';
import { AirlockError } from '../../../src/core/errors.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const TARBALL = 'https://registry.example/demo/-/demo-';
function version(v: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'demo',
    version: v,
    description: 'a demo',
    scripts: { postinstall: 'node install.js', test: 'node --test' },
    dependencies: { left: '^1.0.0', remote: 'git+https://git.example/remote.git', local: 'file:../local' },
    optionalDependencies: { fsevents: '^2.3.0' },
    peerDependencies: { react: '>=17' },
    bundleDependencies: ['left'],
    maintainers: [{ name: 'ada', email: 'ada@example.org' }],
    _npmUser: { name: 'ada', email: 'ada@example.org' },
    license: 'MIT',
    engines: { node: '>=18' },
    bin: { demo: 'cli.js' },
    dist: {
      tarball: `${TARBALL}${v}.tgz`,
      shasum: '0123456789abcdef0123456789abcdef01234567',
      integrity: 'sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==',
      attestations: { url: `https://registry.example/-/npm/v1/attestations/demo@${v}`, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } },
      signatures: [{ keyid: 'SHA256:key', sig: 'MEUCIQ==' }],
      fileCount: 3,
      unpackedSize: 12345,
    },
    ...extra,
  };
}
const PACKUMENT = JSON.stringify({
  _id: 'demo',
  _rev: '12-abc',
  name: 'demo',
  'dist-tags': { latest: '1.1.0', beta: '2.0.0-beta.1' },
  versions: {
    '1.0.0': version('1.0.0', { deprecated: 'use 1.1', hasInstallScript: true }),
    '1.1.0': version('1.1.0', { licenses: [{ type: 'MIT' }], gypfile: true }),
    '2.0.0-beta.1': version('2.0.0-beta.1', { directories: {}, 'ünïcode': '\u2603 \ud83d\ude00 \\u0000' }),
  },
  time: { created: '2020-01-01T00:00:00.000Z', modified: '2021-01-01T00:00:00.000Z', '1.0.0': '2020-01-01T00:00:00.000Z', '1.1.0': '2020-06-01T00:00:00.000Z' },
  maintainers: [{ name: 'ada', email: 'ada@example.org' }],
  readme: '# demo\n\nnumbers 1 2.5 -3e4',
  keywords: ['demo', 'fuzz'],
  users: { bob: true },
});
const DEEP = (depth: number): Uint8Array => text(`{"name":"demo","versions":{"1.0.0":${nested('[', ']', depth)}}}`);

const jsonScan: FuzzTarget = {
  seeds: () => [text(PACKUMENT), text('[1,-2.5e+3,true,false,null,"a\\u00e9\\n",{"k":{}}]')],
  text: true,
  extra: () => [text(nested('[', ']', 100_000)), text(nested('{"a":', '}', 100_000, '1')), text(nested('[', '', 100_000))],
  run: (input) => {
    const b = Buffer.from(input);
    let scanned: unknown;
    try {
      expectEnd(b, scanValue(b, skipWs(b, 0)));
    } catch (err) {
      if (!(err instanceof JsonScanError)) throw err;
      scanned = err;
    }
    let parsed: unknown;
    try {
      JSON.parse(b.toString('utf8'));
    } catch (err) {
      parsed = err;
    }
    // The one documented difference: nesting deeper than MAX_DEPTH is refused.
    if (scanned instanceof JsonScanError && /deep|depth|nest/i.test(scanned.message)) return undefined;
    if ((scanned === undefined) !== (parsed === undefined)) {
      return `json-scan ${scanned === undefined ? 'accepts' : `refuses (${(scanned as Error).message})`} what JSON.parse ${parsed === undefined ? 'accepts' : 'refuses'}`;
    }
    return undefined;
  },
  accepts: ownError(JsonScanError),
};

const packument: FuzzTarget = {
  seeds: () => [text(PACKUMENT)],
  text: true,
  extra: () => [DEEP(100_000), DEEP(MAX_DEPTH + 1), text(`{"versions":${nested('{"a":', '}', 100_000, '1')}}`)],
  run: (input) => {
    const b = Buffer.from(input);
    const { index, manifests } = indexPackumentWithManifests(b);
    for (const key of index.versions.keys()) {
      const span = index.versions.get(key);
      if (span !== undefined) parseVersion(b, span);
    }
    for (const [, m] of manifests) if (m.counts === undefined) return 'a manifest without counts';
    return undefined;
  },
  accepts: ownError(JsonScanError, PackumentFormatError),
};

const manifest: FuzzTarget = {
  seeds: () => [text(JSON.stringify(version('1.0.0', { hasInstallScript: true })))],
  text: true,
  extra: () => [text(`{"dependencies":${nested('{"a":', '}', 100_000, '1')}}`), text(`{"scripts":${nested('[', ']', 100_000)}}`)],
  run: (input) => {
    readManifest(Buffer.from(input), 0);
    return undefined;
  },
  accepts: ownError(JsonScanError),
};

const PAGE_URL = new URL('https://pypi.example/simple/demo/');
const FILE = (name: string): string => `https://files.example/packages/ab/cd/${name}`;
const PYPI_JSON = JSON.stringify({
  meta: { 'api-version': '1.1', _last_serial: 123 },
  name: 'demo',
  versions: ['1.0', '1.1'],
  files: [
    { filename: 'demo-1.0.tar.gz', url: FILE('demo-1.0.tar.gz'), hashes: { sha256: 'a'.repeat(64) }, 'requires-python': '>=3.8', size: 1234, 'upload-time': '2024-01-01T00:00:00.000000Z', yanked: false },
    { filename: 'demo-1.1-py3-none-any.whl', url: FILE('demo-1.1-py3-none-any.whl'), hashes: { sha256: 'b'.repeat(64) }, 'core-metadata': { sha256: 'c'.repeat(64) }, 'data-dist-info-metadata': { sha256: 'c'.repeat(64) }, size: 99, yanked: 'broken', provenance: 'https://pypi.example/integrity/demo/1.1/demo-1.1-py3-none-any.whl/provenance' },
  ],
});
const PYPI_HTML = [
  '<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"><title>Links for demo</title></head><body>',
  '<h1>Links for demo</h1>',
  `<a href="${FILE('demo-1.0.tar.gz')}#sha256=${'a'.repeat(64)}" data-requires-python="&gt;=3.8">demo-1.0.tar.gz</a><br/>`,
  `<a href="../../packages/demo-1.1-py3-none-any.whl#sha256=${'b'.repeat(64)}" data-dist-info-metadata="sha256=${'c'.repeat(64)}" data-yanked="broken &amp; bad">demo-1.1-py3-none-any.whl</a><br/>`,
  '<!-- a comment --><script>var a = "<a href=x>";</script>',
  '</body></html>',
].join('\n');

const pypi = (contentType: string, seed: string): FuzzTarget => ({
  seeds: () => [text(seed)],
  text: true,
  extra: () => [text(nested('<a>', '</a>', 50_000)), text(`{"meta":{"api-version":"1.0"},"files":${nested('[', ']', 100_000)}}`)],
  run: (input) => {
    parseProjectPage(Buffer.from(input), contentType, PAGE_URL, 'demo');
    return undefined;
  },
  accepts: ownError(PageFormatError),
});

const DIGEST = (c: string): string => `sha256:${c.repeat(64)}`;
const OCI_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: DIGEST('a'), size: 1469 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST('b'), size: 3623807, annotations: { 'org.opencontainers.image.title': 'layer.tar.gz' } },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST('c'), size: 32, urls: ['https://blobs.example/c'] },
  ],
  subject: { mediaType: MEDIA.ociManifest, digest: DIGEST('d'), size: 500 },
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
});
const OCI_INDEX = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA.ociIndex,
  manifests: [
    { mediaType: MEDIA.ociManifest, digest: DIGEST('e'), size: 1024, platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: MEDIA.dockerManifest, digest: DIGEST('f'), size: 2048, platform: { architecture: 'arm64', os: 'linux', variant: 'v8', 'os.features': ['x'] } },
  ],
});
const IMAGE_CONFIG = JSON.stringify({
  architecture: 'amd64',
  os: 'linux',
  created: '2024-01-01T00:00:00Z',
  config: { User: '1000', Env: ['PATH=/usr/bin'], Entrypoint: ['/bin/sh', '-c'], Cmd: ['run'], ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' } },
  rootfs: { type: 'layers', diff_ids: [DIGEST('1')] },
  history: [{ created: '2024-01-01T00:00:00Z', created_by: 'RUN x' }],
});

const oci: FuzzTarget = {
  seeds: () => [text(OCI_MANIFEST), text(OCI_INDEX), text(IMAGE_CONFIG)],
  text: true,
  extra: () => [text(`{"schemaVersion":2,"mediaType":"${MEDIA.ociManifest}","annotations":${nested('{"a":', '}', 100_000, '1')}}`)],
  run: (input) => {
    const b = Buffer.from(input);
    parseImageConfig(b);
    parseManifest(b, MEDIA.ociManifest, 'demo:latest');
    return undefined;
  },
  accepts: ownError(AirlockError),
};

export const targets: Record<string, FuzzTarget> = {
  'npm-json-scan': jsonScan,
  'npm-packument': packument,
  'npm-manifest': manifest,
  'pypi-json': pypi(SIMPLE_JSON, PYPI_JSON),
  'pypi-html': pypi('text/html; charset=utf-8', PYPI_HTML),
  oci,
};
