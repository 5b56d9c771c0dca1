import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PAGE_LIMITS, PageFormatError, parseProjectHtml, parseProjectJson, parseProjectPage, type DistFile } from './simple-page.ts';
import { cpuMs } from '../../../test/support/cpu-time.ts';

const PAGE = new URL('https://pypi.example/simple/foo/');
const HEX = 'ab'.repeat(32);
const HEX2 = 'cd'.repeat(32);

const json = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));
const html = (s: string): Buffer => Buffer.from(s);
const jsonPage = (files: unknown[], meta: Record<string, unknown> = { 'api-version': '1.1' }) => parseProjectJson(json({ meta, name: 'foo', files }), PAGE);
const htmlFiles = (body: string): readonly DistFile[] => parseProjectHtml(html(body), PAGE, 'foo').files;
const refused = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof PageFormatError && re.test(e.message));
};
const file = (over: Record<string, unknown> = {}) => ({ filename: 'foo-1.0.tar.gz', url: 'https://files.example/foo-1.0.tar.gz', hashes: { sha256: HEX }, ...over });

test('a PyPI JSON page in its real shape', () => {
  const page = parseProjectJson(
    json({
      meta: { 'api-version': '1.1', '_last-serial': 123 },
      name: 'Foo',
      versions: ['0.9', '1.0'],
      files: [
        {
          filename: 'foo-1.0-py3-none-any.whl',
          url: 'https://files.example/packages/ab/cd/foo-1.0-py3-none-any.whl',
          hashes: { sha256: HEX.toUpperCase(), BLAKE2b_256: HEX2 },
          'requires-python': '>=3.8',
          size: 12345,
          'upload-time': '2024-01-17T16:53:12.779164Z',
          'core-metadata': { sha256: HEX2 },
          'dist-info-metadata': { sha256: HEX2 },
          'data-dist-info-metadata': { sha256: HEX2 },
          yanked: false,
          provenance: 'https://pypi.example/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance',
          'future-key': { anything: 1 },
        },
        { filename: 'foo-0.9.tar.gz', url: '../../packages/foo-0.9.tar.gz', hashes: {}, 'requires-python': null, size: 10, 'upload-time': '2023-01-01 00:00:00', yanked: 'broken build', provenance: null },
      ],
      'future-top-level': true,
    }),
    PAGE,
  );
  assert.deepEqual(page, {
    name: 'Foo',
    versions: ['0.9', '1.0'],
    lastSerial: 123,
    files: [
      {
        filename: 'foo-1.0-py3-none-any.whl',
        url: 'https://files.example/packages/ab/cd/foo-1.0-py3-none-any.whl',
        hashes: { sha256: HEX, blake2b_256: HEX2 },
        requiresPython: '>=3.8',
        size: 12345,
        uploadTime: '2024-01-17T16:53:12.779164Z',
        coreMetadata: { sha256: HEX2 },
        yanked: false,
        provenance: 'https://pypi.example/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance',
      },
      {
        filename: 'foo-0.9.tar.gz',
        url: 'https://pypi.example/packages/foo-0.9.tar.gz',
        hashes: {},
        requiresPython: null,
        size: 10,
        uploadTime: null, // not the RFC 3339 UTC shape PEP 700 asks for
        coreMetadata: false,
        yanked: 'broken build',
        provenance: null,
      },
    ],
  });
});

test('JSON: relative URLs resolve against the page and lose their fragment; api-version 1.0 has no versions', () => {
  const page = jsonPage([file({ url: 'foo-1.0.tar.gz#sha256=00' }), file({ filename: 'foo-2.0.tar.gz', url: '/p/foo-2.0.tar.gz' })], { 'api-version': '1.0', '_last-serial': -1 });
  assert.deepEqual(page.files.map((f) => f.url), ['https://pypi.example/simple/foo/foo-1.0.tar.gz', 'https://pypi.example/p/foo-2.0.tar.gz']);
  assert.equal(page.versions, null);
  assert.equal(page.lastSerial, null, 'a negative serial is none');
});

