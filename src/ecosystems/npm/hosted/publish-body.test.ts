import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isAirlockError, parseNpmPackageName } from '../../../core/index.ts';
import { MAX_DEPRECATION_CHARS, MAX_MANIFEST_DEPTH, parsePutBody, type PublishRequest } from './publish-body.ts';
import { expectEnd, scanValue, skipWs } from '../json-scan.ts';
import { publishDoc } from '../../../../test/support/npm-registry/publish-body.ts';

const NAME = parseNpmPackageName('@acme/lib');
const TGZ = Buffer.from('pretend tarball bytes');

/** A publish body as libnpmpublish builds it, with `edit` applied. */
function body(edit: (doc: Record<string, any>) => void = () => {}, tarball = TGZ): Buffer {
  const doc = publishDoc(tarball);
  edit(doc);
  return Buffer.from(JSON.stringify(doc));
}

/** The body, parsed as the publish it must be. */
function parsePublishBody(b: Buffer, name: typeof NAME, limits: { readonly maxTarballBytes: number }): PublishRequest {
  const r = parsePutBody(b, name, limits);
  assert.equal(r.kind, 'publish');
  return r.publish;
}

function refused(b: Buffer, message: RegExp, code = 'BAD_REQUEST', maxTarballBytes = 1024): void {
  assert.throws(
    () => parsePutBody(b, NAME, { maxTarballBytes }),
    (err: unknown) => {
      assert.ok(isAirlockError(err), String(err));
      assert.equal(err.code, code);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('a publish body as npm sends it: the version, its tags, the tarball and its digests', () => {
  const r = parsePublishBody(body(), NAME, { maxTarballBytes: 1024 });
  assert.equal(r.version, '1.2.3');
  assert.deepEqual(r.tags, ['latest']);
  assert.deepEqual(r.tarball, TGZ);
  assert.equal(r.sha512, createHash('sha512').update(TGZ).digest('hex'));
  assert.equal(r.sha1, createHash('sha1').update(TGZ).digest('hex'));
  assert.equal(r.description, 'a library');
  const tagged = parsePublishBody(body((d) => (d['dist-tags'] = { beta: '1.2.3' })), NAME, { maxTarballBytes: 1024 });
  assert.deepEqual(tagged.tags, ['beta']);
});

test('the tarball must be the bytes its integrity and shasum name', () => {
  refused(body((d) => (d['versions']['1.2.3'].dist.integrity = `sha512-${createHash('sha512').update('other').digest('base64')}`)), /does not match its dist\.integrity/);
  refused(body((d) => delete d['versions']['1.2.3'].dist.integrity), /does not match its dist\.integrity/);
  refused(body((d) => (d['versions']['1.2.3'].dist.integrity = `sha1-${createHash('sha1').update(TGZ).digest('base64')}`)), /dist\.integrity \(sha512\)/);
  refused(body((d) => (d['versions']['1.2.3'].dist.shasum = '0'.repeat(40))), /does not match its dist\.shasum/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].length = 3)), /the attachment says 3 bytes; it holds 21/);
  // Found by grepping String() of untrusted JSON: one of an object with a toString member threw a TypeError, a 500 for the publisher.
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].length = { toString: 1 })), /the attachment's length is no number of bytes \(JSON object\); it holds 21/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].length = ['21'])), /the attachment's length is no number of bytes \(JSON list\)/);
});

test('a dist-tag naming no version string is refused naming its JSON kind, a long one cut short (found by grepping JSON.stringify of untrusted JSON)', () => {
  const text = body().toString('utf8');
  const tagged = (v: string): Buffer => Buffer.from(text.replace(/"dist-tags":\{[^}]*\}/, `"dist-tags":{"latest":${v}}`));
  // JSON.stringify of a list nested 100,000 deep threw a RangeError (a 500); a megabyte string went whole into the message.
  refused(tagged(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), /^publish refused: the dist-tag latest names a list, not the version published$/);
  refused(tagged('{"toString":1}'), /the dist-tag latest names an object, not the version published$/);
  refused(tagged(`"${'x'.repeat(1_000_000)}"`), /^publish refused: the dist-tag latest names "x{100}…", not the version published$/);
});

