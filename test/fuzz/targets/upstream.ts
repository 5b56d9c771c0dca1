/**
 * Fuzz targets of what upstreams answer besides the package documents of `ecosystems.ts`: the
 * Hugging Face Hub's repo info and tree pages and the `Link` header that pages them, a registry's
 * `WWW-Authenticate` challenge, and OSV advisory feeds (a zip of JSON records, each record
 * parsed). Each refuses bad input with its own error (AirlockError UPSTREAM_BAD_RESPONSE,
 * ZipFormatError, OsvRecordError); what it returns must be what it promises.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AirlockError } from '../../../src/core/errors.ts';
import { nextLink, parseRepoInfo, parseTreePage } from '../../../src/ecosystems/huggingface/hub-json.ts';
import { parseChallenge } from '../../../src/ecosystems/oci/registry-auth.ts';
import { OsvRecordError, parseOsvRecord } from '../../../src/signals/feeds/osv.ts';
import { DEFAULT_ZIP_LIMITS, ZipFormatError, zipEntries } from '../../../src/signals/feeds/zip-reader.ts';
import { makeZip, memorySource } from '../../../src/signals/feeds/testdata/make-zip.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const REPO_INFO = JSON.stringify({
  _id: '621ffdc036468d709f174338',
  id: 'acme/tiny-bert',
  modelId: 'acme/tiny-bert',
  sha: SHA,
  lastModified: '2025-01-02T03:04:05.000Z',
  createdAt: '2022-03-02T23:29:04.000Z',
  private: false,
  disabled: false,
  gated: 'auto',
  downloads: 123456,
  likes: 42,
  library_name: 'transformers',
  pipeline_tag: 'fill-mask',
  tags: ['transformers', 'pytorch', 'safetensors', 'bert', 'fill-mask', 'en', 'license:apache-2.0'],
  cardData: { license: 'apache-2.0', language: ['en'] },
  config: { architectures: ['BertForMaskedLM'], model_type: 'bert' },
  siblings: [{ rfilename: '.gitattributes' }, { rfilename: 'config.json' }, { rfilename: 'model.safetensors' }, { rfilename: 'onnx/model.onnx' }, { rfilename: 'vocab.txt' }],
  spaces: [],
  safetensors: { parameters: { F32: 4385920 }, total: 4385920 },
});
const TREE_PAGE = JSON.stringify([
  { type: 'file', oid: 'a'.repeat(40), size: 1519, path: '.gitattributes' },
  { type: 'file', oid: 'b'.repeat(40), size: 632, path: 'config.json' },
  { type: 'file', oid: 'c'.repeat(40), size: 17547912, path: 'model.safetensors', lfs: { oid: 'd'.repeat(64), size: 17547912, pointerSize: 134 } },
  { type: 'directory', oid: 'e'.repeat(40), size: 0, path: 'onnx' },
  { type: 'file', oid: 'f'.repeat(40), size: 17630000, path: 'onnx/model.onnx', lfs: { oid: '1'.repeat(64), size: 17630000, pointerSize: 134 } },
  { type: 'file', oid: '2'.repeat(40), size: 231508, path: 'vocab.txt', xetHash: '3'.repeat(64) },
]);

const repoInfo: FuzzTarget = {
  seeds: () => [text(REPO_INFO)],
  text: true,
  extra: () => [
    text(`{"id":"a/b","sha":"${SHA}","siblings":${nested('[', ']', 100_000)}}`),
    text(`{"id":"a/b","sha":"${SHA}","cardData":${nested('[', ']', 100_000)}}`),
    text(`{"id":"a/b","sha":"${SHA}","siblings":[${Array.from({ length: 30_000 }, (_, i) => `{"rfilename":"f${i}"}`).join(',')}]}`),
    text(`{"id":"a/b","sha":"${SHA}","tags":[${'"t",'.repeat(100_000)}"t"],"lastModified":"${'9'.repeat(100_000)}"}`),
  ],
  run: (input) => {
    const { info, document } = parseRepoInfo(Buffer.from(input), 'info of acme/tiny-bert');
    // The plugin serves the document as it was read, written back as JSON.
    JSON.stringify(document);
    if (info.siblings.length > info.siblingCount) return `${info.siblings.length} siblings kept of ${info.siblingCount}`;
    if (info.lastModified !== null && Number.isNaN(Date.parse(info.lastModified))) return `lastModified ${info.lastModified} is no date`;
    return undefined;
  },
  accepts: ownError(AirlockError),
};

const treePage: FuzzTarget = {
  seeds: () => [text(TREE_PAGE)],
  text: true,
  extra: () => [
    text(nested('[', ']', 100_000)),
    text(`[{"type":{"toString":1},"path":"a","oid":"${'a'.repeat(40)}"}]`),
    text(`[${Array.from({ length: 20_000 }, (_, i) => `{"type":"file","oid":"${'a'.repeat(40)}","size":1,"path":"d/${i}"}`).join(',')}]`),
    text(`[{"type":"file","oid":"${'a'.repeat(40)}","size":1,"path":"${'a/'.repeat(50_000)}a"}]`),
  ],
  run: (input) => {
    for (const e of parseTreePage(Buffer.from(input), 'tree of acme/tiny-bert')) {
      if (e.path.split('/').some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\u0000'))) return `an unsafe path ${JSON.stringify(e.path)}`;
      if (e.lfs !== null && e.lfs.size !== e.size) return `${e.path} has two sizes`;
    }
    return undefined;
  },
  accepts: ownError(AirlockError),
};

const UPSTREAM = new URL('https://hub.example/');
const linkHeader: FuzzTarget = {
  seeds: () =>
    [
      `<https://hub.example/api/models/acme/tiny-bert/tree/${SHA}?recursive=true&cursor=ZXlKbWFXeGxYMjVoYldVaU9pSjJiMk5oWWk1MGVIUWlmUT09>; rel="next"`,
      '<https://hub.example/api/models?p=1>; rel="prev", <https://hub.example/api/models?p=3>; rel=next; title="page 3"',
      '</api/models?cursor=a%2Cb>;rel="next"',
    ].map(text),
  text: true,
  extra: () => [text(`<${'a'.repeat(8000)}>; rel="next"`), text(`${'<'.repeat(8000)}>; rel=next`), text('<http://[>; rel="next"'), text('<https://hub.example:99999/x>; rel="next"'), text(`${' ;'.repeat(4000)}`)],
  run: (input) => {
    nextLink(asText(input), UPSTREAM, 'tree of acme/tiny-bert');
    return undefined;
  },
  accepts: ownError(AirlockError),
};

const wwwAuthenticate: FuzzTarget = {
  seeds: () =>
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull",error="insufficient_scope"',
      'Basic realm="Registry Realm"',
      'Bearer realm="https://q.example/v2/auth", service = q.example , scope="repository:a\\"b:pull"',
    ].map(text),
  text: true,
  extra: () => [text(`Bearer ${'a=b,'.repeat(4000)}`), text(`Bearer realm="${'\\'.repeat(16_000)}`), text(`Bearer ${' '.repeat(16_000)}x`), text(`${'B'.repeat(16_000)}`)],
  run: (input) => {
    const c = parseChallenge(asText(input));
    if (c === null) return undefined;
    if (c.scheme !== c.scheme.toLowerCase() || c.scheme === '') return `scheme ${JSON.stringify(c.scheme)}`;
    for (const [k, v] of Object.entries(c.params)) if (typeof v !== 'string' || k !== k.toLowerCase()) return `param ${k} = ${typeof v}`;
    return undefined;
  },
  accepts: () => false,
};

const FEED = join(import.meta.dirname, '../../../src/signals/feeds/testdata/osv');
const GHSA = JSON.stringify({
  schema_version: '1.6.0',
  id: 'GHSA-29mw-wpgm-hmr9',
  modified: '2024-11-18T16:26:24.000Z',
  published: '2020-08-31T18:46:04Z',
  aliases: ['CVE-2020-28500'],
  summary: 'Regular Expression Denial of Service (ReDoS) in lodash',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }, { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N' }],
  affected: [
    { package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '4.0.0' }, { fixed: '4.17.21' }] }], database_specific: { source: 'https://github.com/advisories/GHSA-29mw-wpgm-hmr9/GHSA-29mw-wpgm-hmr9.json' } },
    { package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { last_affected: '3.10.1' }] }], versions: ['3.10.0', '3.10.1'] },
    { package: { ecosystem: 'PyPI', name: 'Lodash_Py' }, ranges: [{ type: 'GIT', repo: 'https://git.example/l', events: [{ introduced: '0' }, { limit: 'abc' }] }, { type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
  ],
  database_specific: { severity: 'MODERATE', cwe_ids: ['CWE-400'], github_reviewed: true },
  credits: [{ name: 'ada', type: 'FINDER' }],
});
const records = (): Uint8Array[] => [text(GHSA), new Uint8Array(readFileSync(join(FEED, 'npm/MAL-2025-41443.json'))), new Uint8Array(readFileSync(join(FEED, 'pypi/MAL-2022-7421.json')))];

/** A record `affected` by `n` entries for one package, each listing `k` versions of its own. */
const manyAffected = (n: number, k: number): Uint8Array =>
  text(JSON.stringify({ id: 'MAL-2025-1', modified: '2025-01-01T00:00:00Z', affected: Array.from({ length: n }, (_, i) => ({ package: { ecosystem: 'npm', name: 'x' }, versions: Array.from({ length: k }, (_, j) => `${i}.${j}`) })) }));