test('JSON: yanked, core-metadata and provenance in every form', () => {
  const one = (over: Record<string, unknown>) => jsonPage([file(over)]).files[0];
  assert.equal(one({ yanked: true })?.yanked, true);
  assert.equal(one({ yanked: '' })?.yanked, true, 'an empty reason still yanks');
  assert.equal(one({})?.yanked, false);
  assert.equal(one({ 'core-metadata': true })?.coreMetadata, true);
  assert.equal(one({ 'core-metadata': {} })?.coreMetadata, true, 'metadata without a hash');
  assert.deepEqual(one({ 'dist-info-metadata': { sha256: HEX } })?.coreMetadata, { sha256: HEX }, 'the PEP 658 name when the PEP 714 one is absent');
  assert.deepEqual(one({ 'core-metadata': null, 'dist-info-metadata': { sha256: HEX } })?.coreMetadata, { sha256: HEX });
  assert.equal(one({ 'core-metadata': false, 'dist-info-metadata': true })?.coreMetadata, false, 'the PEP 714 name wins');
  assert.equal(one({ provenance: HEX })?.provenance, null, 'the PEP 740 draft form is a digest, not a URL');
  assert.equal(one({ provenance: '/integrity/foo/1.0/foo-1.0.tar.gz/provenance' })?.provenance, 'https://pypi.example/integrity/foo/1.0/foo-1.0.tar.gz/provenance');
  assert.equal(one({ 'requires-python': '' })?.requiresPython, null);
  assert.equal(one({ 'upload-time': '2024-01-17T16:53:12Z' })?.uploadTime, '2024-01-17T16:53:12Z');
  assert.equal(one({ 'upload-time': '2024-01-17T16:53:12+00:00' })?.uploadTime, null);
  assert.equal(one({ 'upload-time': 17 })?.uploadTime, null);
});

test('JSON: what is malformed fails the page, naming the file and the field', () => {
  refused(() => jsonPage([file({ hashes: { sha256: 'zz'.repeat(32) } })]), /^file 0 \(foo-1.0.tar.gz\): hashes.sha256 is not hex$/);
  refused(() => jsonPage([file({ hashes: { md5: 'abc' } })]), /hashes.md5 has 3 hex digits/);
  refused(() => jsonPage([file({ hashes: { sha256: 'ab' } })]), /hashes.sha256 has 2 hex digits, not 64/);
  refused(() => jsonPage([file({ hashes: { sha256: '' } })]), /not hex/);
  refused(() => jsonPage([file({ hashes: { sha256: HEX, SHA256: HEX } })]), /gives sha256 twice/);
  refused(() => jsonPage([file({ hashes: { __proto__x: HEX } })]), /invalid algorithm/);
  refused(() => jsonPage([file({ hashes: undefined })]), /hashes is missing/);
  refused(() => jsonPage([file({ 'core-metadata': { sha256: 'nope' } })]), /core-metadata.sha256 is not hex/);
  refused(() => jsonPage([file({ 'core-metadata': 'true' })]), /core-metadata is missing or not an object/);
  refused(() => jsonPage([file({ yanked: 1 })]), /yanked is neither/);
  refused(() => jsonPage([file({ yanked: null })]), /yanked is neither/);
  refused(() => jsonPage([file({ size: -1 })]), /size is not a non-negative integer/);
  refused(() => jsonPage([file({ size: 1.5 })]), /size/);
  refused(() => jsonPage([file({ url: undefined })]), /url is missing/);
  refused(() => jsonPage([file({ url: 'http://[::1' })]), /url is not a valid URL/);
  refused(() => jsonPage([file({ provenance: 'ftp://x/y' })]), /provenance has scheme "ftp:"/);
  refused(() => jsonPage([file({ 'requires-python': 3 })]), /requires-python is not a string/);
  refused(() => jsonPage([file({ 'requires-python': 'x'.repeat(DEFAULT_PAGE_LIMITS.maxAttributeChars + 1) })]), /longer than 8192 characters/);
  refused(() => jsonPage([file(), file()]), /file 1 \(foo-1.0.tar.gz\): the filename is listed twice/);
  refused(() => jsonPage(['x']), /file 0 is not an object/);
  refused(() => jsonPage([file({ filename: 3 })]), /filename is missing/);
  refused(() => parseProjectJson(json({ meta: { 'api-version': '1.1' }, name: 'foo', files: [], versions: [1] }), PAGE), /versions\[0\]/);
  refused(() => parseProjectJson(json({ meta: { 'api-version': '1.1' }, files: [] }), PAGE), /name is missing/);
  refused(() => parseProjectJson(json({ meta: { 'api-version': '1.1' }, name: 'foo' }), PAGE), /files is missing/);
  refused(() => parseProjectJson(json([]), PAGE), /not a JSON object/);
  refused(() => parseProjectJson(Buffer.from('{"meta":'), PAGE), /not valid JSON/);
  refused(() => parseProjectJson(Buffer.from([0x7b, 0xff, 0x7d]), PAGE), /not valid UTF-8/);
});

