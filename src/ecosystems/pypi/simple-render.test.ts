import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProjectHtml, parseProjectJson } from './simple-page.ts';
import { negotiateSimple, renderProjectHtml, renderProjectJson, SIMPLE_HTML, SIMPLE_JSON, type RenderedFile } from './simple-render.ts';

const HEX = 'ab'.repeat(32);
const HEX2 = 'cd'.repeat(32);
const BASE = new URL('https://airlock.example/pypi/simple/foo/');

const files: RenderedFile[] = [
  {
    filename: 'foo-1.0-py3-none-any.whl',
    url: 'https://airlock.example/pypi/files/ab/foo-1.0-py3-none-any.whl',
    hashes: { sha256: HEX, blake2b_256: HEX2 },
    requiresPython: '>=3.8,<4',
    size: 12345,
    uploadTime: '2024-01-17T16:53:12.779164Z',
    coreMetadata: { sha256: HEX2 },
    yanked: false,
    provenance: 'https://airlock.example/pypi/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance',
  },
  {
    filename: "foo-0.9.tar.gz",
    url: 'https://airlock.example/pypi/files/cd/foo-0.9.tar.gz',
    hashes: { sha256: HEX2 },
    requiresPython: null,
    size: 10,
    uploadTime: null,
    coreMetadata: true,
    yanked: `AIRLOCK: "blocked" <by> policy & it's final`,
    provenance: null,
  },
  {
    filename: 'foo-0.8.zip',
    url: 'https://airlock.example/pypi/files/ef/foo-0.8.zip',
    hashes: { sha256: HEX },
    requiresPython: null,
    size: 1,
    uploadTime: null,
    coreMetadata: false,
    yanked: true,
    provenance: null,
  },
];

test('the JSON page: api-version 1.1 with versions, both metadata names, optional keys omitted', () => {
  const doc: unknown = JSON.parse(renderProjectJson({ name: 'Foo', versions: ['0.8', '0.9', '1.0'], files }).toString());
  assert.deepEqual(doc, {
    meta: { 'api-version': '1.1' },
    name: 'Foo',
    versions: ['0.8', '0.9', '1.0'],
    files: [
      {
        filename: 'foo-1.0-py3-none-any.whl',
        url: 'https://airlock.example/pypi/files/ab/foo-1.0-py3-none-any.whl',
        hashes: { sha256: HEX, blake2b_256: HEX2 },
        'requires-python': '>=3.8,<4',
        size: 12345,
        'upload-time': '2024-01-17T16:53:12.779164Z',
        'core-metadata': { sha256: HEX2 },
        'dist-info-metadata': { sha256: HEX2 },
        yanked: false,
        provenance: 'https://airlock.example/pypi/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance',
      },
      { filename: 'foo-0.9.tar.gz', url: 'https://airlock.example/pypi/files/cd/foo-0.9.tar.gz', hashes: { sha256: HEX2 }, size: 10, 'core-metadata': true, 'dist-info-metadata': true, yanked: files[1]?.yanked },
      { filename: 'foo-0.8.zip', url: 'https://airlock.example/pypi/files/ef/foo-0.8.zip', hashes: { sha256: HEX }, size: 1, yanked: true },
    ],
  });
});

test('the JSON page is a 1.0 page without versions when a size is unknown (PEP 700 makes size mandatory in 1.1)', () => {
  const doc = JSON.parse(renderProjectJson({ name: 'foo', versions: ['1.0'], files: [{ ...files[2]!, size: null }] }).toString()) as Record<string, unknown>;
  assert.deepEqual(doc['meta'], { 'api-version': '1.0' });
  assert.equal('versions' in doc, false);
  assert.deepEqual(doc['files'], [{ filename: 'foo-0.8.zip', url: 'https://airlock.example/pypi/files/ef/foo-0.8.zip', hashes: { sha256: HEX }, yanked: true }]);
});