const osvRecord: FuzzTarget = {
  seeds: records,
  text: true,
  extra: () => [
    text(`{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":${nested('[', ']', 100_000)}}]}]}`),
    text(`{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":${nested('[', ']', 100_000)}}`),
    manyAffected(1000, 300),
    text('{"id":"MAL-2025-2","modified":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"evil\\u0000pkg"},"versions":["1.0"]}]}'),
  ],
  run: (input) => {
    const r = parseOsvRecord(input, { feed: 'osv', entry: 'fuzz.json' });
    if (r.kind === 'records') {
      for (const rec of r.records) {
        if (rec.versions.length === 0 && rec.ranges.length === 0 && !rec.allVersions) return `record ${rec.id} for ${rec.name} affects nothing`;
        // The stores refuse a NUL in a name, and with it the whole import: the record must be refused itself.
        if (/[\u0000-\u001f\u007f]/.test(rec.name) || !rec.name.isWellFormed()) return `record ${rec.id} names ${JSON.stringify(rec.name)}`;
      }
    }
    return undefined;
  },
  accepts: ownError(OsvRecordError),
};

/** A feed zip as OSV publishes one (`<ID>.json` entries, deflated), read as the feed import reads it. */
const osvZip: FuzzTarget = {
  seeds: () => [new Uint8Array(makeZip(records().map((data, i) => ({ name: `R-${i}.json`, data })))), new Uint8Array(makeZip([{ name: 'a.json', data: GHSA, method: 0 }, { name: 'dir/', data: '' }], { zip64: true }))],
  run: async (input) => {
    for await (const e of zipEntries(memorySource(input), (name) => name.endsWith('.json'), { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1 << 20 })) {
      try {
        parseOsvRecord(e.bytes, { feed: 'osv', entry: e.name });
      } catch (err) {
        if (!(err instanceof OsvRecordError)) throw err;
      }
    }
    return undefined;
  },
  accepts: ownError(ZipFormatError),
};

export const targets: Record<string, FuzzTarget> = {
  'hf-repo-info': repoInfo,
  'hf-tree-page': treePage,
  'link-header': linkHeader,
  'www-authenticate': wwwAuthenticate,
  'osv-record': osvRecord,
  'osv-zip': osvZip,
};