test('hostile or malformed bodies are refused with the reason', () => {
  refused(Buffer.from('{"name": '), /the body is not JSON/);
  refused(Buffer.from('[1]'), /not a JSON object/);
  refused(Buffer.from('['.repeat(100_000)), /the body is not JSON/);
  refused(body((d) => (d['name'] = '@acme/other')), /names another package than @acme\/lib/);
  refused(body((d) => (d['_id'] = 'x')), /names another package/);
  refused(body((d) => delete d['versions']), /no versions \(changing a package without publishing a version/);
  refused(body((d) => (d['versions']['2.0.0'] = d['versions']['1.2.3'])), /one version per publish, not 2/);
  refused(body((d) => (d['versions'] = { 'v1.2.3': d['versions']['1.2.3'] })), /"v1\.2\.3" is not a valid semver version/);
  refused(body((d) => (d['versions']['1.2.3'].version = '1.2.4')), /names another package or version/);
  refused(body((d) => delete d['versions']['1.2.3'].dist), /has no dist/);
  refused(body((d) => (d['dist-tags'] = { latest: '9.9.9' })), /the dist-tag latest names "9\.9\.9", not the version published/);
  refused(body((d) => (d['dist-tags'] = { '1.x': '1.2.3' })), /is a semver range/);
  refused(body((d) => (d['dist-tags'] = { 'a b': '1.2.3' })), /not a valid tag name/);
  refused(Buffer.from(body().toString().replace('"dist-tags":{"latest"', '"dist-tags":{"__proto__"')), /"__proto__" is not a valid tag name/);
  // A lone surrogate, which encodeURIComponent throws on (found by fuzzing: a URIError, a 500).
  refused(Buffer.from(body().toString().replace('"dist-tags":{"latest"', '"dist-tags":{"latest\\ud800"')), /"latest\\ud800" is not a valid tag name/);
  refused(body((d) => (d['_attachments'] = 'x')), /no tarball attachment/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.sigstore'] = { data: '{}' })), /provenance attestations are not kept/);
  refused(body((d) => (d['_attachments'] = { 'lib-1.2.3.tgz': d['_attachments']['@acme/lib-1.2.3.tgz'] })), /exactly one attachment, @acme\/lib-1\.2\.3\.tgz/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].data = 42)), /has no data/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].data = 'not base64!')), /not base64/);
  const b64 = TGZ.toString('base64');
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].data = `${b64.slice(0, 8)}\n${b64.slice(8)}`)), /not base64/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].data = `${b64}QQ`)), /not base64/);
  refused(body((d) => (d['_attachments']['@acme/lib-1.2.3.tgz'].data = '')), /the tarball is empty/);
});

test('a tarball over the repository limit is refused before it is decoded', () => {
  const big = Buffer.alloc(2048, 1);
  refused(body(() => {}, big), /larger than this repository's limit of 1024 bytes/, 'LIMIT_EXCEEDED', 1024);
  assert.equal(parsePublishBody(body(() => {}, big), NAME, { maxTarballBytes: 2048 }).tarball.length, 2048);
});

test("a body without attachments is npm deprecate: each listed version's message is read, nothing else", () => {
  const sent = parsePutBody(
    body((d) => {
      delete d['_attachments'];
      d['versions']['1.2.3'].deprecated = 'use 2.x';
      d['versions']['1.0.0'] = { name: '@acme/lib', version: '1.0.0', deprecated: '' };
      d['versions']['0.9.0'] = { name: '@acme/lib', version: '0.9.0' };
    }),
    NAME,
    { maxTarballBytes: 1024 },
  );
  assert.equal(sent.kind, 'deprecate');
  assert.deepEqual([...sent.deprecate.messages], [['1.2.3', 'use 2.x'], ['1.0.0', null], ['0.9.0', null]]);
  // An empty attachment list is the same (some clients send one).
  assert.equal(parsePutBody(body((d) => (d['_attachments'] = {})), NAME, { maxTarballBytes: 1024 }).kind, 'deprecate');
  refused(body((d) => { delete d['_attachments']; delete d['versions']; }), /neither a tarball attachment nor versions/);
  refused(body((d) => { delete d['_attachments']; d['versions']['1.2.3'].deprecated = 42; }), /deprecation message of @acme\/lib@1\.2\.3 is not a string/);
  refused(body((d) => { delete d['_attachments']; d['versions']['1.2.3'].deprecated = 'x'.repeat(MAX_DEPRECATION_CHARS + 1); }), /longer than 1024 characters/);
  refused(body((d) => { delete d['_attachments']; d['versions']['1.2.3'] = 'x'; }), /manifest of "1\.2\.3" is not an object/);
  refused(body((d) => { delete d['_attachments']; d['name'] = '@acme/other'; }), /names another package than @acme\/lib/);
});

test('a manifest nested deeper than a packument can be read back is refused, not stored to overflow JSON.stringify', () => {
  const deep = (levels: number) => body((d) => (d['versions']['1.2.3'].x = JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`)));
  // The manifest is a level itself: a field nesting one less than the limit fills it.
  const atLimit = parsePublishBody(deep(MAX_MANIFEST_DEPTH - 1), NAME, { maxTarballBytes: 1024 });
  // The packument that keeps it is still one the packument reader takes.
  const packument = Buffer.from(JSON.stringify({ name: '@acme/lib', versions: { '1.2.3': atLimit.manifest } }));
  expectEnd(packument, scanValue(packument, skipWs(packument, 0)));
  refused(deep(MAX_MANIFEST_DEPTH), new RegExp(`the manifest of 1\\.2\\.3 nests deeper than ${MAX_MANIFEST_DEPTH} levels`));
  // 100,000 deep: refused the same way (JSON.parse takes it; only the write would overflow).
  refused(Buffer.from(body().toString().replace('"dist":', `"x":${'['.repeat(100_000)}${']'.repeat(100_000)},"dist":`)), /nests deeper than/);
});
