/**
 * Fuzz targets of the ecosystem parsers of upstream documents: the npm packument scanner
 * (`json-scan`, `packument-index`, `manifest-reader`), npm search (the upstream's answer, and
 * the query a client sends), PyPI Simple API project pages (PEP 691 JSON, PEP 503 HTML) and OCI
 * manifests and indexes. Each throws its own error for a document it refuses; `json-scan` must
 * also agree with `JSON.parse` on what is JSON, and a search answer must come back rebuilt as
 * npm can print it.
 */
import { JsonScanError, MAX_DEPTH, expectEnd, scanValue, skipWs } from '../../../src/ecosystems/npm/json-scan.ts';
import { indexPackumentWithManifests, parseVersion, PackumentFormatError } from '../../../src/ecosystems/npm/packument-index.ts';
import { readManifest } from '../../../src/ecosystems/npm/manifest-reader.ts';
import { MAX_SEARCH_SIZE, MAX_SEARCH_TEXT, parseSearchAnswer, parseSearchQuery, searchQueryString } from '../../../src/ecosystems/npm/search.ts';
import { PageFormatError, parseProjectPage, SIMPLE_JSON } from '../../../src/ecosystems/pypi/simple-page.ts';
import { MEDIA, parseImageConfig, parseManifest } from '../../../src/ecosystems/oci/manifest.ts';
import { AirlockError } from '../../../src/core/errors.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

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

const SEARCH_HIT = (name: string): Record<string, unknown> => ({
  package: {
    name,
    scope: name.startsWith('@') ? name.slice(1, name.indexOf('/')) : 'unscoped',
    version: '1.1.0',
    description: 'a demo \u2603',
    keywords: ['demo', 'fuzz'],
    date: '2021-01-01T00:00:00.000Z',
    links: { npm: `https://www.registry.example/package/${name}`, homepage: 'https://demo.example/#readme', repository: 'git+https://git.example/demo.git', bugs: 'https://git.example/demo/issues' },
    author: { name: 'Ada', email: 'ada@example.org', url: 'https://ada.example/' },
    publisher: { username: 'ada', email: 'ada@example.org' },
    maintainers: [{ username: 'ada', email: 'ada@example.org' }, { username: 'bob', email: 'bob@example.org' }],
    license: 'MIT',
  },
  score: { final: 0.61, detail: { quality: 0.9, popularity: 0.2, maintenance: 0.99 } },
  searchScore: 1234.5,
  flags: { insecure: 0 },
  downloads: { monthly: 12345, weekly: 3000 },
  dependents: '17',
  updated: '2021-01-02T00:00:00.000Z',
});
const SEARCH_ANSWER = JSON.stringify({ objects: [SEARCH_HIT('demo'), SEARCH_HIT('@acme/lib')], total: 2, time: '2026-01-01T00:00:00.000Z' });
// What a terminal acts on: C0 and C1 controls (ESC, CSI) and DEL.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The first string of `v` (keys too) with a character a terminal acts on, as a defect. (A lone
 * surrogate is not one: it goes out as a JSON escape and is printed as U+FFFD.)
 */
function unprintable(v: unknown, at: string): string | undefined {
  if (typeof v === 'string') return CONTROL_RE.test(v) ? `${at} is ${JSON.stringify(v.slice(0, 120))}` : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const bad = unprintable(k, `a key in ${at}`) ?? unprintable(x, `${at}.${k}`);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** The upstream's search answer: each hit rebuilt from checked fields, nothing in it a terminal acts on. */
const searchAnswer: FuzzTarget = {
  seeds: () => [text(SEARCH_ANSWER)],
  text: true,
  extra: () => [
    text(`{"objects":${nested('[', ']', 100_000)}}`),
    text(`{"objects":[{"package":{"name":"demo","description":${nested('[', ']', 100_000)}}}]}`),
    text(`{"objects":[${Array.from({ length: 50_000 }, (_, i) => `{"package":{"name":"p${i}"}}`).join(',')}]}`),
    text(JSON.stringify({ objects: [{ package: { name: 'demo', links: { homepage: 'https://demo.example/\u001b[2J\u001b]8;;https://evil.example\u0007' }, author: { url: 'https://a.example/\u009b31m' } } }] })),
  ],
  run: (input) => {
    const { hits, total } = parseSearchAnswer(Buffer.from(input), MAX_SEARCH_SIZE);
    if (hits.length > MAX_SEARCH_SIZE || !Number.isInteger(total) || total < 0) return `${hits.length} hits of ${total}`;
    for (const h of hits) {
      const bad = unprintable(h.result, h.name);
      if (bad !== undefined) return bad;
      const pkg = h.result['package'] as Record<string, unknown>;
      // npm's formatter throws on maintainers that are not an array of usernames.
      if (!Array.isArray(pkg['maintainers']) || !pkg['maintainers'].every((m) => typeof m === 'object' && m !== null && typeof (m as Record<string, unknown>)['username'] === 'string')) return `${h.name}'s maintainers are ${JSON.stringify(pkg['maintainers'])}`;
    }
    JSON.stringify(hits);
    return undefined;
  },
  accepts: (err) => ownError(AirlockError)(err) && (err as AirlockError).code === 'UPSTREAM_BAD_RESPONSE',
};

/** The query of `GET /-/v1/search`: refused as a bad request, or read as one that is passed on as read. */
const searchQuery: FuzzTarget = {
  seeds: () => ['text=left%20pad&size=20&from=0&quality=0.65&popularity=0.98&maintenance=0.5', 'text=keywords:react+author:ada&size=250&from=999999999', 'text=%40acme%2Flib&quality=1.000000'].map(text),
  text: true,
  extra: () => [text(`text=${'%F0%9F%98%80'.repeat(MAX_SEARCH_TEXT)}`), text(`text=x${'&size=1'.repeat(5000)}`), text('text=%ED%A0%80&size=%00')],
  run: (input) => {
    const q = parseSearchQuery(asText(input));
    if (q.text === '' || q.text.length > MAX_SEARCH_TEXT || !(q.size >= 1 && q.size <= MAX_SEARCH_SIZE) || !(q.from >= 0 && q.from <= 10_000)) return `read as ${JSON.stringify(q)}`;
    const again = parseSearchQuery(searchQueryString(q));
    if (JSON.stringify(again) !== JSON.stringify(q)) return `read as ${JSON.stringify(q)}, passed on as ${JSON.stringify(again)}`;
    return undefined;
  },
  accepts: (err) => ownError(AirlockError)(err) && (err as AirlockError).code === 'BAD_REQUEST',
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
  'npm-search-answer': searchAnswer,
  'npm-search-query': searchQuery,
  'pypi-json': pypi(SIMPLE_JSON, PYPI_JSON),
  'pypi-html': pypi('text/html; charset=utf-8', PYPI_HTML),
  oci,
};