test('api-version: major 1 only, and it must be given', () => {
  refused(() => jsonPage([], { 'api-version': '2.0' }), /^api-version 2.0 is not supported$/);
  refused(() => jsonPage([], { 'api-version': '0.9' }), /api-version 0.9 is not supported/);
  refused(() => jsonPage([], { 'api-version': 'v1' }), /api-version "v1" is not supported/);
  refused(() => jsonPage([], { 'api-version': 1.1 }), /api-version is missing/);
  refused(() => jsonPage([], {}), /api-version is missing/);
  refused(() => parseProjectJson(json({ name: 'foo', files: [] }), PAGE), /meta is missing/);
  assert.equal(jsonPage([], { 'api-version': '1.4' }).files.length, 0, 'a later minor is read as 1.x');
  refused(() => htmlFiles('<meta name="pypi:repository-version" content="2.0"><a href="x">foo-1.0.tar.gz</a>'), /pypi:repository-version 2.0 is not supported/);
  assert.equal(htmlFiles('<META NAME="pypi:repository-version" CONTENT=1.3><a href="x">foo-1.0.tar.gz</a>').length, 1);
});

test('an unsafe filename, a URL that is not http(s), too many files: the page is refused', () => {
  for (const name of ['../foo-1.0.tar.gz', 'a/b.tar.gz', 'a\\b.whl', '..', '.', '', 'foo\u0000.tar.gz', 'foo\n.tar.gz', 'gz.\u202e1.0-foo', 'x'.repeat(256)]) {
    refused(() => jsonPage([file({ filename: name })]), /file 0: unsafe filename/);
  }
  refused(() => htmlFiles('<a href="x">../../etc/passwd</a>'), /unsafe filename "..\/..\/etc\/passwd"/);
  refused(() => htmlFiles('<a href="x"> </a>'), /unsafe filename ""/);
  refused(() => jsonPage([file({ url: 'javascript:alert(1)' })]), /url has scheme "javascript:"/);
  refused(() => jsonPage([file({ url: ' JavaScript:alert(1)' })]), /scheme "javascript:"/);
  refused(() => htmlFiles('<a href="jav&#x61;script:alert(1)">foo-1.0.tar.gz</a>'), /href has scheme "javascript:"/);
  refused(() => htmlFiles('<a href="file:///etc/passwd">foo-1.0.tar.gz</a>'), /scheme "file:"/);
  refused(() => htmlFiles('<a href="data:,x">foo-1.0.tar.gz</a>'), /scheme "data:"/);
  const limits = { maxFiles: 2, maxAttributeChars: 100 };
  const three = [file(), file({ filename: 'foo-2.0.tar.gz' }), file({ filename: 'foo-3.0.tar.gz' })];
  refused(() => parseProjectJson(json({ meta: { 'api-version': '1.0' }, name: 'foo', files: three }), PAGE, limits), /lists 3 files, more than the limit of 2/);
  refused(() => parseProjectHtml(html('<a href=a>a</a><a href=b>b</a><a href=c>c</a>'), PAGE, 'foo', limits), /more than the limit of 2 files/);
  assert.equal(parseProjectHtml(html('<a href=a>a</a><a href=b>b</a><a name=c>c</a>'), PAGE, 'foo', limits).files.length, 2, 'an anchor without href is no file');
  refused(() => parseProjectHtml(html(`<a href="${'x'.repeat(101)}">a</a>`), PAGE, 'foo', limits), /anchor 0: href is longer than 100/);
});