test('the HTML page: one anchor per file, the sha256 fragment, every value escaped', () => {
  const text = renderProjectHtml({ name: 'foo<script>', versions: [], files }).toString();
  assert.ok(text.startsWith('<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Links for foo&lt;script&gt;</title>'));
  const anchors = text.split('\n').filter((l) => l.includes('<a '));
  assert.deepEqual(anchors, [
    `    <a href="https://airlock.example/pypi/files/ab/foo-1.0-py3-none-any.whl#sha256=${HEX}" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=${HEX2}" data-dist-info-metadata="sha256=${HEX2}" data-provenance="https://airlock.example/pypi/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance">foo-1.0-py3-none-any.whl</a><br/>`,
    `    <a href="https://airlock.example/pypi/files/cd/foo-0.9.tar.gz#sha256=${HEX2}" data-yanked="AIRLOCK: &quot;blocked&quot; &lt;by&gt; policy &amp; it&#39;s final" data-core-metadata="true" data-dist-info-metadata="true">foo-0.9.tar.gz</a><br/>`,
    `    <a href="https://airlock.example/pypi/files/ef/foo-0.8.zip#sha256=${HEX}" data-yanked="">foo-0.8.zip</a><br/>`,
  ]);
  const md5 = renderProjectHtml({ name: 'foo', versions: [], files: [{ ...files[2]!, hashes: { md5: '0'.repeat(32) }, filename: `a&b'.zip` }] }).toString();
  assert.match(md5, /<a href="https:\/\/airlock.example\/pypi\/files\/ef\/foo-0.8.zip#md5=0{32}" data-yanked="">a&amp;b&#39;.zip<\/a>/, 'without sha256, the first hash');
  const none = renderProjectHtml({ name: 'foo', versions: [], files: [{ ...files[2]!, hashes: {} }] }).toString();
  assert.match(none, /<a href="https:\/\/airlock.example\/pypi\/files\/ef\/foo-0.8.zip" /);
});

test('render then parse gives the files back, in both formats', () => {
  const input = { name: 'foo', versions: ['0.8', '0.9', '1.0'], files };
  const viaJson = parseProjectJson(renderProjectJson(input), BASE);
  assert.deepEqual(viaJson, { name: 'foo', versions: input.versions, lastSerial: null, files });
  // HTML carries one hash per file and neither size nor upload time.
  const viaHtml = parseProjectHtml(renderProjectHtml(input), BASE, 'foo');
  assert.deepEqual(viaHtml, {
    name: 'foo',
    versions: null,
    lastSerial: null,
    files: files.map((f) => ({ ...f, hashes: { sha256: f.hashes['sha256'] }, size: null, uploadTime: null })),
  });
});

const PIP = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
const UV = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

test('negotiation: what pip, uv, browsers and curl send', () => {
  assert.equal(SIMPLE_JSON, 'application/vnd.pypi.simple.v1+json');
  assert.equal(SIMPLE_HTML, 'application/vnd.pypi.simple.v1+html');
  for (const [accept, want] of [
    [PIP, 'json'],
    [UV, 'json'],
    [undefined, 'html'],
    ['', 'html'],
    ['*/*', 'html'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['application/json', null],
    ['application/json, text/plain', null],
    ['text/html', 'html'],
    ['application/vnd.pypi.simple.v1+html', 'html'],
    ['application/vnd.pypi.simple.latest+json', 'json'],
    ['APPLICATION/VND.PYPI.SIMPLE.V1+JSON', 'json'],
    // q-values
    ['application/vnd.pypi.simple.v1+json;q=0.5, text/html', 'html'],
    ['application/vnd.pypi.simple.v1+json, text/html', 'json'], // a tie goes to JSON
    ['application/vnd.pypi.simple.v1+json;q=0, text/html;q=0.1', 'html'],
    ['application/vnd.pypi.simple.v1+json;q=0', null],
    ['text/html;q=0, application/vnd.pypi.simple.v1+html;q=0, application/vnd.pypi.simple.latest+html;q=0', null],
    ['text/html;q=0, */*', 'html'], // the v1 html type is still acceptable through */*
    ['application/vnd.pypi.simple.v1+json;q=0, */*;q=0.5', 'html'],
    ['*/*;q=0', null],
    ['application/*', 'html'],
    ['text/*;q=0.3, application/vnd.pypi.simple.v1+json;q=0.2', 'html'],
    ['application/vnd.pypi.simple.v1+json;q=bogus, text/html;q=0.5', 'html'], // a malformed q drops its range
    ['application/vnd.pypi.simple.v1+json;q=2', null],
    ['application/vnd.pypi.simple.v1+json;charset=utf-8;q=0.9, text/html;q=0.8', 'json'],
    [',;,garbage, /, ;q=1', null],
  ] as const) {
    assert.equal(negotiateSimple(accept), want, String(accept));
  }
});