const PYPI_HTML = `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.1">
    <title>Links for foo</title>
  </head>
  <body>
    <h1>Links for foo</h1>
    <a href="https://files.example/packages/aa/bb/foo-1.0.tar.gz#sha256=${HEX}" data-requires-python="&gt;=3.8">foo-1.0.tar.gz</a><br />
    <a href="https://files.example/packages/cc/dd/foo-1.0-py3-none-any.whl#sha256=${HEX2.toUpperCase()}" data-requires-python="&gt;=3.8"
       data-core-metadata="sha256=${HEX}" data-dist-info-metadata="sha256=${HEX}" data-provenance="https://pypi.example/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance">foo-1.0-py3-none-any.whl</a><br />
    <a href="https://files.example/packages/ee/ff/foo-0.9.tar.gz#sha256=${HEX}" data-yanked="broken build">foo-0.9.tar.gz</a><br />
  </body>
</html>
<!--SERIAL 123-->`;

test('a PyPI HTML page in its real shape', () => {
  const page = parseProjectHtml(html(PYPI_HTML), PAGE, 'foo');
  assert.equal(page.name, 'foo');
  assert.equal(page.versions, null);
  assert.equal(page.lastSerial, null);
  const base = { size: null, uploadTime: null, coreMetadata: false, yanked: false, provenance: null };
  assert.deepEqual(page.files, [
    { ...base, filename: 'foo-1.0.tar.gz', url: 'https://files.example/packages/aa/bb/foo-1.0.tar.gz', hashes: { sha256: HEX }, requiresPython: '>=3.8' },
    {
      ...base,
      filename: 'foo-1.0-py3-none-any.whl',
      url: 'https://files.example/packages/cc/dd/foo-1.0-py3-none-any.whl',
      hashes: { sha256: HEX2 },
      requiresPython: '>=3.8',
      coreMetadata: { sha256: HEX },
      provenance: 'https://pypi.example/integrity/foo/1.0/foo-1.0-py3-none-any.whl/provenance',
    },
    { ...base, filename: 'foo-0.9.tar.gz', url: 'https://files.example/packages/ee/ff/foo-0.9.tar.gz', hashes: { sha256: HEX }, requiresPython: null, yanked: 'broken build' },
  ]);
});

test('HTML: relative URLs, <base href>, quoting styles and case', () => {
  const files = htmlFiles(`<A HREF=../../p/foo-1.0.tar.gz#md5=${'0'.repeat(32)}>foo-1.0.tar.gz</A><a href='foo-2.0.zip#egg=foo'>foo-2.0.zip</a>`);
  assert.deepEqual(files.map((f) => [f.url, f.hashes]), [
    ['https://pypi.example/p/foo-1.0.tar.gz', { md5: '0'.repeat(32) }],
    ['https://pypi.example/simple/foo/foo-2.0.zip', {}], // `#egg=` is not a hash
  ]);
  // The first <base href> counts, also for anchors before it, and is itself relative to the page.
  const based = htmlFiles('<a href="a/foo-1.0.tar.gz">foo-1.0.tar.gz</a><base href="/mirror/"><base href="https://elsewhere.example/"><a href=b.whl>b.whl</a>');
  assert.deepEqual(based.map((f) => f.url), ['https://pypi.example/mirror/a/foo-1.0.tar.gz', 'https://pypi.example/mirror/b.whl']);
  refused(() => htmlFiles('<base href="http://[::1"><a href=x>x</a>'), /<base href> is not a valid URL/);
  refused(() => htmlFiles(`<a href="x#sha256=${HEX}" href="y">x</a>`), /anchor 0 gives an attribute twice/);
  refused(() => htmlFiles('<a href="x#sha256=xyz">x</a>'), /file 0 \(x\): the href fragment.sha256 is not hex/);
});

test('HTML: character references in attributes and text; unknown names stay', () => {
  const [f] = htmlFiles(
    '<a href="/p/foo&amp;bar-1.0.tar.gz?a=1&amp;b=2" data-requires-python="&gt;=3.8,&lt;4,!=3.9.*,&quot;x&quot;,&#39;y&apos;,&#65;&#x42;&#X43;,&nbsp;,&#0;,&#x110000;,&amp" data-yanked="it&#39;s &lt;bad&gt;">\n  foo&amp;bar&#45;1.0.tar.gz&copy;  \n</a>',
  );
  assert.equal(f?.filename, 'foo&bar-1.0.tar.gz&copy;');
  assert.equal(f?.url, 'https://pypi.example/p/foo&bar-1.0.tar.gz?a=1&b=2');
  assert.equal(f?.requiresPython, '>=3.8,<4,!=3.9.*,"x",\'y\',ABC,&nbsp;,\ufffd,\ufffd,&amp');
  assert.equal(f?.yanked, "it's <bad>");
});

test('HTML: yanked and core-metadata forms', () => {
  const one = (attrs: string) => htmlFiles(`<a href="x" ${attrs}>foo-1.0.tar.gz</a>`)[0];
  assert.equal(one('data-yanked')?.yanked, true);
  assert.equal(one('data-yanked=""')?.yanked, true);
  assert.equal(one("data-yanked=' '")?.yanked, ' ');
  assert.equal(one('data-core-metadata="true"')?.coreMetadata, true);
  assert.equal(one('data-dist-info-metadata=true')?.coreMetadata, true);
  assert.deepEqual(one(`data-dist-info-metadata="sha256=${HEX}"`)?.coreMetadata, { sha256: HEX });
  assert.deepEqual(one(`data-core-metadata="SHA256=${HEX.toUpperCase()}" data-dist-info-metadata="true"`)?.coreMetadata, { sha256: HEX });
  assert.equal(one('')?.coreMetadata, false);
  refused(() => one('data-core-metadata="yes"'), /data-core-metadata is neither "true" nor <algorithm>=<hex>/);
  refused(() => one('data-core-metadata="sha256=12"'), /data-core-metadata.sha256 has 2 hex digits/);
  assert.equal(one('data-provenance=""')?.provenance, null);
  assert.equal(one('data-provenance="../integrity/p"')?.provenance, 'https://pypi.example/simple/integrity/p');
  refused(() => one('data-provenance="javascript:x"'), /data-provenance has scheme/);
});

test('HTML: comments, scripts, styles and other tags hide nothing and show nothing', () => {
  const files = htmlFiles(`<!DOCTYPE html><?xml version="1.0"?>
    <!-- <a href="hidden-1.0.tar.gz">hidden-1.0.tar.gz</a> --><!--><!--->
    <script>if (a < b) document.write('<a href="s.tar.gz">s.tar.gz</a>')</SCRIPT >
    <style>a > b { }</style><title>Links for <a href=t>t</a></title>
    <div class="x" title='>'><a href="one.tar.gz" title="a > b"><span>one</span><!--x-->.tar.gz</a></div>
    <a href="two.tar.gz">two.tar.gz<a href="three.tar.gz">three.tar.gz</a></a>
    </p x="</a>"> <p/> a < b <> </>`);
  assert.deepEqual(files.map((f) => f.filename), ['one.tar.gz', 'two.tar.gz', 'three.tar.gz']);
});

test('hostile HTML: linear time, clean failures, and a page cut short is no shorter list', () => {
  const mb = 1 << 20;
  for (const [body, outcome] of [
    ['<'.repeat(mb), 0],
    ['<a'.repeat(mb / 2), /ends inside a tag/],
    ['<a href="'.repeat(mb / 9), /ends inside a tag/],
    ["<a href='x' ".repeat(mb / 12), /ends inside a tag/],
    ['<!--'.repeat(mb / 4), /ends inside a comment/],
    ['<!'.repeat(mb / 2), /ends inside a tag/],
    ['</'.repeat(mb / 2), /ends inside a tag/],
    ['</>'.repeat(mb / 3), 0],
    ['<script>' + '</scrip'.repeat(mb / 7), /ends inside <script>/],
    ['&'.repeat(mb), 0],
    ['<a href=x>' + '&#x41'.repeat(mb / 5) + '</a>', /its text is longer than 8192/],
    ['<a href=x>' + '&'.repeat(mb) + '</a>', /its text is longer/],
    ['<p ' + 'a='.repeat(mb / 2) + '>', 0],
    ['<a href=x>' + '<b>'.repeat(mb / 3) + 'x</a>', 1],
    ['<a href=x>a' + ' '.repeat(8000) + 'b</a>', /unsafe filename/],
    ['<a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a><a href="foo-2.0.tar.gz">foo-2.', /ends inside anchor 1/],
  ] as const) {
    const parse = () => parseProjectHtml(html(body), PAGE, 'foo');
    const ms = cpuMs(() => {
      if (typeof outcome === 'number') assert.equal(parse().files.length, outcome);
      else refused(parse, outcome);
    });
    assert.ok(ms < 2000, `${JSON.stringify(body.slice(0, 20))}…: ${ms} ms of CPU`);
  }
  refused(() => parseProjectHtml(Buffer.from([0x3c, 0x61, 0xc3]), PAGE, 'foo'), /not valid UTF-8/);
});

test('JSON: a big page and a hostile one parse in linear time', () => {
  const files = Array.from({ length: 20_000 }, (_, i) => file({ filename: `foo-${i}.tar.gz` }));
  const ms = cpuMs(() => {
    assert.equal(jsonPage(files).files.length, 20_000);
    refused(() => parseProjectJson(Buffer.from('['.repeat(1 << 20)), PAGE), /not valid JSON/);
  });
  assert.ok(ms < 5000, `${ms} ms of CPU`);
});

test('parseProjectPage chooses the parser by content type', () => {
  const body = json({ meta: { 'api-version': '1.0' }, name: 'Foo', files: [file()] });
  assert.equal(parseProjectPage(body, 'application/vnd.pypi.simple.v1+json', PAGE, 'foo').name, 'Foo');
  for (const type of ['text/html', 'text/html; charset=utf-8', 'Application/Vnd.Pypi.Simple.V1+Html ;charset="UTF-8"']) {
    assert.equal(parseProjectPage(html(PYPI_HTML), type, PAGE, 'foo').files.length, 3, type);
  }
  refused(() => parseProjectPage(body, 'application/json', PAGE, 'foo'), /^content type "application\/json" is not a Simple API project page$/);
  refused(() => parseProjectPage(body, 'application/vnd.pypi.simple.v2+json', PAGE, 'foo'), /vnd.pypi.simple.v2\+json/);
  refused(() => parseProjectPage(body, null, PAGE, 'foo'), /no content type/);
});
